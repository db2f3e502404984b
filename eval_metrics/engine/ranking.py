"""What labels and scores say beyond the ROC curve: DeLong's interval for the AUC, average
precision and the precision-recall curve, all from one grouping of the scores.

Every distinct score is a threshold (predict 1 when score ≥ threshold), highest first, as in
scikit-learn's roc_curve and precision_recall_curve. Grouping equal scores once (a hash count and
one sort of the distinct values, O(n log n)) gives each threshold's true and false positives;
every statistic here is then one pass over the groups, in plain Python (bench/metrics_bench.py
times them at 100,000 samples).
"""

import math
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate, compress, islice, repeat
from operator import mul, ne, sub, truediv

from calculators.kit.errors import InputError

from .common import Z_95, require_binary_labels, require_same_length

# A drawn curve keeps at most this many points (the charts' own cap on marks per chart).
MAX_DRAWN_POINTS = 1_000
# The first tolerance tried when thinning: 0.1% of a unit axis, under half a pixel on a plot
# about 400 pixels wide, so the thinned line is the full one as the eye sees it.
DRAW_TOLERANCE = 1e-3


@dataclass(frozen=True)
class ScoreGroups:
    """The distinct scores, highest first, with how many positives and negatives have each."""

    thresholds: tuple[float, ...]
    positives_at: tuple[int, ...]
    negatives_at: tuple[int, ...]
    # Running totals: the TP and FP counts when predicting 1 at or above each threshold.
    true_positives: tuple[int, ...]
    false_positives: tuple[int, ...]
    positives: int
    negatives: int


@dataclass(frozen=True)
class AucInterval:
    auc: float  # the mean placement value: the same area as the ROC curve's trapezoids
    variance: float  # DeLong's estimate, S10/m + S01/n
    se: float
    ci_95: tuple[float, float]  # auc ± Z_95·se, clipped to [0, 1]


@dataclass(frozen=True)
class PrPoint:
    recall: float
    precision: float
    # Predict 1 when score ≥ threshold; None at the start, where nothing is predicted positive
    # and scikit-learn puts precision 1, recall 0 with no threshold.
    threshold: float | None


@dataclass(frozen=True)
class PrecisionRecall:
    average_precision: float
    # Drawn points, thinned as `thin` says when the curve is long; first and last always kept.
    curve: tuple[PrPoint, ...]
    curve_points: int  # the full curve's length, one per distinct score plus the start point


def score_groups(y_true: tuple[int, ...], y_score: tuple[float, ...]) -> ScoreGroups:
    require_same_length("y_true", y_true, "y_score", y_score)
    require_binary_labels("y_true", y_true)
    positives = sum(y_true)
    negatives = len(y_true) - positives
    if positives == 0 or negatives == 0:
        missing = "1" if positives == 0 else "0"
        raise InputError(
            "y_true",
            f"y_true needs both labels, 0 and 1: there is no {missing}, so one of the ROC rates "
            "has no denominator.",
        )
    # Counting equal scores by hash, then sorting only the distinct ones, measured a little
    # faster than sorting the samples, and it groups ties without comparing neighbours. -0.0
    # and 0.0 are one key, as they are one threshold. The maps keep the loops in C.
    everyone = Counter(y_score)
    positive = Counter(compress(y_score, y_true))
    thresholds = sorted(everyone, reverse=True)
    positives_at = list(map(positive.get, thresholds, repeat(0)))
    negatives_at = list(map(sub, map(everyone.__getitem__, thresholds), positives_at))
    return ScoreGroups(
        thresholds=tuple(thresholds),
        positives_at=tuple(positives_at),
        negatives_at=tuple(negatives_at),
        true_positives=tuple(accumulate(positives_at)),
        false_positives=tuple(accumulate(negatives_at)),
        positives=positives,
        negatives=negatives,
    )


