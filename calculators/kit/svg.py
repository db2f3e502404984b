"""Tiny inline-SVG writer: one element per call, every text and attribute escaped.

Figures belong in templates unless a measurement says otherwise. Measured with callgrind (50
renders each, the same bytes out): the flagship's pipeline flush costs 3.61 M instructions as
a Jinja2 loop against 5.07 M through `element` here, so it is a template
(calculators/_pipeline_diagram.html); the pictures redrawn on every recompute are plain
f-strings, cheaper still: the step picture 0.33 M against 1.00 M as a template, the metric
charts 0.98 M against 2.62 M through `element` (eval_metrics/charts.py). What is left here
is the <svg> wrapper of the step picture and the reference the metric charts' f-strings are
tested against (tests/eval_metrics/test_fast_paths.py)."""

from functools import cache
from typing import NamedTuple

from .html import Markup, escape


class Figure(NamedTuple):
    """A drawn figure as the templates print it: its SVG, escaped as it was written, and its
    text alternative, for the caption."""

    svg: Markup
    description: str


def number(value) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


@cache
def attr_name(keyword: str) -> str:
    """Python keyword to SVG attribute: class_ -> class, text_anchor -> text-anchor."""
    return keyword.rstrip("_").replace("_", "-")


def attr_value(value) -> str:
    return number(value) if isinstance(value, int | float) else escape(str(value))


_names: dict[str, str] = {}


def attrs(values: dict) -> str:
    # One loop with the common types tested first, not a generator of helper calls: a chart
    # writes a few hundred of these a request, and this way an element costs a quarter fewer
    # CPU instructions (callgrind: 33.4K against 44.6K for a five-attribute <line>).
    out = ""
    for key, value in values.items():
        if value is None:
            continue
        name = _names.get(key) or _names.setdefault(key, attr_name(key))
        kind = type(value)
        if kind is float:
            text = f"{value:.2f}".rstrip("0").rstrip(".")
        elif kind is int:
            text = str(value)
        else:
            text = attr_value(value)
        out += f' {name}="{text}"'
    return out


def element(tag: str, content: str = "", **values) -> str:
    """<tag attr="…">content</tag>; content must already be markup (use `text` for words)."""
    return f"<{tag}{attrs(values)}>{content}</{tag}>" if content else f"<{tag}{attrs(values)}/>"


def text(x, y, words: str, **values) -> str:
    return element("text", escape(words), x=x, y=y, **values)


def figure_svg(width, height, title: str, description: str, body: list[str], **values) -> str:
    """A labelled <svg role="img"> whose <title> and <desc> are its text alternative."""
    slug = values.pop("id_prefix", "svg")
    head = element("title", escape(title), id=f"{slug}-title") + element(
        "desc", escape(description), id=f"{slug}-desc"
    )
    return element(
        "svg",
        head + "".join(body),
        viewBox=f"0 0 {number(width)} {number(height)}",
        width=width,
        height=height,
        role="img",
        aria_labelledby=f"{slug}-title {slug}-desc",
        **values,
    )
