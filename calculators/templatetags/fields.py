"""{% field form.x %}: one labelled control with unit, help and errors, tied together for screen
readers (aria-describedby names the help and error ids written here; aria-invalid marks errors).

Written in Python, control included, because Django's widget rendering cost more than the
calculation on pages with twenty inputs. Handles the controls the kit uses (input, select,
textarea) and falls back to Django's own rendering for anything else."""

from django import forms, template
from django.utils.safestring import mark_safe

from ..html import escape

register = template.Library()


def flat_attrs(attrs: dict) -> str:
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {name}")
        elif value is not False and value is not None:
            parts.append(f' {name}="{escape(value)}"')
    return "".join(parts)


def control_html(bound, errors) -> str:
    field, widget = bound.field, bound.field.widget
    attrs = dict(widget.attrs)
    # No `required` on a select: one without an empty first option is invalid HTML with it.
    if (
        field.required
        and bound.form.use_required_attribute
        and not isinstance(widget, forms.Select)
    ):
        attrs["required"] = True
    described = [f"{bound.auto_id}_helptext"] if field.help_text else []
    if errors:
        described.append(f"{bound.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    attrs["id"] = bound.auto_id
    name, value = escape(bound.html_name), bound.value()
    if isinstance(widget, forms.Select):
        chosen = "" if value is None else str(value)
        options = "".join(
            f'<option value="{escape(v)}"{" selected" if str(v) == chosen else ""}>'
            f"{escape(label)}</option>"
            for v, label in field.choices
        )
        return f'<select name="{name}"{flat_attrs(attrs)}>{options}</select>'
    text = "" if value is None else escape(value)
    if isinstance(widget, forms.Textarea):
        # The newline after the tag keeps a value's own leading newline (HTML drops the first).
        return f'<textarea name="{name}"{flat_attrs(attrs)}>\n{text}</textarea>'
    if isinstance(widget, forms.widgets.Input):
        kind = escape(widget.input_type)
        return f'<input type="{kind}" name="{name}" value="{text}"{flat_attrs(attrs)}>'
    return str(bound)


@register.simple_tag
def field(bound):
    errors = bound.form.errors.get(bound.name)
    unit = getattr(bound.field, "unit", "")
    unit_html = f' <span class="unit">({escape(unit)})</span>' if unit else ""
    help_html = (
        f'<p class="help" id="{bound.auto_id}_helptext">{escape(bound.help_text)}</p>'
        if bound.help_text
        else ""
    )
    errors_html = (
        f'<div class="error" id="{bound.auto_id}_error">'
        + "".join(f"<p>{escape(e)}</p>" for e in errors)
        + "</div>"
        if errors
        else ""
    )
    css = "field has-error" if errors else "field"
    return mark_safe(
        f'<div class="{css}"><label for="{bound.auto_id}">{escape(bound.label)}{unit_html}'
        f"</label>{control_html(bound, errors)}{help_html}{errors_html}</div>"
    )


@register.simple_tag
def form_errors(form):
    """The errors for a result area (templates/_errors.html): the live fragment has no inputs, so
    each message names its field. Shared with the Jinja2 result templates."""
    items = "".join(f"<li>{escape(m)}</li>" for messages in form.errors.values() for m in messages)
    return mark_safe(
        '<div class="errors" role="alert" data-testid="errors">\n'
        "  <p><strong>Cannot calculate yet.</strong></p>\n"
        f"  <ul>\n    {items}\n  </ul>\n</div>"
    )
