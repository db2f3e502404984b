"""{% field form.x %}: one labelled control with unit, help and errors, tied together for screen
readers (aria-describedby names the help and error ids written here; aria-invalid marks errors).

Written in Python, control included, because Django's widget rendering cost more than the
calculation on pages with twenty inputs. Handles the controls the kit uses (input, select,
textarea) and falls back to Django's own rendering for anything else."""

from typing import NamedTuple

from django import forms, template
from django.utils.safestring import mark_safe

from ..kit.html import escape

register = template.Library()


def flat_attrs(attrs: dict) -> str:
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {name}")
        elif value is not False and value is not None:
            parts.append(f' {name}="{escape(value)}"')
    return "".join(parts)


class StaticMarkup(NamedTuple):
    """What a field writes the same way on every request: all but its value and errors."""

    label: str
    help: str
    attrs: str  # the control's attributes, id and `required` included
    options: tuple[tuple[str, str, str], ...]  # a select's (value, escaped value, escaped text)


def static_markup(bound) -> StaticMarkup:
    """Built once per field: calculator forms share their field objects across requests and
    never change them (forms_base.SharedFields), so their labels, help and attributes are fixed.
    Kept on the field itself, keyed by id in case a form is ever bound under another auto_id."""
    field, widget, auto_id = bound.field, bound.field.widget, bound.auto_id
    kept = field.__dict__.setdefault("_static_markup", {})
    if auto_id in kept:
        return kept[auto_id]
    unit = getattr(field, "unit", "")
    unit_html = f' <span class="unit">({escape(unit)})</span>' if unit else ""
    attrs = dict(widget.attrs)
    # No `required` on a select: one without an empty first option is invalid HTML with it.
    if field.required and bound.form.use_required_attribute and not is_select(widget):
        attrs["required"] = True
    attrs["id"] = auto_id
    choices = getattr(field, "choices", ()) if is_select(widget) else ()
    kept[auto_id] = StaticMarkup(
        label=f'<label for="{auto_id}">{escape(bound.label)}{unit_html}</label>',
        help=(
            f'<p class="help" id="{auto_id}_helptext">{escape(field.help_text)}</p>'
            if field.help_text
            else ""
        ),
        attrs=flat_attrs(attrs),
        options=tuple((str(v), escape(v), escape(text)) for v, text in choices),
    )
    return kept[auto_id]


def is_select(widget) -> bool:
    return isinstance(widget, forms.Select)


def control_html(bound, errors, fixed: StaticMarkup) -> str:
    widget = bound.field.widget
    described = [f"{bound.auto_id}_helptext"] if fixed.help else []
    if errors:
        described.append(f"{bound.auto_id}_error")
    state = ' aria-invalid="true"' if errors else ""
    if described:
        state += f' aria-describedby="{" ".join(described)}"'
    name, value = escape(bound.html_name), bound.value()
    if is_select(widget):
        chosen = "" if value is None else str(value)
        options = "".join(
            f'<option value="{value}"{" selected" if v == chosen else ""}>{text}</option>'
            for v, value, text in fixed.options
        )
        return f'<select name="{name}"{fixed.attrs}{state}>{options}</select>'
    text = "" if value is None else escape(value)
    if isinstance(widget, forms.Textarea):
        # The newline after the tag keeps a value's own leading newline (HTML drops the first).
        return f'<textarea name="{name}"{fixed.attrs}{state}>\n{text}</textarea>'
    if isinstance(widget, forms.widgets.Input):
        kind = escape(widget.input_type)
        return f'<input type="{kind}" name="{name}" value="{text}"{fixed.attrs}{state}>'
    return str(bound)


@register.simple_tag
def field(bound):
    errors = bound.form.errors.get(bound.name)
    fixed = static_markup(bound)
    errors_html = (
        f'<div class="error" id="{bound.auto_id}_error">'
        + "".join(f"<p>{escape(e)}</p>" for e in errors)
        + "</div>"
        if errors
        else ""
    )
    css = "field has-error" if errors else "field"
    return mark_safe(
        f'<div class="{css}">{fixed.label}{control_html(bound, errors, fixed)}{fixed.help}'
        f"{errors_html}</div>"
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
