"""Cost-sensitive decisions: the Bayes-optimal probability threshold, and the cheapest ROC point.

With calibrated probabilities p = P(y = 1 | x), predicting 1 costs (1 − p)·C_FP in expectation
and predicting 0 costs p·C_FN; predicting 1 is cheaper exactly when p > C_FP / (C_FP + C_FN)
(Elkan 2001, correct decisions costing nothing). At that threshold both choices cost the same.

On a ROC curve, with prevalence π, an operating point costs per example
    π·(1 − TPR)·C_FN + (1 − π)·FPR·C_FP,
and lines of equal cost have slope (1 − π)·C_FP / (π·C_FN) (Fawcett 2006, iso-performance lines).
"""

import math
from dataclasses import dataclass

from calculators.kit.errors import InputError

from .roc import RocCurve, curve_from_points


@dataclass(frozen=True)
class OperatingCost:
    fpr: float
    tpr: float
    expected_cost: float  # per example
    fp_cost: float  # (1 − π)·FPR·C_FP, the false-positive share of expected_cost
    fn_cost: float  # π·(1 − TPR)·C_FN
    added: bool  # (0,0) "never predict 1" or (1,1) "always predict 1", added as candidates


@dataclass(frozen=True)
class CurveCosts:
    prevalence: float
    iso_cost_slope: float | None  # None when π·C_FN is 0 (the lines are vertical)
    points: tuple[OperatingCost, ...]  # in ROC order
    best: OperatingCost  # the first cheapest, in ROC order
    best_index: int
    curve: RocCurve


@dataclass(frozen=True)
class ThresholdCostResult:
    cost_fp: float
    cost_fn: float
    threshold: float
    cost_ratio: float | None  # C_FN / C_FP: how many false positives one false negative is worth
    prevalence: float | None
    # With a prevalence: the expected cost per example of the two trivial classifiers.
    never_positive_cost: float | None  # predict 0 for everything: π·C_FN
    always_positive_cost: float | None  # predict 1 for everything: (1 − π)·C_FP
    curve: CurveCosts | None


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator ÷ denominator, or None where that is infinite (a zero or subnormal divisor)."""
    if denominator == 0:
        return None
    value = numerator / denominator
    return value if math.isfinite(value) else None


def bayes_threshold(cost_fp: float, cost_fn: float) -> float:
    if cost_fp < 0 or cost_fn < 0:
        raise InputError("cost_fp" if cost_fp < 0 else "cost_fn", "Costs cannot be negative.")
    if cost_fp + cost_fn == 0:
        raise InputError(
            "cost_fn",
            "cost_fp and cost_fn are both 0: with no cost for either mistake every threshold is "
            "equally good. Give at least one a positive cost.",
        )
    return cost_fp / (cost_fp + cost_fn)


def operating_cost(fpr, tpr, prevalence, cost_fp, cost_fn, added=False) -> OperatingCost:
    fp_cost = (1 - prevalence) * fpr * cost_fp
    fn_cost = prevalence * (1 - tpr) * cost_fn
    return OperatingCost(fpr, tpr, fp_cost + fn_cost, fp_cost, fn_cost, added)


def curve_costs(curve: RocCurve, prevalence: float, cost_fp: float, cost_fn: float) -> CurveCosts:
    costs = [
        operating_cost(p.fpr, p.tpr, prevalence, cost_fp, cost_fn, p.added) for p in curve.points
    ]
    best_index = min(range(len(costs)), key=lambda i: (costs[i].expected_cost, i))
    return CurveCosts(
        prevalence=prevalence,
        iso_cost_slope=ratio((1 - prevalence) * cost_fp, prevalence * cost_fn),
        points=tuple(costs),
        best=costs[best_index],
        best_index=best_index,
        curve=curve,
    )


def threshold_cost(
    cost_fp: float,
    cost_fn: float,
    prevalence: float | None = None,
    fpr: tuple[float, ...] | None = None,
    tpr: tuple[float, ...] | None = None,
) -> ThresholdCostResult:
    threshold = bayes_threshold(cost_fp, cost_fn)
    curve = None
    if fpr or tpr:
        if not (fpr and tpr):
            missing = "tpr" if fpr else "fpr"
            raise InputError(missing, f"{missing} is needed too: ROC points are (fpr, tpr) pairs.")
        if prevalence is None:
            raise InputError(
                "prevalence",
                "prevalence is needed with ROC points: the cheapest point depends on how often "
                "the positive class occurs.",
            )
        curve = curve_costs(curve_from_points(fpr, tpr), prevalence, cost_fp, cost_fn)
    return ThresholdCostResult(
        cost_fp=cost_fp,
        cost_fn=cost_fn,
        threshold=threshold,
        cost_ratio=ratio(cost_fn, cost_fp),
        prevalence=prevalence,
        never_positive_cost=None if prevalence is None else prevalence * cost_fn,
        always_positive_cost=None if prevalence is None else (1 - prevalence) * cost_fp,
        curve=curve,
    )
