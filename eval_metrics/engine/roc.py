"""ROC curves and the area under them, from operating points or from labels and scores.

The area is the trapezoidal rule over the points sorted by FPR (then TPR), as scikit-learn's
`auc` computes it; from labels and scores the curve is scikit-learn's `roc_curve` with every
threshold kept (drop_intermediate=False), so the area equals `roc_auc_score`: tied scores give a
diagonal step, which counts a tied positive-negative pair as half right.

From labels and scores the curve also carries what a reviewer asks for next (ranking.py): the
AUC's 95% confidence interval by DeLong's method, average precision as scikit-learn's
average_precision_score, and the precision-recall curve to draw beside the ROC curve.
"""

import math
from dataclasses import dataclass

import numpy as np

from calculators.kit.errors import InputError

from .common import Rows, require_same_length
from .ranking import PrPoint, ScoreGroups, delong, precision_recall, score_groups


@dataclass(frozen=True)
class RocPoint:
    fpr: float
    tpr: float
    # The score cut-off (predict 1 when score ≥ threshold), when computed from scores; None at
    # the start, where the cut-off is above every score (scikit-learn writes inf there).
    threshold: float | None = None
    added: bool = False  # an endpoint the calculator added to the given points

    @staticmethod
    def json_row(fpr, tpr, threshold, added) -> dict:
        """The point as dataclasses.asdict writes it, from its values (common.Rows)."""
        return {"fpr": fpr, "tpr": tpr, "threshold": threshold, "added": added}


@dataclass(frozen=True)
class RocCurve:
    # RocPoints, sorted by FPR then TPR, (0,0) first and (1,1) last; held as columns (Rows).
    points: Rows
    auc: float
    gini: float  # 2·AUC − 1
    segment_areas: tuple[float, ...]  # one trapezoid per consecutive pair of points
    added_start: bool  # (0, 0) was not among the points and was added
    added_end: bool  # (1, 1) likewise
    duplicates_removed: int
    reordered: bool  # the points were not already in order
    positives: int | None = None  # from scores only
    negatives: int | None = None
    # From scores only, and only with at least two positives and two negatives (DeLong needs a
    # sample variance of each class's placement values): the standard error of the AUC and the
    # normal interval AUC ± 1.959964·SE, clipped to [0, 1].
    auc_se: float | None = None
    auc_ci_95: tuple[float, float] | None = None
    prevalence: float | None = None  # positives / samples, the AP a random ranking tends to
    average_precision: float | None = None  # scikit-learn's average_precision_score
    # The precision-recall curve from the highest threshold down, starting at recall 0,
    # precision 1; at most 1,000 points, thinned as ranking.thin says (pr_curve_points is the
    # full curve's length).
    pr_curve: tuple[PrPoint, ...] = ()
    pr_curve_points: int | None = None


def trapezoid_areas(fprs: np.ndarray, tprs: np.ndarray) -> np.ndarray:
    """(FPRₖ₊₁ − FPRₖ)·(TPRₖ + TPRₖ₊₁)/2 for each consecutive pair."""
    return (fprs[1:] - fprs[:-1]) * (tprs[:-1] + tprs[1:]) / 2


def finish(fprs, tprs, thresholds=None, *, added=(), **extra) -> RocCurve:
    """The curve through the points (fprs[k], tprs[k]), already in order; `added` holds the
    indices of endpoints the calculator added."""
    fprs, tprs = np.asarray(fprs, dtype=float), np.asarray(tprs, dtype=float)
    count = len(fprs)
    flags = [False] * count
    for k in added:
        flags[k] = True
    points = Rows(
        RocPoint,
        fpr=fprs.tolist(),
        tpr=tprs.tolist(),
        threshold=(None,) * count if thresholds is None else thresholds,
        added=flags,
    )
    areas = trapezoid_areas(fprs, tprs).tolist()
    auc = math.fsum(areas)
    return RocCurve(points=points, auc=auc, gini=2 * auc - 1, segment_areas=tuple(areas), **extra)


