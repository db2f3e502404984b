"""Layout of the one-optimizer-step picture: data-parallel ranks x micro-steps, then one
all-reduce and one optimizer step. Long axes are condensed to first items, a gap, the last.

Geometry first (numbers and labels, easy to test), then `step_svg` writes the markup.
"""

from dataclasses import dataclass
from typing import NamedTuple

from .kit.html import Markup, escape
from .kit.svg import Figure, figure_svg

CELL_W, CELL_H, GAP = 40, 26, 6
LABEL_W, TOP = 78, 26
MAX_STEPS_SHOWN, MAX_RANKS_SHOWN = 8, 4
# The all-reduce and optimizer-step boxes carry their names rotated: "optimizer step" at 11 px
# needs about 80 px, more than one or two GPU rows are tall.
SIDE_MIN_H = 92


class Box(NamedTuple):  # a tuple: cheap to build, and a diagram has dozens
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
    rank_cells: list[Box]  # one GPU's micro-steps, top row; every GPU row repeats them
    row_labels: list[Box]  # one per row drawn, top to bottom: "GPU n", or "⋮" for elided GPUs
    side: list[Box]  # the all-reduce and the optimizer step, spanning every row
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
    column_labels, rank_cells = [], []
    for c, step in enumerate(columns):
        x = LABEL_W + c * (CELL_W + GAP)
        column_labels.append(Box(x, 0, CELL_W, TOP - 6, "…" if step is None else str(step), "col"))
        if step is None:
            rank_cells.append(Box(x, TOP, CELL_W, CELL_H, "", "ellipsis"))
        else:
            rank_cells.append(Box(x, TOP, CELL_W, CELL_H, str(micro_batch), "micro"))
    row_labels = [
        Box(
            0,
            TOP + r * (CELL_H + GAP),
            LABEL_W - GAP,
            CELL_H,
            "⋮" if rank is None else f"GPU {rank - 1}",
            "row",
        )
        for r, rank in enumerate(rows)
    ]
    grid_right = LABEL_W + len(columns) * (CELL_W + GAP)
    grid_h = len(rows) * (CELL_H + GAP) - GAP
    side_h = max(grid_h, SIDE_MIN_H)
    side = [
        Box(grid_right + GAP, TOP, 30, side_h, "all-reduce", "reduce"),
        Box(grid_right + GAP + 40, TOP, 64, side_h, "optimizer step", "step"),
    ]
    width = grid_right + GAP + 40 + 64 + 2
    description = (
        f"One optimizer step: each of {dp:,} data-parallel GPU{'s' if dp != 1 else ''} runs "
        f"{steps:,} micro-step{'s' if steps != 1 else ''} of {micro_batch:,} sequence"
        f"{'s' if micro_batch != 1 else ''}, adding up gradients locally; then one all-reduce "
        "averages the gradients across GPUs and the optimizer updates the weights once."
    )
    return Diagram(
        width, TOP + side_h + 4, rank_cells, row_labels, side, column_labels, description
    )


