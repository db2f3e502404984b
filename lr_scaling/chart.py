"""Layout of the LR-against-batch chart on log-log axes: both rules through the tuned point, the
new batch marked on each. Pure geometry and labels; the template draws the SVG.

On log axes both rules are straight lines through (base batch, base LR): slope 1 for the linear
rule and slope 1/2 for the square-root rule, so two end points per line are exact.
"""

import math
from dataclasses import dataclass

from calculators.kit.numbers import MINUS, sci

WIDTH, HEIGHT = 560, 340
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 12, 46
MAX_TICKS = 7


@dataclass(frozen=True)
class Tick:
    pos: float
    label: str


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    kind: str  # "base", "linear", "sqrt"
    recommended: bool
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    top: int
    right: int  # x of the plot's right edge
    bottom: int  # y of the plot's bottom edge
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    linear: tuple[float, float, float, float]  # x1, y1, x2, y2
    sqrt: tuple[float, float, float, float]
    markers: list[Marker]
    new_batch_x: float
    critical_x: float | None
    description: str


def batch_text(value: float) -> str:
    if value < 10_000:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3g}"
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:,.0f}"


def tick_label(value: float) -> str:
    """Learning rates between 0.01 and 100 read better plain; others as 3e-4."""
    if 0.01 <= value < 100:
        return f"{value:g}"
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}".replace("-", MINUS)


def batch_ticks(lo: float, hi: float) -> list[float]:
    """Powers of two (batch sizes usually are), thinned to at most MAX_TICKS."""
    first, last = math.ceil(math.log2(lo)), math.floor(math.log2(hi))
    exponents = list(range(first, last + 1))
    step = max(1, math.ceil(len(exponents) / MAX_TICKS))
    return [2.0**e for e in exponents[::step]]


def lr_ticks(lo: float, hi: float) -> list[float]:
    """1-2-5 steps when they fit, else whole decades (thinned)."""
    decades = range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
    fine = [m * 10.0**e for e in decades for m in (1, 2, 5) if lo <= m * 10.0**e <= hi]
    if 2 <= len(fine) <= MAX_TICKS:
        return fine
    coarse = [10.0**e for e in decades if lo <= 10.0**e <= hi]
    step = max(1, math.ceil(len(coarse) / MAX_TICKS))
    return coarse[::step]


def lr_chart(result) -> Chart:
    inp = result.inputs
    base, new, lr0 = inp.base_batch, inp.new_batch, inp.base_lr
    critical = result.critical.critical_batch if result.critical else None
    batches = [base, new] + ([critical] if critical else [])
    x_lo, x_hi = min(batches) / 2, max(batches) * 2

    def linear_at(b):
        return lr0 * b / base

    def sqrt_at(b):
        return lr0 * math.sqrt(b / base)

    ends = [f(b) for f in (linear_at, sqrt_at) for b in (x_lo, x_hi)]
    y_lo, y_hi = min(ends) / 1.5, max(ends) * 1.5
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM

    def px(b):
        return LEFT + (math.log(b) - math.log(x_lo)) / (math.log(x_hi) - math.log(x_lo)) * (
            right - LEFT
        )

    def py(lr):
        return TOP + (math.log(y_hi) - math.log(lr)) / (math.log(y_hi) - math.log(y_lo)) * (
            bottom - TOP
        )

    def segment(f):
        return (px(x_lo), py(f(x_lo)), px(x_hi), py(f(x_hi)))

    rule = result.recommended_rule
    markers = [
        Marker(px(base), py(lr0), "base", False, f"Tuned: {sci(lr0)} at {batch_text(base)}"),
        Marker(
            px(new),
            py(result.linear_lr),
            "linear",
            rule == "linear",
            f"Linear rule: {sci(result.linear_lr)} at {batch_text(new)}",
        ),
        Marker(
            px(new),
            py(result.sqrt_lr),
            "sqrt",
            rule == "sqrt",
            f"Square-root rule: {sci(result.sqrt_lr)} at {batch_text(new)}",
        ),
    ]
    name = {"linear": "linear", "sqrt": "square-root"}
    description = (
        f"Learning rate against global batch, both on logarithmic axes. Both rules pass through "
        f"your tuned point, {sci(lr0)} at a batch of {batch_text(base)}. At the new batch of "
        f"{batch_text(new)} the linear rule gives {sci(result.linear_lr)} and the square-root "
        f"rule gives {sci(result.sqrt_lr)}; the {name[rule]} rule is the one recommended "
        f"for {'Adam-family optimizers' if inp.optimizer == 'adam' else 'SGD with momentum'}."
    )
    if critical:
        description += f" A dashed vertical line marks the critical batch, {batch_text(critical)}."
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        top=TOP,
        right=right,
        bottom=bottom,
        x_ticks=[Tick(px(b), batch_text(b)) for b in batch_ticks(x_lo, x_hi)],
        y_ticks=[Tick(py(v), tick_label(v)) for v in lr_ticks(y_lo, y_hi)],
        linear=segment(linear_at),
        sqrt=segment(sqrt_at),
        markers=markers,
        new_batch_x=px(new),
        critical_x=px(critical) if critical else None,
        description=description,
    )
