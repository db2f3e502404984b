"""Links between tools built from the registry, so a template never hard-codes a sibling's URL."""

from django import template

from .. import registry

register = template.Library()


@register.simple_tag
def tool_link(slug, **values):
    """The tool's URL carrying the given values it accepts; "" when the tool is not installed."""
    try:
        tool = registry.get(slug)
    except KeyError:
        return ""
    return tool.link(values)
