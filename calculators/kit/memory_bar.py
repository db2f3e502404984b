"""A memory bar: one GPU's bytes stacked left to right against its capacity, with markers at
the usable memory and the capacity. ui.memory_bar prints it in a figure with its description as
the caption, and each tool adds a table of the same numbers as its text alternative. Used by
activation memory and the training planner (the GPU pages draw their own, with a legend)."""

from dataclasses import dataclass
from typing import NamedTuple

from .html import Markup, escape
from .numbers import gib

WIDTH, BAR_Y, BAR_H, HEIGHT = 640, 28, 36, 96


class Segment(NamedTuple):
    key: str  # the colour class, svg-mem-<key> in the site stylesheet
    label: str
    bytes: int
    x: str  # SVG coordinates, written once here
    w: str
    gib: str  # the bytes as numbers.gib writes them, once for the caption, the SVG and a table


class Marker(NamedTuple):
    label: str  # "usable" or "capacity"
    bytes: int
    x: str
    anchor: str  # labels near the left edge run rightwards, to stay inside the picture
    gib: str


@dataclass(frozen=True)
class Bar:
    width: int
    height: int
    bar_y: int
    bar_h: int
    segments: list[Segment]
    markers: list[Marker]
    description: str
    total: int

    def svg(self) -> Markup:
        """The bar as inline SVG. Written here rather than as loops in the ui.memory_bar macro:
        the macro's SVG cost 0.23 M CPU instructions of the activation fragment's 1.4 M, this
        about 0.04 M (callgrind). Coordinates and GiB figures are digits; text is escaped."""
        y, h, width, height = self.bar_y, self.bar_h, self.width, self.height
        rects = "".join(
            f'<rect class="svg-mem-{escape(s.key)}" x="{s.x}" y="{y}" width="{s.w}" height="{h}">'
            f"<title>{escape(s.label)}: {s.gib}</title></rect>"
            for s in self.segments
        )
        lines = "".join(
            f'<line class="svg-marker-{escape(m.label)}" x1="{m.x}" x2="{m.x}" y1="{y - 8}" '
            f'y2="{y + h + 8}"/>'
            for m in self.markers
        )
        labels = "".join(
            f'<text class="svg-label" x="{m.x}" y="14" text-anchor="{m.anchor}">'
            f"{m.gib} capacity</text>"
            if m.label == "capacity"
            else f'<text class="svg-label" x="{m.x}" y="{height - 6}" text-anchor="{m.anchor}">'
            f"usable {m.gib}</text>"
            for m in self.markers
        )
        return Markup(
            f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            'aria-labelledby="bar-title bar-desc" data-testid="memory-bar">\n'
            '      <title id="bar-title">Memory on the most loaded GPU against its capacity'
            "</title>\n"
            f'      <desc id="bar-desc">{escape(self.description)}</desc>\n'
            f'      <rect class="svg-track" x="1" y="{y}" width="{width - 2}" height="{h}"/>\n'
            f"      {rects}\n      {lines}\n      {labels}\n    </svg>"
        )


def memory_bar(parts: list[tuple[str, str, int]], capacity: int, usable: int) -> Bar:
    """`parts` are (colour key, label, bytes) in stacking order.

    Each figure is formatted once, here, and the caption, the SVG and a tool's table print the
    same text; coordinates are written as svg.number(round(x, 2)) would write them, in one
    format call (tests/kit/test_memory_bar.py compares the two). Segments and markers are named
    tuples, not frozen dataclasses, which set each field through object.__setattr__. Callgrind,
    the planner's five-part bar: 0.21M CPU instructions to build and 0.11M to draw before,
    0.13M and 0.085M this way."""
    need = sum(nbytes for _, _, nbytes in parts)
    scale = (WIDTH - 2) / max(need, capacity, 1)
    x = 1.0
    segments = []
    for key, label, nbytes in parts:
        w = nbytes * scale
        segments.append(Segment(key, label, nbytes, coordinate(x), coordinate(w), gib(nbytes)))
        x += w
    markers = []
    for label, nbytes in (("usable", usable), ("capacity", capacity)):
        at = 1 + nbytes * scale
        anchor = "start" if at < WIDTH / 2 else "end"
        markers.append(Marker(label, nbytes, coordinate(at), anchor, gib(nbytes)))
    verdict = "fits within" if need <= usable else "exceeds"
    listed = "; ".join([f"{s.label} {s.gib}" for s in segments])
    description = (
        f"Memory on the most loaded GPU: {listed}. Total {gib(need)}, which {verdict} "
        f"the usable {markers[0].gib} of {markers[1].gib}."
    )
    return Bar(WIDTH, HEIGHT, BAR_Y, BAR_H, segments, markers, description, need)


def coordinate(value: float) -> str:
    """svg.number(round(value, 2)) for a float: both round the exact binary value to two
    decimals correctly (ties to even), then trailing zeros and a bare point go."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
