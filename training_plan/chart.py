"""Geometry of the chosen plan's memory bar: one GPU's bytes stacked left to right against its
capacity. Numbers and labels only; the page template draws the SVG, with a table as its text
alternative."""

from dataclasses import dataclass

from calculators.catalog.memory import GIB
from calculators.kit.svg import number

WIDTH, BAR_Y, BAR_H, HEIGHT = 640, 28, 36, 96
# (the plan's field, the label, the site stylesheet's colour class shared with the activation page)
PARTS = (
    ("weights", "Weights", "weights"),
    ("gradients", "Gradients", "gradients"),
    ("optimizer_states", "Optimizer states", "optimizer"),
    ("activations", "Activations", "activations"),
    ("buffers", "Recompute and loss buffers", "working"),
)


@dataclass(frozen=True)
class Segment:
    key: str  # colour class
    label: str
    bytes: int
    x: str  # SVG coordinates, written once here
    w: str


@dataclass(frozen=True)
class Marker:
    label: str
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


def memory_bar(memory, capacity: int, usable: int) -> Bar:
    parts = [(css, label, getattr(memory, field)) for field, label, css in PARTS]
    need = memory.total
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
