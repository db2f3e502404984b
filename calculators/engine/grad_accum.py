"""Gradient accumulation: global batch = micro-batch x data-parallel size x accumulation steps.

All counts are integers; the only float is the exact (unrounded) accumulation ratio. The
target is sequences (global_batch) or, when given, tokens (target_tokens), rounded the same way.
"""

import math
from dataclasses import dataclass

from calculators.kit.errors import InputError

from ..catalog import budget as budgets
from ..catalog import framework_configs as configs
from ..catalog import pipeline as pipelines
from ..catalog.lr import linear_lr, sqrt_lr
from . import rampup as rampups
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
    vpp: int = 1
    target_tokens: int | None = None  # replaces global_batch as the target when given


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
    target_is_tokens: bool
    target_sequences: float  # the target in sequences (target_tokens / seq_len when in tokens)


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
    # Round in the target's own unit: a token target is met by whole micro-steps of
    # per_step x seq_len tokens, exactly like rounding its (fractional) sequence count.
    if inp.target_tokens is None:
        target, unit = inp.global_batch, 1
    else:
        target, unit = inp.target_tokens, inp.seq_len
    per_step_units = per_step * unit
    steps = pick_steps(target, per_step_units, inp.rounding)
    below_steps, remainder = divmod(target, per_step_units)
    batch_below = max(1, below_steps) * per_step
    batch_above = (below_steps + (1 if remainder else 0)) * per_step if below_steps else per_step
    effective = steps * per_step
    return AccumulationResult(
        data_parallel_size=dp,
        samples_per_micro_step=per_step,
        exact_accumulation=target / per_step_units,
        accumulation_steps=steps,
        is_clean_multiple=remainder == 0,
        effective_global_batch=effective,
        batch_below=batch_below,
        batch_above=batch_above,
        tokens_per_micro_step=per_step * inp.seq_len,
        tokens_per_step=effective * inp.seq_len,
        deviation_below_pct=signed_pct(batch_below * unit, target),
        deviation_above_pct=signed_pct(batch_above * unit, target),
        deviation_pct=signed_pct(effective * unit, target),
        target_below_one_micro_step=target < per_step_units,
        target_is_tokens=inp.target_tokens is not None,
        target_sequences=target / unit,
    )


def decomposition(gpus: int, tp: int, pp: int, cp: int, dp: int) -> str:
    """'64 GPUs = TP 4 x PP 2 x DP 8': the degrees above 1, and DP always."""
    parts = [f"{name} {degree:,}" for name, degree in (("TP", tp), ("PP", pp), ("CP", cp))]
    parts = [p for p, d in zip(parts, (tp, pp, cp), strict=True) if d > 1] + [f"DP {dp:,}"]
    return f"{gpus:,} GPU{'s' if gpus != 1 else ''} = " + " \u00d7 ".join(parts)


@dataclass(frozen=True)
class Split:
    micro_batch: int
    accumulation_steps: int


