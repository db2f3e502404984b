"""The chosen plan's memory bar: its parts, in the activation page's colours, drawn by the kit
(calculators/kit/memory_bar.py)."""

from calculators.kit.memory_bar import Bar
from calculators.kit.memory_bar import memory_bar as stacked_bar

# (the plan's field, the label, the site stylesheet's colour class shared with the activation page)
PARTS = (
    ("weights", "Weights", "weights"),
    ("gradients", "Gradients", "gradients"),
    ("optimizer_states", "Optimizer states", "optimizer"),
    ("activations", "Activations", "activations"),
    ("buffers", "Recompute and loss buffers", "working"),
)


def memory_bar(memory, capacity: int, usable: int) -> Bar:
    parts = [(css, label, getattr(memory, field)) for field, label, css in PARTS]
    return stacked_bar(parts, capacity, usable)
