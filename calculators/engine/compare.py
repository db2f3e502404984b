"""Side-by-side scenarios: the headline numbers of each and how a pinned one differs from the
current one. Counts and times differ by a relative percentage; fractions (the bubble) by
percentage points, since "+50 %" of a 2 % bubble reads worse than it is."""

from dataclasses import dataclass

MAX_PINNED = 4


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    kind: str  # "text", "count", "fraction", "seconds"


METRICS = (
    Metric("decomposition", "Layout", "text"),
    Metric("micro_batch", "Micro-batch", "count"),
    Metric("accumulation_steps", "Accumulation steps", "count"),
    Metric("effective_global_batch", "Global batch achieved", "count"),
    Metric("tokens_per_step", "Tokens per optimizer step", "count"),
    Metric("pipeline_bubble_fraction", "Pipeline bubble (of ideal)", "fraction"),
    Metric("seconds_per_step", "Time per optimizer step", "seconds"),
    Metric("optimizer_steps", "Optimizer steps for the budget", "count"),
    Metric("run_seconds", "Run time", "seconds"),
)


def metrics_of(plan) -> dict:
    """The compared numbers of one Plan (None where that scenario has no such number)."""
    a = plan.accumulation
    rate, run = plan.throughput, plan.budget
    steps = plan.ramp_budget.optimizer_steps if plan.ramp_budget else (run and run.optimizer_steps)
    return {
        "decomposition": plan.decomposition,
        "micro_batch": plan.inputs.micro_batch,
        "accumulation_steps": a.accumulation_steps,
        "effective_global_batch": a.effective_global_batch,
        "tokens_per_step": a.tokens_per_step,
        "pipeline_bubble_fraction": plan.pipeline.bubble_fraction,
        "seconds_per_step": rate.seconds_per_step if rate else None,
        "optimizer_steps": steps or None,
        "run_seconds": run.run_seconds if run else None,
    }


def delta(kind: str, current, pinned) -> float | None:
    """pinned relative to current: percent for counts and times, points for fractions."""
    if kind == "text" or current is None or pinned is None:
        return None
    if kind == "fraction":
        return (pinned - current) * 100.0
    if current == 0:
        return None
    return (pinned - current) / current * 100.0


def deltas(current: dict, pinned: dict) -> dict:
    return {m.key: delta(m.kind, current[m.key], pinned[m.key]) for m in METRICS}