def mid(start: int, size: int) -> str:
    """f"{start + size / 2:g}", the centre of a box as the figure writes it, without formatting
    a float when the centre is whole (it always is here: every size is even): the figure's SVG
    took 0.41 M CPU instructions of the flagship's recompute with the floats, 0.35 M without
    (callgrind)."""
    doubled = 2 * start + size
    if doubled % 2 == 0 and -2_000_000 < doubled < 2_000_000:  # where :g writes whole digits
        return str(doubled // 2)
    return f"{start + size / 2:g}"


def box_markup(b: Box) -> str:
    # Plain f-strings: this runs for every cell on every recompute. Labels are digits or
    # fixed words, escaped all the same. Centring comes from the stylesheet (.svg-on-box).
    cx, cy = mid(b.x, b.w), mid(b.y, b.h)
    if b.kind == "ellipsis":
        return f'<text class="svg-muted" x="{cx}" y="{cy}">…</text>'
    turn = "" if b.kind == "micro" else f' transform="rotate(-90 {cx} {cy})"'
    return (
        f'<rect class="svg-{b.kind}" x="{b.x}" y="{b.y}" width="{b.w}" height="{b.h}" rx="4"/>'
        f'<text class="svg-on-box" x="{cx}" y="{cy}"{turn}>{escape(b.label)}</text>'
    )


RANK_ROW_ID = "step-diagram-rank"


def grid_markup(d: Diagram) -> list[str]:
    """The first GPU row is drawn once and the others are <use> copies shifted down: a third
    of the markup to write and to send on each recompute. The "⋮" row holds only ellipses."""
    cells = "".join(box_markup(b) for b in d.rank_cells)
    body = [f'<g id="{RANK_ROW_ID}">{cells}</g>']
    for label in d.row_labels[1:]:
        shift = label.y - TOP
        if label.label == "⋮":
            body += [
                f'<text class="svg-muted" x="{mid(b.x, b.w)}" y="{mid(b.y + shift, b.h)}">…</text>'
                for b in d.rank_cells
            ]
        else:
            body.append(f'<use href="#{RANK_ROW_ID}" y="{shift}"/>')
    return body


def step_svg(d: Diagram) -> str:
    body = [
        f'<text class="svg-label" x="{mid(b.x, b.w)}" y="{b.h}" text-anchor="middle">'
        f"{b.label}</text>"
        for b in d.column_labels
    ]
    body += [
        f'<text class="svg-label" x="{b.w}" y="{mid(b.y, b.h)}" text-anchor="end" '
        f'dominant-baseline="middle">{escape(b.label)}</text>'
        for b in d.row_labels
    ]
    body += grid_markup(d)
    body += [box_markup(b) for b in d.side]
    return figure_svg(
        d.width,
        d.height,
        "One optimizer step",
        d.description,
        body,
        id_prefix="step-diagram",
        data_testid="step-diagram",
    )


# --- Pipeline stages -------------------------------------------------------------------------

PIPE_LABEL_W, PIPE_ROW_H, PIPE_GAP, PIPE_TRACK_W = 70, 24, 6, 420
MAX_STAGES_SHOWN, MAX_CELLS_DRAWN = 6, 24


@dataclass(frozen=True)
class Span:
    x: float
    y: float
    w: float
    h: float
    kind: str  # "work" or "idle"
    label: str = ""

    @property
    def cx(self) -> float:
        return round(self.x + self.w / 2, 1)

    @property
    def cy(self) -> float:
        return round(self.y + self.h / 2, 1)


@dataclass(frozen=True)
class PipelineDiagram:
    width: int
    height: int
    spans: list[Span]
    row_labels: list[Box]
    description: str


def pipeline_diagram(pp: int, vpp: int, microbatches: int) -> PipelineDiagram:
    """One flush of a 1F1B pipeline, each micro-batch's forward+backward as one time unit.

    Stage s idles s/v units before its first micro-batch and (p - 1 - s)/v after its last, so
    every row shows the same (p - 1)/v bubble that Narayanan et al. (2021) derive.
    """
    bubble_units = (pp - 1) / vpp
    total_units = microbatches + bubble_units
    unit = PIPE_TRACK_W / total_units
    spans, labels = [], []
    for row, stage in enumerate(condensed(pp, MAX_STAGES_SHOWN)):
        y = row * (PIPE_ROW_H + PIPE_GAP)
        if stage is None:
            labels.append(Box(0, y, PIPE_LABEL_W - PIPE_GAP, PIPE_ROW_H, "⋮", "row"))
            continue
        labels.append(Box(0, y, PIPE_LABEL_W - PIPE_GAP, PIPE_ROW_H, f"stage {stage}", "row"))
        before = (stage - 1) / vpp * unit
        x = PIPE_LABEL_W
        if before:
            spans.append(Span(x, y, round(before, 1), PIPE_ROW_H, "idle"))
        x += before
        if microbatches <= MAX_CELLS_DRAWN:
            for number in range(1, microbatches + 1):
                cell_x = round(x + (number - 1) * unit, 1)
                spans.append(Span(cell_x, y, round(max(unit - 1, 1), 1), PIPE_ROW_H, "work"))
        else:
            label = f"{microbatches:,} micro-batches"
            spans.append(
                Span(round(x, 1), y, round(microbatches * unit, 1), PIPE_ROW_H, "work", label)
            )
        after = (pp - stage) / vpp * unit
        if after:
            spans.append(
                Span(round(x + microbatches * unit, 1), y, round(after, 1), PIPE_ROW_H, "idle")
            )
    rows = len(labels)
    share = bubble_units / total_units
    description = (
        f"One pipeline flush over {pp:,} stages with {microbatches:,} micro-batch"
        f"{'es' if microbatches != 1 else ''} and {vpp} model chunk{'s' if vpp != 1 else ''} per "
        f"GPU: every stage works for {microbatches:,} micro-batch slots and idles for "
        f"{bubble_units:.3g} (dashed blocks), {bubble_units / microbatches:.1%} of the ideal "
        f"time and {share:.1%} of the total."
    )
    return PipelineDiagram(
        PIPE_LABEL_W + PIPE_TRACK_W + 2,
        rows * (PIPE_ROW_H + PIPE_GAP) - PIPE_GAP,
        spans,
        labels,
        description,
    )


# --- What the result template prints ---------------------------------------------------------


def step_figure(plan) -> Figure:
    a = plan.accumulation
    d = step_diagram(a.data_parallel_size, a.accumulation_steps, plan.inputs.micro_batch)
    return Figure(Markup(step_svg(d)), d.description)


def pipeline_layout(plan) -> PipelineDiagram:
    """The flush, drawn by calculators/_pipeline_diagram.html."""
    pipe = plan.pipeline
    return pipeline_diagram(pipe.pp, pipe.vpp, pipe.microbatches)
