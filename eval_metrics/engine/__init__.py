"""Evaluation-metric engines: plain Python math, no Django and no numpy at runtime.

Each module takes tuples of floats and returns a frozen dataclass. Input no calculation can
satisfy raises calculators.engine.InputError naming the parameter to change.
"""
