"""{% field form.x %}: one labelled input with unit, help and errors, tied together for screen
readers (Django's aria-describedby points at the help and error ids written here).

Written in Python because a template include per field cost more than the calculation."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def field(bound):
    unit = getattr(bound.field, "unit", "")
    unit_html = f' <span class="unit">({escape(unit)})</span>' if unit else ""
    help_html = (
        f'<p class="help" id="{bound.auto_id}_helptext">{escape(bound.help_text)}</p>'
        if bound.help_text
        else ""
    )
    errors = bound.errors
    errors_html = (
        f'<div class="error" id="{bound.auto_id}_error">'
        + "".join(f"<p>{escape(e)}</p>" for e in errors)
        + "</div>"
        if errors
        else ""
    )
    css = "field has-error" if errors else "field"
    return mark_safe(
        f'<div class="{css}"><label for="{bound.id_for_label}">{escape(bound.label)}{unit_html}'
        f"</label>{bound}{help_html}{errors_html}</div>"
    )
