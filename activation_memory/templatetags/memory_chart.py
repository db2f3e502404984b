from django import template

from ..chart import memory_bar

register = template.Library()


@register.simple_tag
def memory_chart(result):
    need = result.need
    parts = [
        ("weights", "Weights", need.states.weights_bytes),
        ("gradients", "Gradients", need.states.gradients_bytes),
        ("optimizer", "Optimizer states", need.states.optimizer_bytes),
        ("activations", "Activations", need.activations_bytes),
        ("working", "Recompute and loss buffers", need.working_bytes),
    ]
    return memory_bar(parts, result.capacity_bytes, result.usable_bytes)
