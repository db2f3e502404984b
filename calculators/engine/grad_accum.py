"""Gradient accumulation: global batch = micro-batch x data-parallel size x accumulation steps.

All counts are integers; the only float is the exact (unrounded) accumulation ratio.
"""

from dataclasses import dataclass

from . import InputError
from .lr import linear_lr, sqrt_lr
from .recipes import RECIPES

ROUNDING_MODES = ("nearest", "up", "down")


@dataclass(frozen=True)
class AccumulationInput:
    global_batch: int
    micro_batch: int
    gpus: int
    seq_len: int
    rounding: str = "nearest"
    tp: int = 1
    pp: int = 1
    cp: int = 1


@dataclass(frozen=True)
class AccumulationResult:
    data_parallel_size: int
    samples_per_micro_step: int
    exact_accumulation: float
    accumulation_steps: int
    is_clean_multiple: bool
    effective_global_batch: int
    batch_below: int
    batch_above: int
    tokens_per_micro_step: int
    tokens_per_step: int
    deviation_below_pct: float
    deviation_above_pct: float
    deviation_pct: float
    target_below_one_micro_step: bool


def data_parallel_size(gpus: int, tp: int = 1, pp: int = 1, cp: int = 1) -> int:
    model_parallel = tp * pp * cp
    if gpus % model_parallel:
        raise InputError(
            "gpus",
            f"GPUs ({gpus}) must be a multiple of TP x PP x CP = {tp} x {pp} x {cp} = "
            f"{model_parallel}, so every model replica gets whole GPUs.",
        )
    return gpus // model_parallel


def pick_steps(target: int, per_step: int, rounding: str) -> int:
    """Accumulation steps for `target` samples when one micro-step covers `per_step`.

    Never fewer than one step: an optimizer step needs at least one micro-step.
    """
    if rounding not in ROUNDING_MODES:
        raise InputError("rounding", f"Rounding must be one of: {', '.join(ROUNDING_MODES)}.")
    below, remainder = divmod(target, per_step)
    if remainder == 0:
        steps = below
    elif rounding == "up":
        steps = below + 1
    elif rounding == "down":
        steps = below
    else:
        # Ties go up: the larger batch keeps at least the target's gradient-noise reduction.
        steps = below + 1 if 2 * remainder >= per_step else below
    return max(1, steps)


def signed_pct(value: int, target: int) -> float:
    return (value - target) / target * 100.0


def accumulate(inp: AccumulationInput) -> AccumulationResult:
    dp = data_parallel_size(inp.gpus, inp.tp, inp.pp, inp.cp)
    per_step = inp.micro_batch * dp
    steps = pick_steps(inp.global_batch, per_step, inp.rounding)
    below_steps, remainder = divmod(inp.global_batch, per_step)
    batch_below = max(1, below_steps) * per_step
    batch_above = (below_steps + (1 if remainder else 0)) * per_step if below_steps else per_step
    effective = steps * per_step
    return AccumulationResult(
        data_parallel_size=dp,
        samples_per_micro_step=per_step,
        exact_accumulation=inp.global_batch / per_step,
        accumulation_steps=steps,
        is_clean_multiple=remainder == 0,
        effective_global_batch=effective,
        batch_below=batch_below,
        batch_above=batch_above,
        tokens_per_micro_step=per_step * inp.seq_len,
        tokens_per_step=effective * inp.seq_len,
        deviation_below_pct=signed_pct(batch_below, inp.global_batch),
        deviation_above_pct=signed_pct(batch_above, inp.global_batch),
        deviation_pct=signed_pct(effective, inp.global_batch),
        target_below_one_micro_step=inp.global_batch < per_step,
    )


@dataclass(frozen=True)
class Split:
    micro_batch: int
    accumulation_steps: int


def exact_micro_batches(global_batch: int, dp: int, up_to: int) -> list[Split]:
    """Micro-batch sizes 1..up_to whose micro-step divides the target exactly."""
    return [
        Split(mb, global_batch // (mb * dp))
        for mb in range(1, up_to + 1)
        if global_batch % (mb * dp) == 0
    ]


@dataclass(frozen=True)
class RecipeComparison:
    name: str
    tokens_per_step: int
    ratio: float  # ours / theirs
    source: str
    url: str


@dataclass(frozen=True)
class Plan:
    """Everything the flagship page shows for one scenario."""

    inputs: AccumulationInput
    accumulation: AccumulationResult
    exact_micro_batches: list[Split]
    recipes: list[RecipeComparison]
    ref_lr: float | None = None
    ref_batch: int | None = None
    linear_lr: float | None = None
    sqrt_lr: float | None = None


def plan(inp: AccumulationInput, ref_lr: float | None = None, ref_batch: int | None = None) -> Plan:
    result = accumulate(inp)
    ours = result.tokens_per_step
    recipes = [
        RecipeComparison(r.name, r.tokens_per_step, ours / r.tokens_per_step, r.source, r.url)
        for r in RECIPES
    ]
    splits = exact_micro_batches(inp.global_batch, result.data_parallel_size, 4 * inp.micro_batch)
    scaled = {}
    if ref_lr is not None and ref_batch is not None:
        batch = result.effective_global_batch
        scaled = {
            "linear_lr": linear_lr(ref_lr, ref_batch, batch),
            "sqrt_lr": sqrt_lr(ref_lr, ref_batch, batch),
        }
    return Plan(inp, result, splits, recipes, ref_lr, ref_batch, **scaled)
