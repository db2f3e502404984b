"""The one escaping helper for HTML written in Python (SVG figures, and the few blocks a
benchmark showed a template to be too slow for). The standard library's escape (the same five
characters as Jinja2's autoescape), on any value, returning plain text: markupsafe's escape
builds a Markup object per value, which costs 2.5 times as much (1.3 µs against 0.5 µs a value
on this project's machine) in loops that escape hundreds of values per request.

Most values have nothing to escape (numbers, labels, ids): five `in` tests find that in C and
return the text as it is, where html.escape would run five replace calls over it (the
flagship's recompute escapes about 75 values: 600 ns a value the long way, 330 ns this way,
timeit). Any of the five characters, and html.escape writes the answer, so the output is its.

`Markup` marks a finished piece of such HTML for the templates, which print it as it is."""

from html import escape as _escape

from markupsafe import Markup

__all__ = ["Markup", "escape"]


def escape(value) -> str:
    text = value if type(value) is str else str(value)
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return _escape(text)
    return text
