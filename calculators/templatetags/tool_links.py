"""Links between tools built from the registry, so a template never hard-codes a sibling's URL."""

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from ..kit import registry
from ..kit.html import escape

register = template.Library()


@register.simple_tag
def tool_link(slug, **values):
    """The tool's URL carrying the given values it accepts; "" when the tool is not installed."""
    try:
        tool = registry.get(slug)
    except KeyError:
        return ""
    return tool.link(values)


@register.simple_tag(takes_context=True)
def site_nav(context):
    """The header's links: each tool shown in the nav, or, for a group without one there, the
    group's place on the home page. Written in Python: it is on every page of the site."""
    current = context.get("tool")
    home = reverse("home")
    items = []
    for group, tools in registry.nav_groups():
        for t in tools:
            here = ' aria-current="page"' if current and current.slug == t.slug else ""
            items.append(f'<li><a href="{escape(t.path)}"{here}>{escape(t.title)}</a></li>')
        if not tools:
            here = ' aria-current="true"' if current and current.group == group else ""
            anchor = f"{home}#{slugify(group)}"
            items.append(f'<li><a href="{escape(anchor)}"{here}>{escape(group)}</a></li>')
    return mark_safe("\n".join(items))


@register.simple_tag
def related_items(related):
    """The "Related tools" list on every tool page: (tool, link carrying the shared values)."""
    return mark_safe(
        "\n".join(
            f'<li><a href="{escape(href)}" data-testid="related-{escape(t.slug)}">'
            f'{escape(t.title)}</a> <span class="muted">{escape(t.blurb)}</span></li>'
            for t, href in related
        )
    )