def delong(groups: ScoreGroups) -> AucInterval | None:
    """DeLong, DeLong & Clarke-Pearson (1988), in O(n log n) as Sun & Xu (2014) compute it.

    A positive's placement value V10 is the fraction of negatives scored below it, a tie
    counting half; a negative's V01 is the fraction of positives scored above it, likewise.
    Both average to the AUC, and Var(AUC) = S10/m + S01/n, with S10 and S01 the sample
    variances (divisor m − 1, n − 1) of the m positives' and n negatives' placement values.
    Sun & Xu read placement values off midranks; the tie groups give the same counts directly,
    and samples sharing a score share a placement value, so each group is visited once.
    None with fewer than two positives or two negatives: a sample variance needs two values.
    """
    m, n = groups.positives, groups.negatives
    if m < 2 or n < 2:
        return None
    pos_at, neg_at = groups.positives_at, groups.negatives_at
    # Negatives strictly below a group: n minus those at or above it; plus half its own.
    v10 = [(n - fp + neg / 2) / n for fp, neg in zip(groups.false_positives, neg_at, strict=True)]
    # Positives strictly above a group: those at or above it minus its own; plus half of those.
    v01 = [(tp - pos / 2) / m for tp, pos in zip(groups.true_positives, pos_at, strict=True)]
    auc = math.fsum(map(mul, pos_at, v10)) / m
    auc_negatives = math.fsum(map(mul, neg_at, v01)) / n
    s10 = math.fsum(c * (v - auc) ** 2 for c, v in zip(pos_at, v10, strict=True))
    s01 = math.fsum(c * (v - auc_negatives) ** 2 for c, v in zip(neg_at, v01, strict=True))
    variance = s10 / (m - 1) / m + s01 / (n - 1) / n
    se = math.sqrt(variance)
    # The normal interval can pass 0 or 1 when the AUC is near either; an area cannot.
    ci = (max(0.0, auc - Z_95 * se), min(1.0, auc + Z_95 * se))
    return AucInterval(auc, variance, se, ci)


def precision_recall(groups: ScoreGroups) -> PrecisionRecall:
    """scikit-learn's precision_recall_curve (every distinct score, highest first, after its
    start point recall 0, precision 1) and average_precision_score: AP = Σ (Rₖ − Rₖ₋₁)·Pₖ
    over the thresholds, a step function with no interpolation."""
    m = groups.positives
    tps, fps = groups.true_positives, groups.false_positives
    # Every group holds at least one sample, so tp + fp > 0 at every threshold.
    precision = [tp / (tp + fp) for tp, fp in zip(tps, fps, strict=True)]
    recall = [tp / m for tp in tps]
    # Rₖ − Rₖ₋₁ is the group's positives over m; summing counts first keeps it exact.
    ap = math.fsum(map(mul, groups.positives_at, precision)) / m
    recall.insert(0, 0.0)
    precision.insert(0, 1.0)
    thresholds = (None, *groups.thresholds)
    shown = thin(recall, precision)
    curve = tuple(PrPoint(recall[i], precision[i], thresholds[i]) for i in shown)
    return PrecisionRecall(ap, curve, len(recall))


def thin(
    xs: list[float],
    ys: list[float],
    max_points: int = MAX_DRAWN_POINTS,
    tolerance: float = DRAW_TOLERANCE,
) -> list[int]:
    """Indices of the points to draw, in order: all of them when there are at most `max_points`.

    Otherwise two passes. The first, in C: cut the plane into squares of side `tolerance` and
    drop each point in the same square as the point before it. The second, in Python over what
    is left: keep the first point and each point more than `step` away, in x or in y, from the
    last point kept, `step` starting at `tolerance` and doubling until at most `max_points`
    remain; the last point is always kept. A dropped point is then within `step` + `tolerance`
    (at most twice the final step) of the last point drawn before it.
    """
    count = len(xs)
    if count <= max_points:
        return list(range(count))
    columns = map(math.floor, map(truediv, xs, repeat(tolerance)))
    rows = map(math.floor, map(truediv, ys, repeat(tolerance)))
    squares = list(zip(columns, rows, strict=True))
    candidates = list(compress(range(1, count), map(ne, islice(squares, 1, None), squares)))
    step = tolerance
    while True:
        kept = [0]
        last_x, last_y = xs[0], ys[0]
        for i in candidates:
            x, y = xs[i], ys[i]
            if abs(x - last_x) > step or abs(y - last_y) > step:
                kept.append(i)
                last_x, last_y = x, y
        if kept[-1] != count - 1:
            kept.append(count - 1)
        if len(kept) <= max_points:
            return kept
        step *= 2
