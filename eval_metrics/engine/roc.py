"""ROC curves and the area under them, from operating points or from labels and scores.

The area is the trapezoidal rule over the points sorted by FPR (then TPR), as scikit-learn's
`auc` computes it; from labels and scores the curve is scikit-learn's `roc_curve` with every
threshold kept (drop_intermediate=False), so the area equals `roc_auc_score`: tied scores give a
diagonal step, which counts a tied positive-negative pair as half right.
"""

import math
from dataclasses import dataclass

from calculators.kit.errors import InputError

from .common import require_binary_labels, require_same_length


@dataclass(frozen=True)
class RocPoint:
    fpr: float
    tpr: float
    # The score cut-off (predict 1 when score ≥ threshold), when computed from scores; None at
    # the start, where the cut-off is above every score (scikit-learn writes inf there).
    threshold: float | None = None
    added: bool = False  # an endpoint the calculator added to the given points


@dataclass(frozen=True)
class RocCurve:
    points: tuple[RocPoint, ...]  # sorted by FPR then TPR, (0,0) first and (1,1) last
    auc: float
    gini: float  # 2·AUC − 1
    segment_areas: tuple[float, ...]  # one trapezoid per consecutive pair of points
    added_start: bool  # (0, 0) was not among the points and was added
    added_end: bool  # (1, 1) likewise
    duplicates_removed: int
    reordered: bool  # the points were not already in order
    positives: int | None = None  # from scores only
    negatives: int | None = None


def trapezoid_areas(points: list[RocPoint]) -> list[float]:
    return [(b.fpr - a.fpr) * (a.tpr + b.tpr) / 2 for a, b in zip(points, points[1:], strict=False)]


def finish(points: list[RocPoint], **extra) -> RocCurve:
    areas = trapezoid_areas(points)
    auc = math.fsum(areas)
    return RocCurve(
        points=tuple(points), auc=auc, gini=2 * auc - 1, segment_areas=tuple(areas), **extra
    )


def curve_from_points(fpr: tuple[float, ...], tpr: tuple[float, ...]) -> RocCurve:
    """Operating points of one classifier at several thresholds, in any order."""
    require_same_length("fpr", fpr, "tpr", tpr)
    for name, values in (("fpr", fpr), ("tpr", tpr)):
        for i, v in enumerate(values, start=1):
            if not 0 <= v <= 1:
                raise InputError(
                    name, f"{name} values are rates between 0 and 1: value {i:,} is {v:g}."
                )
    given = list(zip(fpr, tpr, strict=True))
    unique = sorted(set(given))
    # A single classifier's TPR can only rise (or stay) as its threshold admits more false
    # positives; a fall means points from different models or a typo, and no area is honest.
    for (f1, t1), (f2, t2) in zip(unique, unique[1:], strict=False):
        if t2 < t1:
            raise InputError(
                "tpr",
                f"tpr falls from {t1:g} to {t2:g} while fpr rises from {f1:g} to {f2:g}: one "
                "classifier's ROC points rise together. Check for a typo or points from two "
                "models.",
            )
    points = [RocPoint(f, t) for f, t in unique]
    added_start = (0.0, 0.0) not in set(unique)
    added_end = (1.0, 1.0) not in set(unique)
    if added_start:
        points.insert(0, RocPoint(0.0, 0.0, added=True))
    if added_end:
        points.append(RocPoint(1.0, 1.0, added=True))
    return finish(
        points,
        added_start=added_start,
        added_end=added_end,
        duplicates_removed=len(given) - len(unique),
        reordered=given != sorted(given),
    )


def curve_from_scores(y_true: tuple[int, ...], y_score: tuple[float, ...]) -> RocCurve:
    """Every distinct score as a threshold (predict 1 when score ≥ threshold), highest first."""
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
    order = sorted(range(len(y_score)), key=lambda i: -y_score[i])
    points = [RocPoint(0.0, 0.0)]
    tp = fp = 0
    for rank, i in enumerate(order):
        tp += y_true[i]
        fp += 1 - y_true[i]
        is_last_of_tie = rank + 1 == len(order) or y_score[order[rank + 1]] != y_score[i]
        if is_last_of_tie:
            points.append(RocPoint(fp / negatives, tp / positives, threshold=y_score[i]))
    return finish(
        points,
        added_start=False,
        added_end=False,
        duplicates_removed=0,
        reordered=False,
        positives=positives,
        negatives=negatives,
    )
