"""Layout of the one-optimizer-step picture: data-parallel ranks x micro-steps, then one
all-reduce and one optimizer step. Long axes are condensed to first items, a gap, the last.

Pure geometry (numbers and labels); the template draws it as inline SVG.
"""

from dataclasses import dataclass

CELL_W, CELL_H, GAP = 40, 26, 6
LABEL_W, TOP = 78, 26
MAX_STEPS_SHOWN, MAX_RANKS_SHOWN = 8, 4


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int
    label: str
    kind: str  # "micro", "ellipsis", "reduce", "step"

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True)
class Diagram:
    width: int
    height: int
    boxes: list[Box]
    row_labels: list[Box]
    column_labels: list[Box]
    description: str


def condensed(count: int, shown: int) -> list[int | None]:
    """1-based indices to draw; None marks the elided middle."""
    if count <= shown:
        return list(range(1, count + 1))
    return [*range(1, shown - 1), None, count]


def step_diagram(dp: int, steps: int, micro_batch: int) -> Diagram:
    columns = condensed(steps, MAX_STEPS_SHOWN)
    rows = condensed(dp, MAX_RANKS_SHOWN)
    boxes, row_labels, column_labels = [], [], []
    for c, step in enumerate(columns):
        x = LABEL_W + c * (CELL_W + GAP)
        column_labels.append(Box(x, 0, CELL_W, TOP - 6, "…" if step is None else str(step), "col"))
    for r, rank in enumerate(rows):
        y = TOP + r * (CELL_H + GAP)
        row_labels.append(
            Box(0, y, LABEL_W - GAP, CELL_H, "⋮" if rank is None else f"GPU {rank - 1}", "row")
        )
        for c, step in enumerate(columns):
            x = LABEL_W + c * (CELL_W + GAP)
            elided = rank is None or step is None
            label = "" if elided else str(micro_batch)
            boxes.append(Box(x, y, CELL_W, CELL_H, label, "ellipsis" if elided else "micro"))
    grid_right = LABEL_W + len(columns) * (CELL_W + GAP)
    grid_h = len(rows) * (CELL_H + GAP) - GAP
    boxes.append(Box(grid_right + GAP, TOP, 30, grid_h, "all-reduce", "reduce"))
    boxes.append(Box(grid_right + GAP + 40, TOP, 64, grid_h, "optimizer step", "step"))
    width = grid_right + GAP + 40 + 64 + 2
    description = (
        f"One optimizer step: each of {dp:,} data-parallel GPU{'s' if dp != 1 else ''} runs "
        f"{steps:,} micro-step{'s' if steps != 1 else ''} of {micro_batch:,} sequence"
        f"{'s' if micro_batch != 1 else ''}, adding up gradients locally; then one all-reduce "
        "averages the gradients across GPUs and the optimizer updates the weights once."
    )
    return Diagram(width, TOP + grid_h + 4, boxes, row_labels, column_labels, description)