def curve_from_points(fpr: tuple[float, ...], tpr: tuple[float, ...]) -> RocCurve:
    """Operating points of one classifier at several thresholds, in any order."""
    require_same_length("fpr", fpr, "tpr", tpr)
    for name, values in (("fpr", fpr), ("tpr", tpr)):
        rates = np.asarray(values, dtype=float)
        bad = np.flatnonzero(~((rates >= 0) & (rates <= 1)))  # NaN fails both comparisons
        if bad.size:
            i = int(bad[0])
            raise InputError(
                name, f"{name} values are rates between 0 and 1: value {i + 1:,} is {values[i]:g}."
            )
    given_f, given_t = np.asarray(fpr, dtype=float), np.asarray(tpr, dtype=float)
    # Sorted by FPR, then TPR, as Python sorts (fpr, tpr) pairs; the sort is stable, so of
    # repeated points the first given is the one kept.
    order = np.lexsort((given_t, given_f))
    fprs, tprs = given_f[order], given_t[order]
    repeated = np.concatenate(([False], (fprs[1:] == fprs[:-1]) & (tprs[1:] == tprs[:-1])))
    fprs, tprs = fprs[~repeated], tprs[~repeated]
    # A single classifier's TPR can only rise (or stay) as its threshold admits more false
    # positives; a fall means points from different models or a typo, and no area is honest.
    falls = np.flatnonzero(tprs[1:] < tprs[:-1])
    if falls.size:
        k = int(falls[0])
        f1, t1, f2, t2 = fprs[k], tprs[k], fprs[k + 1], tprs[k + 1]
        raise InputError(
            "tpr",
            f"tpr falls from {t1:g} to {t2:g} while fpr rises from {f1:g} to {f2:g}: one "
            "classifier's ROC points rise together. Check for a typo or points from two "
            "models.",
        )
    # Given in order: each point's FPR above the last one's, or equal with a TPR not below.
    steps_f, steps_t = np.diff(given_f), np.diff(given_t)
    in_order = bool(np.all((steps_f > 0) | ((steps_f == 0) & (steps_t >= 0))))
    # Sorted, so (0, 0) can only be first and (1, 1) last.
    added_start = not (fprs[0] == 0 and tprs[0] == 0)
    added_end = not (fprs[-1] == 1 and tprs[-1] == 1)
    unique = len(fprs)
    fprs = np.concatenate(([0.0] * added_start, fprs, [1.0] * added_end))
    tprs = np.concatenate(([0.0] * added_start, tprs, [1.0] * added_end))
    added = ([0] if added_start else []) + ([len(fprs) - 1] if added_end else [])
    return finish(
        fprs,
        tprs,
        added=added,
        added_start=added_start,
        added_end=added_end,
        duplicates_removed=len(given_f) - unique,
        reordered=not in_order,
    )


def curve_from_scores(y_true: tuple[int, ...], y_score: tuple[float, ...]) -> RocCurve:
    """Every distinct score as a threshold (predict 1 when score ≥ threshold), highest first."""
    return curve_and_groups(y_true, y_score)[0]


def curve_and_groups(
    y_true: tuple[int, ...], y_score: tuple[float, ...], ranking: bool = True
) -> tuple[RocCurve, ScoreGroups]:
    """The curve from scores, and the score groups it was built from (point k + 1 is group k).
    ranking=False leaves out DeLong's interval and the precision-recall statistics, for a
    caller that only walks the curve."""
    groups = score_groups(y_true, y_score)
    positives, negatives = groups.positives, groups.negatives
    fprs = np.concatenate(([0.0], groups.false_positives / negatives))
    tprs = np.concatenate(([0.0], groups.true_positives / positives))
    extra = {}
    if ranking:
        interval = delong(groups)
        pr = precision_recall(groups)
        extra = dict(
            auc_se=interval.se if interval else None,
            auc_ci_95=interval.ci_95 if interval else None,
            average_precision=pr.average_precision,
            pr_curve=pr.curve,
            pr_curve_points=pr.curve_points,
        )
    curve = finish(
        fprs,
        tprs,
        (None, *groups.thresholds.tolist()),
        added_start=False,
        added_end=False,
        duplicates_removed=0,
        reordered=False,
        positives=positives,
        negatives=negatives,
        prevalence=positives / (positives + negatives),
        **extra,
    )
    return curve, groups
