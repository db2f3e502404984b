"""Cost-sensitive decisions: the Bayes-optimal probability threshold, and the cheapest ROC point.

With calibrated probabilities p = P(y = 1 | x), predicting 1 costs (1 − p)·C_FP in expectation
and predicting 0 costs p·C_FN; predicting 1 is cheaper exactly when p > C_FP / (C_FP + C_FN)
(Elkan 2001, correct decisions costing nothing). At that threshold both choices cost the same.

On a ROC curve, with prevalence π, an operating point costs per example
    π·(1 − TPR)·C_FN + (1 − π)·FPR·C_FP,
and lines of equal cost have slope (1 − π)·C_FP / (π·C_FN) (Fawcett 2006, iso-performance lines).

With labels and scores every distinct score is a threshold (predict 1 when score ≥ threshold),
and the data's own confusion matrices give the cost-optimal one: the fewest
FP·C_FP + FN·C_FN, or with a stated prevalence π the least π·(FN/P)·C_FN + (1 − π)·(FP/N)·C_FP.
The confusion matrix, precision, recall and F1 are given there and at a chosen threshold (by
default the Bayes threshold above, right when the scores are calibrated probabilities).
"""

import math
from dataclasses import dataclass

import numpy as np

from calculators.kit.errors import InputError

from .common import Rows, echo
from .ranking import ScoreGroups
from .roc import RocCurve, curve_and_groups, curve_from_points


@dataclass(frozen=True)
class OperatingCost:
    fpr: float
    tpr: float
    expected_cost: float  # per example
    fp_cost: float  # (1 − π)·FPR·C_FP, the false-positive share of expected_cost
    fn_cost: float  # π·(1 − TPR)·C_FN
    added: bool  # (0,0) "never predict 1" or (1,1) "always predict 1", added as candidates

    @staticmethod
    def json_row(fpr, tpr, expected_cost, fp_cost, fn_cost, added) -> dict:
        """The point as dataclasses.asdict writes it, from its values (common.Rows)."""
        return {
            "fpr": fpr,
            "tpr": tpr,
            "expected_cost": expected_cost,
            "fp_cost": fp_cost,
            "fn_cost": fn_cost,
            "added": added,
        }


@dataclass(frozen=True)
class CurveCosts:
    prevalence: float
    iso_cost_slope: float | None  # None when π·C_FN is 0 (the lines are vertical)
    points: Rows  # OperatingCosts in ROC order, held as columns
    best: OperatingCost  # the first cheapest, in ROC order
    best_index: int
    curve: RocCurve


@dataclass(frozen=True)
class ThresholdDecision:
    """What predicting 1 when score ≥ threshold does on the given samples."""

    # None: above every score, so nothing is predicted 1 (scikit-learn's threshold inf).
    threshold: float | None
    tp: int
    fp: int
    fn: int
    tn: int
    # TP / (TP + FP); None when nothing is predicted 1, where scikit-learn warns and
    # reports its zero_division value (0 by default).
    precision: float | None
    recall: float  # TP / (TP + FN), the TPR
    f1: float  # 2·TP / (2·TP + FP + FN): 0, not undefined, when TP is 0, as scikit-learn has it
    fpr: float  # FP / (FP + TN)
    accuracy: float
    total_cost: float  # FP·C_FP + FN·C_FN on these samples
    expected_cost: float  # per example, at the prevalence used (see ScoreCosts)


@dataclass(frozen=True)
class ScoreCosts:
    """Costs over every threshold of labelled scores. Its fields share CurveCosts' names where
    they mean the same (iso_cost_slope, curve, best, best_index), without a cost per point."""

    prevalence: float  # the given prevalence, or the labels' own (positives / samples)
    prevalence_from_labels: bool
    iso_cost_slope: float | None
    # From the scores, without the ROC tool's ranking statistics (auc_ci_95, average precision:
    # None); its point k is the decision after the k highest distinct scores.
    curve: RocCurve
    best: OperatingCost  # the cheapest ROC point, the first (highest threshold) on a tie
    best_index: int
    chosen: ThresholdDecision  # at the threshold asked for, by default the Bayes threshold
    optimal: ThresholdDecision  # at the cost-optimal threshold, best_index's


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
    # With labels and scores (then `prevalence` above is the one used, the labels' own unless
    # one was given, and the two trivial costs use it too).
    scores: ScoreCosts | None = None
    # The decision threshold asked for, for the page: None when the Bayes threshold is used.
    decision_threshold: float | None = echo()


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


def curve_costs(curve: RocCurve, prevalence: float, cost_fp: float, cost_fn: float) -> CurveCosts:
    """Each point's cost per example, (1 − π)·FPR·C_FP + π·(1 − TPR)·C_FN, column by column."""
    columns = curve.points.columns
    fprs, tprs = np.array(columns["fpr"]), np.array(columns["tpr"])
    fp_costs = (1 - prevalence) * fprs * cost_fp
    fn_costs = prevalence * (1 - tprs) * cost_fn
    expected = fp_costs + fn_costs
    best_index = int(np.argmin(expected))  # the first on a tie
    points = Rows(
        OperatingCost,
        fpr=columns["fpr"],
        tpr=columns["tpr"],
        expected_cost=expected.tolist(),
        fp_cost=fp_costs.tolist(),
        fn_cost=fn_costs.tolist(),
        added=columns["added"],
    )
    return CurveCosts(
        prevalence=prevalence,
        iso_cost_slope=ratio((1 - prevalence) * cost_fp, prevalence * cost_fn),
        points=points,
        best=points[best_index],
        best_index=best_index,
        curve=curve,
    )


