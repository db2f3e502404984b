"""{% live_form_attrs %}: the attributes that make a calculator form recompute as you type.

One definition for every tool: a plain GET form to this URL (works without JavaScript), which
htmx submits on each change and whose answer replaces #result, keeping the address bar a
permalink. Every control (text, number, select, textarea) fires `input`, so no `change` trigger:
it would send the same scenario again on blur and swap the result under a click. `queue last`
instead of `replace`: htmx logs an aborted request as an error, and a recompute takes a few
milliseconds, so waiting for it costs nothing."""

from django import template
from django.utils.safestring import mark_safe

from ..kit.html import escape

register = template.Library()

TRIGGER = "input changed delay:120ms, submit"


@register.simple_tag(takes_context=True)
def live_form_attrs(context):
    path = escape(context["request"].path)
    return mark_safe(
        f'method="get" action="{path}" hx-get="{path}" hx-trigger="{TRIGGER}" '
        'hx-target="#result" hx-sync="this:queue last" hx-replace-url="true"'
    )


FORM_ACTIONS = (
    '<p id="inputs-note" class="help">Results update as you type; the address bar is always a '
    "permalink to this scenario. Nothing you enter is stored.</p>"
    '<div class="actions"><button type="submit">Calculate</button>'
    # Hidden until site.js wires it: without JavaScript there is nothing to copy with.
    '<button type="button" class="secondary" data-copy-link hidden>Copy link</button>'
    '<span class="copy-status" data-copy-status role="status"></span></div>'
)


@register.simple_tag
def live_form_actions():
    """The note, the no-JS submit button and Copy link that end every calculator form."""
    return mark_safe(FORM_ACTIONS)
