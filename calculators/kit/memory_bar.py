"""A memory bar: one GPU's bytes stacked left to right against its capacity, with markers at
the usable memory and the capacity. ui.memory_bar prints it in a figure with its description as
the caption, and each tool adds a table of the same numbers as its text alternative. Used by
activation memory and the training planner (the GPU pages draw their own, with a legend)."""

from dataclasses import dataclass

from calculators.catalog.memory import GIB

from .html import Markup, escape
from .numbers import gib
from .svg import number

WIDTH, BAR_Y, BAR_H, HEIGHT = 640, 28, 36, 96


@dataclass(frozen=True)
class Segment:
    key: str  # the colour class, svg-mem-<key> in the site stylesheet
    label: str
    bytes: int
    x: str  # SVG coordinates, written once here
    w: str


@dataclass(frozen=True)
class Marker:
    label: str  # "usable" or "capacity"
    bytes: int
    x: str
    anchor: str  # labels near the left edge run rightwards, to stay inside the picture


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
            f"<title>{escape(s.label)}: {gib(s.bytes)}</title></rect>"
            for s in self.segments
        )
        lines = "".join(
            f'<line class="svg-marker-{escape(m.label)}" x1="{m.x}" x2="{m.x}" y1="{y - 8}" '
            f'y2="{y + h + 8}"/>'
            for m in self.markers
        )
        labels = "".join(
            f'<text class="svg-label" x="{m.x}" y="14" text-anchor="{m.anchor}">'
            f"{gib(m.bytes)} capacity</text>"
            if m.label == "capacity"
            else f'<text class="svg-label" x="{m.x}" y="{height - 6}" text-anchor="{m.anchor}">'
            f"usable {gib(m.bytes)}</text>"
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
    """`parts` are (colour key, label, bytes) in stacking order."""
    need = sum(nbytes for _, _, nbytes in parts)
    scale = (WIDTH - 2) / max(need, capacity, 1)
    x = 1.0
    segments = []
    for key, label, nbytes in parts:
        w = nbytes * scale
        segments.append(Segment(key, label, nbytes, number(round(x, 2)), number(round(w, 2))))
        x += w
    markers = []
    for label, nbytes in (("usable", usable), ("capacity", capacity)):
        at = 1 + nbytes * scale
        anchor = "start" if at < WIDTH / 2 else "end"
        markers.append(Marker(label, nbytes, number(round(at, 2)), anchor))
    verdict = "fits within" if need <= usable else "exceeds"
    listed = "; ".join(f"{label} {nbytes / GIB:,.2f} GiB" for _, label, nbytes in parts)
    description = (
        f"Memory on the most loaded GPU: {listed}. Total {need / GIB:,.2f} GiB, which {verdict} "
        f"the usable {usable / GIB:,.2f} GiB of {capacity / GIB:,.2f} GiB."
    )
    return Bar(WIDTH, HEIGHT, BAR_Y, BAR_H, segments, markers, description, need)
