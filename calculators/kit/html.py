"""The one escaping helper for HTML written in Python (SVG figures, and the few blocks a
benchmark showed a template to be too slow for), and the escaper Jinja2's autoescape uses here
(calculators/kit/jinja.py): the same five characters replaced by the same entities, so a piece
of HTML is the same bytes whether a template or Python wrote it.

`escape` takes any value and returns plain text: markupsafe.escape wraps each answer in a new
Markup object, which costs more than the escaping (timeit on this project's machine, a model
name: 1.2 µs through markupsafe.escape, 0.16 µs here; an int 1.4 against 0.3 µs) in loops that
escape hundreds of values per request. A value that is
already Markup is escaped as text too: Python-written HTML is put together from escaped parts
and marked finished only once, with `Markup`, for the templates, which print it as it is."""

from markupsafe import Markup

__all__ = ["Markup", "escape", "escape_text"]


def escape_text_python(text: str) -> str:
    """markupsafe's escaping of a str, in Python: the fallback below."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


try:
    # markupsafe's own escaper, in C: the function markupsafe.escape calls before it wraps the
    # answer in Markup; a str with nothing to escape comes back as it is. A private name, so a
    # markupsafe without it falls back to the same five replacements in Python
    # (tests/kit/test_jinja_escape.py compares both with markupsafe).
    from markupsafe import _escape_inner as escape_text
except ImportError:  # pragma: no cover
    escape_text = escape_text_python


def escape(value) -> str:
    return escape_text(value if type(value) is str else str(value))
