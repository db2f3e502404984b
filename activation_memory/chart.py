"""Geometry of the memory bar: one GPU's bytes stacked left to right against its capacity.

Pure numbers and labels; the template draws them as inline SVG with a table as text alternative.
"""

from dataclasses import dataclass

from calculators.catalog.memory import GIB

WIDTH, BAR_Y, BAR_H, HEIGHT = 640, 28, 36, 96


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    bytes: int
    x: float
    w: float


@dataclass(frozen=True)
class Marker:
    label: str
    bytes: int
    x: float

    @property
    def anchor(self) -> str:
        """Labels near the left edge run rightwards so they stay inside the picture."""
        return "start" if self.x < WIDTH / 2 else "end"


@dataclass(frozen=True)
class Bar:
    width: int
    height: int
    bar_y: int
    bar_h: int
    segments: list[Segment]
    markers: list[Marker]
    description: str


def memory_bar(parts: list[tuple[str, str, int]], capacity: int, usable: int) -> Bar:
    """`parts` are (key, label, bytes) in stacking order."""
    need = sum(nbytes for _, _, nbytes in parts)
    scale = (WIDTH - 2) / max(need, capacity, 1)
    x = 1.0
    segments = []
    for key, label, nbytes in parts:
        w = nbytes * scale
        segments.append(Segment(key, label, nbytes, round(x, 2), round(w, 2)))
        x += w
    markers = [
        Marker("usable", usable, round(1 + usable * scale, 2)),
        Marker("capacity", capacity, round(1 + capacity * scale, 2)),
    ]
    verdict = "fits within" if need <= usable else "exceeds"
    listed = "; ".join(f"{label} {nbytes / GIB:,.2f} GiB" for _, label, nbytes in parts)
    description = (
        f"Memory on the most loaded GPU: {listed}. Total {need / GIB:,.2f} GiB, which {verdict} "
        f"the usable {usable / GIB:,.2f} GiB of {capacity / GIB:,.2f} GiB."
    )
    return Bar(WIDTH, HEIGHT, BAR_Y, BAR_H, segments, markers, description)
