"""Threshold cost from labels and scores: the confusion matrix, precision, recall and F1 at the
chosen and the cost-optimal threshold, against scikit-learn's confusion_matrix and
precision_recall_fscore_support and a brute force over every real threshold."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from calculators.kit.errors import InputError
from eval_metrics.engine.threshold_cost import threshold_cost


def assert_decision_matches_sklearn(d, y, s, threshold):
    """d is the engine's decision for `predict 1 when score >= threshold`."""
    predicted = (s >= threshold).astype(int) if threshold is not None else np.zeros_like(y)
    tn, fp, fn, tp = confusion_matrix(y, predicted, labels=[0, 1]).ravel().tolist()
    assert (d.tn, d.fp, d.fn, d.tp) == (tn, fp, fn, tp)
    precision, recall, f1, _ = precision_recall_fscore_support(
        y, predicted, average="binary", zero_division=np.nan
    )
    if np.isnan(precision):
        assert d.precision is None and tp + fp == 0
    else:
        assert d.precision == pytest.approx(precision, rel=1e-12)
    assert d.recall == pytest.approx(recall, rel=1e-12)
    assert d.f1 == pytest.approx(0.0 if np.isnan(f1) else f1, rel=1e-12, abs=1e-15)
    assert d.fpr == pytest.approx(fp / (fp + tn), rel=1e-12)
    assert d.accuracy == pytest.approx((tp + tn) / len(y), rel=1e-12)


def real_costs(y, s, cost_fp, cost_fn, prevalence):
    """Cost per example of every real decision rule: predict 1 when s >= t for each distinct
    score t, or for none; with a prevalence, each class's errors reweighted to it."""
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    costs = {}
    for t in [None, *np.unique(s).tolist()]:
        predicted = s >= t if t is not None else np.zeros(len(y), bool)
        tn, fp, fn, tp = confusion_matrix(y, predicted, labels=[0, 1]).ravel().tolist()
        if prevalence is None:
            costs[t] = (fp * cost_fp + fn * cost_fn) / len(y)
        else:
            costs[t] = prevalence * fn / positives * cost_fn
            costs[t] += (1 - prevalence) * fp / negatives * cost_fp
    return costs


def check(y, s, cost_fp, cost_fn, prevalence=None, chosen=None):
    y, s = np.asarray(y), np.asarray(s, dtype=float)
    r = threshold_cost(
        cost_fp,
        cost_fn,
        prevalence,
        y_true=tuple(y.tolist()),
        y_score=tuple(s.tolist()),
        decision_threshold=chosen,
    )
    sc = r.scores
    expected_chosen = cost_fp / (cost_fp + cost_fn) if chosen is None else chosen
    assert sc.chosen.threshold == expected_chosen
    assert_decision_matches_sklearn(sc.chosen, y, s, expected_chosen)
    assert_decision_matches_sklearn(sc.optimal, y, s, sc.optimal.threshold)
    costs = real_costs(y, s, cost_fp, cost_fn, prevalence)
    cheapest = min(costs.values())
    assert sc.optimal.expected_cost == pytest.approx(cheapest, rel=1e-9, abs=1e-12)
    assert costs[sc.optimal.threshold] == pytest.approx(cheapest, rel=1e-9, abs=1e-12)
    # On a tie the highest threshold (fewest predicted positives) is the one given.
    tied = [t for t, c in costs.items() if c <= cheapest * (1 + 1e-12) + 1e-15]
    if len(tied) > 1 and all(c == int(c) for c in (cost_fp, cost_fn)) and prevalence is None:
        top = None if None in tied else max(tied)
        assert sc.optimal.threshold == top
    assert sc.chosen.total_cost == pytest.approx(sc.chosen.fp * cost_fp + sc.chosen.fn * cost_fn)
    assert sc.best.expected_cost == sc.optimal.expected_cost
    assert (sc.best.fpr, sc.best.tpr) == (sc.optimal.fpr, sc.optimal.recall)
    used = y.mean() if prevalence is None else prevalence
    assert sc.prevalence == pytest.approx(used) and r.prevalence == pytest.approx(used)
    assert sc.prevalence_from_labels == (prevalence is None)
    return r


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 1), st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.7, 0.9, 1.0])),
        min_size=2,
        max_size=40,
    ),
    st.integers(0, 10),
    st.integers(0, 10),
    st.one_of(st.none(), st.floats(0.01, 0.99)),
    st.one_of(st.none(), st.sampled_from([0.0, 0.25, 0.5, 0.55, 1.0, 2.0, -1.0])),
)
def test_random_labels_and_scores(rows, cost_fp, cost_fn, prevalence, chosen):
    y, s = zip(*rows, strict=True)
    if cost_fp + cost_fn == 0 or len(set(y)) < 2:
        with pytest.raises(InputError):
            threshold_cost(cost_fp, cost_fn, prevalence, y_true=y, y_score=s)
        return
    check(y, s, cost_fp, cost_fn, prevalence, chosen)


