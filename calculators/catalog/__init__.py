"""Shared domain knowledge, pure Python: model architectures, GPUs, interconnects and memory
units, and the rules more than one tool applies: FLOPs per token and training budgets
(budget.py), the pipeline bubble (pipeline.py), learning-rate scaling (lr.py), activation memory
(activation.py) and each framework's batch semantics and config writers (framework_rules.py,
framework_configs.py). Every tool reads the same catalog, so a model, a card or a framework's
rule is described once, and no tool imports another tool."""
