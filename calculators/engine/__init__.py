"""The gradient-accumulation engine: pure Python, no Django imports, so it is testable and
reusable. Shared domain data lives in calculators.catalog, the InputError in calculators.kit."""
