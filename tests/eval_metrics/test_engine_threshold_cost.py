"""The cost-minimizing threshold and operating point, against brute force over real decisions
scored by scikit-learn's confusion_matrix."""

from dataclasses import asdict

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import confusion_matrix, roc_curve

from calculators.kit.errors import InputError
from eval_metrics.engine.threshold_cost import OperatingCost, threshold_cost
from eval_metrics.json_values import plain


def expected_cost_of_rule(p, threshold, cost_fp, cost_fn):
    """Expected cost, with calibrated probabilities p, of predicting 1 when p >= threshold."""
    positive = p >= threshold
    return float(np.sum(np.where(positive, (1 - p) * cost_fp, p * cost_fn)))


costs = st.floats(0, 1e6, allow_nan=False, allow_subnormal=False)


@settings(max_examples=200, deadline=None)
@given(costs, costs, st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=50))
def test_no_threshold_beats_the_bayes_threshold(cost_fp, cost_fn, probabilities):
    if cost_fp + cost_fn == 0:
        with pytest.raises(InputError):
            threshold_cost(cost_fp, cost_fn)
        return
    t = threshold_cost(cost_fp, cost_fn).threshold
    p = np.array(probabilities)
    ours = expected_cost_of_rule(p, t, cost_fp, cost_fn)
    # Every distinct decision rule is "p >= c" for c among the probabilities, or never.
    for candidate in [*p.tolist(), 1.5]:
        other = expected_cost_of_rule(p, candidate, cost_fp, cost_fn)
        assert ours <= other + 1e-9 * max(1.0, abs(other))


def test_equal_costs_give_one_half_and_docs_style_example():
    assert threshold_cost(1, 1).threshold == 0.5
    # Missing a fraud costs 20 reviews: flag at 1/21.
    assert threshold_cost(1, 20).threshold == pytest.approx(1 / 21)
    assert threshold_cost(1, 20).cost_ratio == 20


@pytest.mark.parametrize("seed", range(40))
def test_cheapest_roc_point_matches_the_cheapest_real_threshold(seed):
    """With the sample's own prevalence, the ROC-point cost per example equals the cost of the
    real decisions at that threshold, counted by scikit-learn's confusion_matrix."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 800))
    y = rng.integers(0, 2, n)
    y[:2] = [0, 1]
    s = np.round(y * rng.uniform(0, 2) + rng.normal(0, 1, n), 2)
    cost_fp, cost_fn = rng.uniform(0.1, 10), rng.uniform(0.1, 10)
    fpr, tpr, thresholds = roc_curve(y, s)
    prevalence = y.mean()
    result = threshold_cost(cost_fp, cost_fn, prevalence, tuple(fpr), tuple(tpr))
    real_costs = []
    for threshold in thresholds:
        tn, fp, fn, tp = confusion_matrix(y, s >= threshold, labels=[0, 1]).ravel()
        real_costs.append((fp * cost_fp + fn * cost_fn) / n)
    assert result.curve.best.expected_cost == pytest.approx(min(real_costs), rel=1e-9)
    assert result.never_positive_cost == pytest.approx(prevalence * cost_fn)
    assert result.always_positive_cost == pytest.approx((1 - prevalence) * cost_fp)


def test_iso_cost_slope_and_trivial_best():
    r = threshold_cost(1, 5, 0.1, (0.05, 0.1, 0.3), (0.4, 0.6, 0.9))
    assert r.curve.iso_cost_slope == pytest.approx(0.9 * 1 / (0.1 * 5))
    assert (r.curve.best.fpr, r.curve.best.tpr) == (0.1, 0.6)
    assert r.curve.best.expected_cost == pytest.approx(0.1 * 0.4 * 5 + 0.9 * 0.1 * 1)
    # A weak model at a rare positive class: predicting 0 for everything is cheapest.
    weak = threshold_cost(1, 1, 0.01, (0.5,), (0.6,))
    assert weak.curve.best.added and weak.curve.best.fpr == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"cost_fp": 0, "cost_fn": 0}, "cost_fn"),
        ({"cost_fp": -1, "cost_fn": 1}, "cost_fp"),
        ({"cost_fp": 1, "cost_fn": 1, "fpr": (0.1,), "tpr": (0.5,)}, "prevalence"),
        ({"cost_fp": 1, "cost_fn": 1, "prevalence": 0.1, "fpr": (0.1,)}, "tpr"),
    ],
)
def test_bad_inputs_name_the_parameter(kwargs, field):
    with pytest.raises(InputError) as error:
        threshold_cost(**kwargs)
    assert error.value.field == field


def test_cost_points_held_as_columns_read_as_records_and_json():
    r = threshold_cost(1, 4, 0.2, fpr=(0.1, 0.4), tpr=(0.5, 0.8)).curve
    # By hand, at π = 0.2, C_FP = 1, C_FN = 4: FP share (1 − π)·FPR·C_FP = 0.8·FPR, FN share
    # π·(1 − TPR)·C_FN = 0.8·(1 − TPR); (0, 0) and (1, 1) are the added trivial classifiers.
    expected = [
        (0.0, 0.0, 0.8, 0.0, 0.8, True),
        (0.1, 0.5, 0.48, 0.08, 0.4, False),
        (0.4, 0.8, 0.48, 0.32, 0.16, False),
        (1.0, 1.0, 0.8, 0.8, 0.0, True),
    ]
    assert len(r.points) == 4
    for point, row in zip(r.points, expected, strict=True):
        assert isinstance(point, OperatingCost)
        assert tuple(asdict(point).values()) == pytest.approx(row, rel=1e-12)
    # Both inner points cost 0.48 by hand (and 0.48000000000000004 in floats): the first wins.
    assert r.best_index == 1 and r.best == r.points[1]
    # The JSON rows are the records as asdict and orjson write them, keys in field order.
    assert plain(r)["points"] == [asdict(p) for p in r.points]
    assert orjson.dumps(r.points.as_json()) == orjson.dumps(tuple(r.points))