def decision(
    groups: ScoreGroups,
    k: int,
    threshold: float | None,
    cost_fp: float,
    cost_fn: float,
    weights: tuple[float, float],
) -> ThresholdDecision:
    """Predicting 1 for the k highest distinct scores (ROC point k; none when k is 0)."""
    positives, negatives = groups.positives, groups.negatives
    tp = int(groups.true_positives[k - 1]) if k else 0
    fp = int(groups.false_positives[k - 1]) if k else 0
    fn, tn = positives - tp, negatives - fp
    w_fp, w_fn = weights
    return ThresholdDecision(
        threshold=threshold,
        tp=tp,
        fp=fp,
        fn=fn,
        tn=tn,
        precision=tp / (tp + fp) if tp + fp else None,
        recall=tp / positives,
        f1=2 * tp / (2 * tp + fp + fn),
        fpr=fp / negatives,
        accuracy=(tp + tn) / (positives + negatives),
        total_cost=fp * cost_fp + fn * cost_fn,
        expected_cost=fp * w_fp + fn * w_fn,
    )


def score_costs(
    y_true: tuple[int, ...],
    y_score: tuple[float, ...],
    cost_fp: float,
    cost_fn: float,
    prevalence: float | None,
    decision_threshold: float,
) -> ScoreCosts:
    # The AUC's interval and average precision belong to the ROC tool; not computed here.
    curve, groups = curve_and_groups(y_true, y_score, ranking=False)
    positives, negatives = groups.positives, groups.negatives
    n = positives + negatives
    from_labels = prevalence is None
    if from_labels:
        prevalence = positives / n
        # Compared as whole totals FP·C_FP + FN·C_FN, so equal totals tie exactly (whole-number
        # costs stay exact), and only then divided by n.
        key_fp, key_fn, scale = cost_fp, cost_fn, 1 / n
    else:
        key_fp = (1 - prevalence) * cost_fp / negatives
        key_fn = prevalence * cost_fn / positives
        scale = 1.0
    # keys[k]: ROC point k, after the k highest distinct scores; point 0 predicts nothing.
    fps = np.concatenate(([0], groups.false_positives))
    tps = np.concatenate(([0], groups.true_positives))
    keys = fps * key_fp + (positives - tps) * key_fn
    best_index = int(np.argmin(keys))  # argmin keeps the first on a tie
    weights = (key_fp * scale, key_fn * scale)
    optimal = decision(
        groups, best_index, curve.points[best_index].threshold, cost_fp, cost_fn, weights
    )
    # The chosen threshold predicts 1 for every distinct score at or above it.
    chosen_index = int(np.count_nonzero(groups.thresholds >= decision_threshold))
    chosen = decision(groups, chosen_index, decision_threshold, cost_fp, cost_fn, weights)
    best_point = curve.points[best_index]
    fp_cost, fn_cost = optimal.fp * weights[0], optimal.fn * weights[1]
    return ScoreCosts(
        prevalence=prevalence,
        prevalence_from_labels=from_labels,
        iso_cost_slope=ratio((1 - prevalence) * cost_fp, prevalence * cost_fn),
        curve=curve,
        best=OperatingCost(
            best_point.fpr, best_point.tpr, optimal.expected_cost, fp_cost, fn_cost, False
        ),
        best_index=best_index,
        chosen=chosen,
        optimal=optimal,
    )


def threshold_cost(
    cost_fp: float,
    cost_fn: float,
    prevalence: float | None = None,
    fpr: tuple[float, ...] | None = None,
    tpr: tuple[float, ...] | None = None,
    y_true: tuple[int, ...] | None = None,
    y_score: tuple[float, ...] | None = None,
    decision_threshold: float | None = None,
) -> ThresholdCostResult:
    threshold = bayes_threshold(cost_fp, cost_fn)
    curve = None
    scores = None
    if (fpr or tpr) and (y_true or y_score):
        raise InputError(
            "y_true",
            "Give either ROC points (fpr, tpr) or labels and scores (y_true, y_score), not both.",
        )
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
    if y_true or y_score:
        if not (y_true and y_score):
            missing = "y_score" if y_true else "y_true"
            raise InputError(missing, f"{missing} is needed too: one score for each label.")
        chosen = threshold if decision_threshold is None else decision_threshold
        scores = score_costs(y_true, y_score, cost_fp, cost_fn, prevalence, chosen)
        prevalence = scores.prevalence
    return ThresholdCostResult(
        cost_fp=cost_fp,
        cost_fn=cost_fn,
        threshold=threshold,
        cost_ratio=ratio(cost_fn, cost_fp),
        prevalence=prevalence,
        never_positive_cost=None if prevalence is None else prevalence * cost_fn,
        always_positive_cost=None if prevalence is None else (1 - prevalence) * cost_fp,
        curve=curve,
        scores=scores,
        decision_threshold=decision_threshold,
    )