def exact_micro_batches(global_batch: int, dp: int, up_to: int) -> list[Split]:
    """Micro-batch sizes 1..up_to whose micro-step divides the target exactly.

    Those are the divisors of global_batch / dp, found in pairs up to its square root: at most
    4,096 trials, where trying every size up to 4 x a 65,536 micro-batch took 262,144 (this
    runs on every keystroke).
    """
    if global_batch % dp:
        return []
    per_rank = global_batch // dp
    sizes = set()
    for small in range(1, math.isqrt(per_rank) + 1):
        if per_rank % small == 0:
            sizes.update(size for size in (small, per_rank // small) if size <= up_to)
    return [Split(mb, per_rank // mb) for mb in sorted(sizes)]


@dataclass(frozen=True)
class RecipeComparison:
    name: str
    tokens_per_step: int
    ratio: float  # ours / theirs
    source: str
    url: str


@dataclass(frozen=True)
class Options:
    """The optional parts of a scenario; each None/empty switches its section off."""

    train_tokens: int | None = None
    tokens_per_gpu_s: float | None = None  # measured throughput, wins over the estimate
    params_b: float | None = None  # model size in billions of parameters (6N only)
    # A catalog model or a shape: N and the attention term (PaLM's count); wins over params_b.
    model_size: budgets.ModelSize | None = None
    peak_tflops: float | None = None  # dense BF16 per GPU (preset or custom)
    peak_gpu: str = ""  # the catalog GPU whose peak that is, for the page to cite ("": custom)
    mfu: float | None = None
    dataset_sequences: int | None = None
    rampup: tuple[int, int, int] | None = None  # start, increment, samples (Megatron order)


@dataclass(frozen=True)
class RampBudget:
    optimizer_steps: int
    samples_consumed: int
    megatron_train_iters: int  # what Megatron derives from --train-samples below
    megatron_train_samples: int = 0  # the --train-samples that gives optimizer_steps
    budget_samples: int = 0  # the budget in sequences, rounded up
    ends_in_ramp: bool = False  # the run stops before training at the full global batch
    last_batch: int = 0  # the global batch of the last optimizer step


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
    decomposition: str = ""
    pipeline: pipelines.Pipeline | None = None
    throughput: budgets.Throughput | None = None
    budget: budgets.Budget | None = None
    epoch: budgets.EpochEdge | None = None
    epochs_in_budget: float | None = None
    rampup: rampups.Rampup | None = None
    ramp_budget: RampBudget | None = None
    ramp_first_bubble: float | None = None  # the bubble at the ramp's smallest batch
    tradeoff: list[budgets.Tradeoff] | None = None
    snippets: list[configs.Snippet] | None = None
    options: Options = Options()


def whole_target_sequences(inp: AccumulationInput) -> int | None:
    if inp.target_tokens is None:
        return inp.global_batch
    whole, rest = divmod(inp.target_tokens, inp.seq_len)
    return whole if not rest else None


def plan(
    inp: AccumulationInput,
    ref_lr: float | None = None,
    ref_batch: int | None = None,
    options: Options | None = None,
) -> Plan:
    o = options or Options()
    result = accumulate(inp)
    dp, steps = result.data_parallel_size, result.accumulation_steps
    ours = result.tokens_per_step
    recipes = [
        RecipeComparison(r.name, r.tokens_per_step, ours / r.tokens_per_step, r.source, r.url)
        for r in RECIPES
    ]
    target_sequences = whole_target_sequences(inp)
    splits = (
        exact_micro_batches(target_sequences, dp, 4 * inp.micro_batch) if target_sequences else []
    )
    scaled = {}
    if ref_lr is not None and ref_batch is not None:
        batch = result.effective_global_batch
        scaled = {
            "linear_lr": linear_lr(ref_lr, ref_batch, batch),
            "sqrt_lr": sqrt_lr(ref_lr, ref_batch, batch),
        }
    pipe = pipelines.pipeline(inp.pp, inp.vpp, steps)
    size = o.model_size or (budgets.ModelSize(o.params_b * 1e9) if o.params_b else None)
    rate = budgets.throughput(
        ours,
        steps,
        inp.gpus,
        measured_tokens_per_gpu_s=o.tokens_per_gpu_s,
        flops=budgets.flops_per_token(size, inp.seq_len) if size else None,
        peak_tflops=o.peak_tflops,
        mfu=o.mfu,
    )
    ramp = None
    if o.rampup:
        start, increment, samples = o.rampup
        ramp = rampups.rampup(
            start, increment, samples, result.effective_global_batch, result.samples_per_micro_step
        )
    run = budgets.budget(o.train_tokens, ours, rate) if o.train_tokens else None
    ramp_budget = None
    if ramp and o.train_tokens:
        train_samples = -(-o.train_tokens // inp.seq_len)
        ramp_steps, consumed = rampups.steps_to_consume(train_samples, ramp)
        flag = rampups.megatron_train_samples(ramp_steps, consumed, train_samples, ramp)
        last_batch = rampups.batch_of_step(ramp_steps, ramp)
        ramp_budget = RampBudget(
            ramp_steps,
            consumed,
            rampups.megatron_train_iters(flag, ramp),
            megatron_train_samples=flag,
            budget_samples=train_samples,
            # Below the global batch to the end. Not "within the ramp's iterations": Megatron
            # counts the step that starts at exactly the ramp's samples as one of them, though
            # it already trains at the full batch (start 192, increment 64, ramp 192 samples:
            # 192, then 448 at 192 consumed).
            ends_in_ramp=last_batch < ramp.global_batch,
            last_batch=last_batch,
        )
    epoch = (
        budgets.epoch_edge(o.dataset_sequences, dp, inp.micro_batch, steps)
        if o.dataset_sequences
        else None
    )
    epochs = (
        budgets.epochs_in(o.train_tokens, o.dataset_sequences, inp.seq_len)
        if o.train_tokens and o.dataset_sequences
        else None
    )
    scenario = configs.Scenario(
        gpus=inp.gpus,
        tp=inp.tp,
        pp=inp.pp,
        cp=inp.cp,
        vpp=inp.vpp,
        dp=dp,
        micro_batch=inp.micro_batch,
        accumulation_steps=steps,
        global_batch=result.effective_global_batch,
        seq_len=inp.seq_len,
        target_sequences=target_sequences,
        optimizer_steps=(ramp_budget.optimizer_steps if ramp_budget else None)
        or (run.optimizer_steps if run else None),
        rampup=o.rampup,
        megatron_train_samples=ramp_budget.megatron_train_samples if ramp_budget else None,
        megatron_train_iters=ramp_budget.megatron_train_iters if ramp_budget else None,
        ramp_microbatches=tuple(s.accumulation_steps for s in ramp.stages) if ramp else (),
        budget_samples=ramp_budget.budget_samples if ramp_budget else None,
        ramp_budget_end=(
            (ramp_budget.optimizer_steps, ramp_budget.samples_consumed, ramp_budget.last_batch)
            if ramp_budget and ramp_budget.ends_in_ramp
            else None
        ),
        ramp_schedule=(
            (
                *((s.first_sample, s.global_batch) for s in ramp.stages),
                (ramp.ramp_consumed, ramp.global_batch),
            )
            if ramp
            else ()
        ),
    )
    return Plan(
        inp,
        result,
        splits,
        recipes,
        ref_lr,
        ref_batch,
        **scaled,
        decomposition=decomposition(inp.gpus, inp.tp, inp.pp, inp.cp, dp),
        pipeline=pipe,
        throughput=rate,
        budget=run,
        epoch=epoch,
        epochs_in_budget=epochs,
        rampup=ramp,
        ramp_budget=ramp_budget,
        ramp_first_bubble=(
            float(pipelines.bubble_fraction(inp.pp, inp.vpp, ramp.stages[0].accumulation_steps))
            if ramp and inp.pp > 1
            else None
        ),
        tradeoff=(
            budgets.accumulation_tradeoff(
                steps, result.samples_per_micro_step, inp.seq_len, rate, o.train_tokens
            )
            if rate
            else None
        ),
        snippets=configs.snippets(scenario),
        options=o,
    )
