"""Geometry of a memory bar: one GPU's bytes stacked left to right against its capacity, with
markers at the usable memory and the capacity. Numbers and labels only: ui.memory_bar draws it
as inline SVG, and each tool adds a table of the same numbers as its text alternative. Used by
activation memory and the training planner (the GPU pages draw their own, with a legend)."""

from dataclasses import dataclass

from calculators.catalog.memory import GIB

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
