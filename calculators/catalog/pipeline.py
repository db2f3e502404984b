"""The pipeline bubble of 1F1B and interleaved 1F1B (Narayanan et al. 2021, Section 2.2).

With p pipeline stages, m micro-batches per pipeline flush and v model chunks per GPU
(interleaving), every stage idles for (p - 1) / v micro-batch slots per flush:

    bubble relative to ideal time  = (p - 1) / (v * m)
    bubble as a share of all time  = (p - 1) / (v * m + p - 1)

m is exactly the gradient-accumulation count: Megatron's num_microbatches and DeepSpeed's
pipeline micro_batches are both global batch / (micro-batch x data-parallel size).
Fractions are exact (fractions.Fraction) so thresholds such as "under 5 %" have no float edge.
"""

from dataclasses import dataclass
from fractions import Fraction

from calculators.kit.errors import InputError

BUBBLE_TARGET = Fraction(1, 20)  # 5 %, the planning threshold the page reports against


def bubble_fraction(pp: int, vpp: int, microbatches: int) -> Fraction:
    """Idle time relative to the ideal (bubble-free) time of one flush."""
    return Fraction(pp - 1, vpp * microbatches)


def bubble_share_of_total(pp: int, vpp: int, microbatches: int) -> Fraction:
    """Idle time as a share of the whole flush, idle plus busy."""
    return Fraction(pp - 1, vpp * microbatches + pp - 1)


def min_microbatches_below(pp: int, vpp: int, limit: Fraction = BUBBLE_TARGET) -> int:
    """The smallest m whose bubble (relative to ideal) is strictly below `limit`.

    (p - 1) / (v m) < limit  <=>  m > (p - 1) / (v limit); the floor of the bound plus one.
    """
    bound = Fraction(pp - 1) / (vpp * limit)
    return bound.numerator // bound.denominator + 1


@dataclass(frozen=True)
class Pipeline:
    pp: int
    vpp: int
    microbatches: int  # m = accumulation steps per pipeline flush
    bubble_fraction: float  # relative to ideal; 0 without pipelining
    bubble_share_of_total: float
    min_microbatches_under_5pct: int  # 1 when pp == 1: no bubble at all
    fewer_microbatches_than_stages: bool  # m < p: the pipeline never fills

    @property
    def enabled(self) -> bool:
        return self.pp > 1


def check_interleaving(pp: int, vpp: int) -> None:
    if vpp > 1 and pp == 1:
        raise InputError(
            "vpp",
            f"Interleaving (VPP = {vpp}) splits each GPU's share of a pipeline into chunks, "
            "so it needs pipeline parallelism: set PP above 1, or VPP to 1.",
        )


def pipeline(pp: int, vpp: int, microbatches: int) -> Pipeline:
    check_interleaving(pp, vpp)
    if pp == 1:
        return Pipeline(1, vpp, microbatches, 0.0, 0.0, 1, False)
    return Pipeline(
        pp=pp,
        vpp=vpp,
        microbatches=microbatches,
        bubble_fraction=float(bubble_fraction(pp, vpp, microbatches)),
        bubble_share_of_total=float(bubble_share_of_total(pp, vpp, microbatches)),
        min_microbatches_under_5pct=min_microbatches_below(pp, vpp),
        fewer_microbatches_than_stages=microbatches < pp,
    )
