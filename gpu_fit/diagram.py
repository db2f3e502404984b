"""Geometry of the memory bar: weights, KV cache and overhead stacked against the card's VRAM.

Numbers and labels only; the template draws them as inline SVG.
"""

from dataclasses import dataclass

from calculators.catalog.memory import GIB

WIDTH, BAR_Y, BAR_H, HEIGHT = 640, 28, 34, 96


@dataclass(frozen=True)
class Segment:
    kind: str  # "weights", "kv", "overhead"
    label: str
    x: float
    w: float


@dataclass(frozen=True)
class MemoryBar:
    width: int
    height: int
    bar_y: int
    bar_h: int
    segments: tuple[Segment, ...]
    vram_x: float
    description: str

    @property
    def vram_anchor(self) -> str:
        """Keep the VRAM label inside the picture when the marker sits near the left edge."""
        return "end" if self.vram_x > 120 else "start"


def memory_bar(fit, vram_bytes: int, card_name: str) -> MemoryBar:
    scale = (WIDTH - 2) / max(fit.total_bytes, vram_bytes)
    parts = (
        ("weights", "Weights", fit.weights_bytes),
        ("kv", "KV cache", fit.kv_cache_bytes),
        ("overhead", "Overhead", fit.overhead_bytes),
    )
    segments, x = [], 1.0
    for kind, label, size in parts:
        w = size * scale
        segments.append(Segment(kind, label, round(x, 2), round(w, 2)))
        x += w
    verdict = "fits within" if fit.fits else "exceeds"
    description = (
        f"{fit.name}: weights in VRAM {fit.weights_bytes / GIB:.2f} GiB, KV cache "
        f"{fit.kv_cache_bytes / GIB:.2f} GiB and overhead {fit.overhead_bytes / GIB:.2f} GiB "
        f"make {fit.total_bytes / GIB:.2f} GiB, which {verdict} the {card_name}'s "
        f"{vram_bytes / GIB:.0f} GiB."
    )
    return MemoryBar(
        WIDTH, HEIGHT, BAR_Y, BAR_H, tuple(segments), round(1 + vram_bytes * scale, 2), description
    )
