from django import template

from calculators.kit.numbers import human

register = template.Library()


@register.filter
def approx(value):
    """A derived count that is rarely whole (622 sequences, 2.55M tokens): nearest whole, human.
    Below ten, three significant digits, so an estimate of 0.03 sequences does not read as 0."""
    if abs(value) < 10:
        return f"{value:.3g}"
    return human(round(value))
