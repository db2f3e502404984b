"""The framework snippets of the flagship's live result, written in Python because a benchmark
says so: the eight of them cost about 400 µs per recompute as a Jinja2 macro (320 µs as an inline
template loop) against 58 µs here, on a recompute of 3.4 ms (CPU time, in-process, this
project's machine), and a recompute runs on every keystroke. Every text goes through the kit's
one escaping helper."""

from .kit.html import Markup, escape

NOTE_LABELS = {"rejects": "Refused", "warning": "Check"}


def snippet_html(s) -> str:
    """One framework's configuration, folded, with a Copy button (shown by site.js) and the
    notes that say what the framework checks and what it would refuse."""
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


def config_snippets(snippets) -> Markup:
    return Markup("\n".join(snippet_html(s) for s in snippets))
