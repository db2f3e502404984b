"""What labels and scores say beyond the ROC curve: DeLong's interval for the AUC, average
precision and the precision-recall curve, all from one grouping of the scores.

Every distinct score is a threshold (predict 1 when score ≥ threshold), highest first, as in
scikit-learn's roc_curve and precision_recall_curve. Grouping equal scores once (a hash count and
one sort, O(n log n)) gives each threshold's true and false positives; every statistic here is
then a few numpy operations over the groups (bench/metrics_bench.py times them at 100,000
samples). Each is the same IEEE operation, element by element, as the scalar formula, and sums
go through math.fsum, so the figures are those the formulas give one value at a time.
"""

import math
from dataclasses import dataclass

import numpy as np

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

    # numpy arrays, one entry per distinct score: float64 thresholds, int64 counts.
    thresholds: np.ndarray
    positives_at: np.ndarray
    negatives_at: np.ndarray
    # Running totals: the TP and FP counts when predicting 1 at or above each threshold.
    true_positives: np.ndarray
    false_positives: np.ndarray
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
    # np.unique sorts once and numbers each sample's distinct score; counting those numbers
    # gives each group's size and positives. Adding 0.0 turns -0.0 into 0.0, so the two are
    # one threshold written one way (they compare equal, so they are one group either way).
    distinct, group = np.unique(np.asarray(y_score, dtype=float) + 0.0, return_inverse=True)
    everyone = np.bincount(group, minlength=len(distinct))
    positive = np.bincount(group[np.asarray(y_true) == 1], minlength=len(distinct))
    positives_at = positive[::-1]  # highest score first
    negatives_at = (everyone - positive)[::-1]
    return ScoreGroups(
        thresholds=distinct[::-1],
        positives_at=positives_at,
        negatives_at=negatives_at,
        true_positives=np.cumsum(positives_at),
        false_positives=np.cumsum(negatives_at),
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
    v10 = (n - groups.false_positives + neg_at / 2) / n
    # Positives strictly above a group: those at or above it minus its own; plus half of those.
    v01 = (groups.true_positives - pos_at / 2) / m
    auc = total(pos_at * v10) / m
    auc_negatives = total(neg_at * v01) / n
    s10 = total(pos_at * (v10 - auc) ** 2)
    s01 = total(neg_at * (v01 - auc_negatives) ** 2)
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
    precision = tps / (tps + fps)
    # Rₖ − Rₖ₋₁ is the group's positives over m; summing counts first keeps it exact.
    ap = total(groups.positives_at * precision) / m
    recall = np.concatenate(([0.0], tps / m))
    precision = np.concatenate(([1.0], precision))
    shown = thin(recall, precision)
    # Only the drawn points become records; index 0 is the start point, with no threshold.
    thresholds = groups.thresholds.tolist()
    recall, precision = recall.tolist(), precision.tolist()
    curve = tuple(PrPoint(recall[i], precision[i], thresholds[i - 1] if i else None) for i in shown)
    return PrecisionRecall(ap, curve, len(recall))


def total(values: np.ndarray) -> float:
    """The exactly rounded sum (math.fsum), as the scalar formulas sum."""
    return math.fsum(values.tolist())


def thin(
    xs: list[float],
    ys: list[float],
    max_points: int = MAX_DRAWN_POINTS,
    tolerance: float = DRAW_TOLERANCE,
) -> list[int]:
    """Indices of the points to draw, in order: all of them when there are at most `max_points`.

    Otherwise two passes. The first, in numpy: cut the plane into squares of side `tolerance` and
    drop each point in the same square as the point before it. The second, in Python over what
    is left: keep the first point and each point more than `step` away, in x or in y, from the
    last point kept, `step` starting at `tolerance` and doubling until at most `max_points`
    remain; the last point is always kept. A dropped point is then within `step` + `tolerance`
    (at most twice the final step) of the last point drawn before it.
    """
    count = len(xs)
    if count <= max_points:
        return list(range(count))
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    columns, rows = np.floor(xs / tolerance), np.floor(ys / tolerance)
    moved = (columns[1:] != columns[:-1]) | (rows[1:] != rows[:-1])
    candidates = (np.flatnonzero(moved) + 1).tolist()
    xs, ys = xs.tolist(), ys.tolist()  # the loop below reads single values: Python floats
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
