"""Blocks of the flagship's live result written in Python: the eight framework snippets
({% config_snippets %}) and the published-recipe rows ({% recipe_rows %}).

The same markup as a template loop would give, at a fraction of the cost: these are part of
every live recompute. Every text is escaped."""

from django import template
from django.utils.safestring import mark_safe

from ..html import escape
from .numbers import exact, human, times

register = template.Library()

NOTE_LABELS = {"rejects": "Refused", "warning": "Check"}


def snippet_html(s) -> str:
    fw = escape(s.framework)
    title = escape(s.title)
    rejected = ' data-rejected="true"' if s.rejected else ""
    badge = ' <span class="badge">cannot run this as is</span>' if s.rejected else ""
    notes = "".join(
        f'<li class="note-{escape(note.kind)}"><strong>{NOTE_LABELS.get(note.kind, "Note")}:'
        f"</strong> {escape(note.text)}</li>"
        for note in s.notes
    )
    return (
        f'<details class="config" id="config-{fw}" data-testid="config-{fw}"{rejected}>'
        f"<summary>{title}{badge}</summary>"
        f'<div class="snippet"><button type="button" class="secondary copy-snippet" '
        f'data-copy-text="config-{fw}-text" hidden>Copy<span class="visually-hidden"> {title}'
        f'</span></button><pre id="config-{fw}-text" data-format="{escape(s.format)}"><code>'
        f"{escape(s.text)}</code></pre></div>"
        f'<ul class="config-notes">{notes}</ul></details>'
    )


@register.simple_tag
def config_snippets(snippets):
    return mark_safe("\n".join(snippet_html(s) for s in snippets))


@register.simple_tag
def recipe_rows(recipes):
    """The published-recipe comparison rows (part of every recompute)."""
    return mark_safe(
        "".join(
            f'<tr><td><a href="{escape(r.url)}">{escape(r.name)}</a> '
            f'<span class="muted">{escape(r.source)}</span></td>'
            f"<td>{human(r.tokens_per_step)} "
            f'<span class="muted">({exact(r.tokens_per_step)})</span></td>'
            f"<td>{times(r.ratio)}</td></tr>"
            for r in recipes
        )
    )