@pytest.mark.parametrize("seed", range(20))
def test_seeded_large_samples(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(50, 3000))
    y = rng.integers(0, 2, n)
    y[:2] = [0, 1]
    p = 1 / (1 + np.exp(-(y * rng.uniform(0.5, 3) + rng.normal(0, 1, n) - 1)))
    s = np.round(p, 2) if seed % 2 else p
    prevalence = None if seed % 3 else float(rng.uniform(0.05, 0.5))
    check(y, s, float(rng.uniform(0.1, 10)), float(rng.uniform(0.1, 10)), prevalence)


def test_worked_example():
    # Scores 0.1 … 0.9 for labels 0 0 1 0 1 1; C_FP = 1, C_FN = 4: Bayes threshold 0.2.
    y = (0, 0, 1, 0, 1, 1)
    s = (0.1, 0.3, 0.35, 0.6, 0.8, 0.9)
    r = check(y, s, 1, 4)
    chosen = r.scores.chosen  # predict 1 at 0.3 and above: TP 3, FP 2, FN 0, TN 1
    assert (chosen.tp, chosen.fp, chosen.fn, chosen.tn) == (3, 2, 0, 1)
    assert chosen.precision == 0.6 and chosen.recall == 1 and chosen.f1 == 0.75
    # Cheapest: predict 1 at 0.35 and above, one false positive (cost 1), no misses.
    optimal = r.scores.optimal
    assert optimal.threshold == 0.35 and (optimal.fp, optimal.fn) == (1, 0)
    assert optimal.total_cost == 1 and optimal.expected_cost == pytest.approx(1 / 6)


def test_nothing_predicted_positive_has_no_precision():
    r = check((0, 1, 0, 1), (0.1, 0.2, 0.3, 0.4), 1, 1, chosen=0.5)
    assert r.scores.chosen.precision is None and r.scores.chosen.f1 == 0
    # A false positive costing far more than a miss: predicting nothing is cheapest.
    r = check((0, 1, 0, 1), (0.1, 0.2, 0.9, 0.4), 100, 1)
    assert r.scores.optimal.threshold is None and r.scores.best_index == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"y_true": (0, 1)}, "y_score"),
        ({"y_score": (0.2, 0.4)}, "y_true"),
        ({"y_true": (0, 1), "y_score": (0.2,)}, "y_score"),
        ({"y_true": (1, 1), "y_score": (0.2, 0.4)}, "y_true"),
        ({"y_true": (0, 1), "y_score": (0.2, 0.4), "fpr": (0.1,), "tpr": (0.5,)}, "y_true"),
    ],
)
def test_bad_inputs_name_the_parameter(kwargs, field):
    with pytest.raises(InputError) as error:
        threshold_cost(1, 1, **kwargs)
    assert error.value.field == field
