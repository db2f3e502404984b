"""Form widgets that write their HTML in Python.

Django renders each widget through templates, which cost more than the whole calculation on
these pages; the markup here is the same (name, id, value, HTML5 bounds, aria attributes).
"""

from django import forms
from django.utils.html import escape
from django.utils.safestring import mark_safe


def flat_attrs(attrs: dict) -> str:
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {name}")
        elif value is not False and value is not None:
            parts.append(f' {name}="{escape(value)}"')
    return "".join(parts)


class NumberInput(forms.NumberInput):
    def _render(self, template_name, context, renderer=None):
        w = context["widget"]
        value = "" if w["value"] is None else w["value"]
        return mark_safe(
            f'<input type="{w["type"]}" name="{escape(w["name"])}" value="{escape(value)}"'
            f"{flat_attrs(w['attrs'])}>"
        )


class Textarea(forms.Textarea):
    def _render(self, template_name, context, renderer=None):
        w = context["widget"]
        value = "" if w["value"] is None else w["value"]
        name, attrs = escape(w["name"]), flat_attrs(w["attrs"])
        # The newline after the tag keeps a value's own leading newline (HTML drops the first).
        return mark_safe(f'<textarea name="{name}"{attrs}>\n{escape(value)}</textarea>')


class Select(forms.Select):
    def _render(self, template_name, context, renderer=None):
        w = context["widget"]
        options = "".join(
            f'<option value="{escape(o["value"])}"{" selected" if o["selected"] else ""}>'
            f"{escape(o['label'])}</option>"
            for _, group, _ in w["optgroups"]
            for o in group
        )
        return mark_safe(
            f'<select name="{escape(w["name"])}"{flat_attrs(w["attrs"])}>{options}</select>'
        )
