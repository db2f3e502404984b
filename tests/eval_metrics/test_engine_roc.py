"""ROC curves and AUC against scikit-learn's roc_curve, auc and roc_auc_score."""

import random
from dataclasses import asdict

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import auc, roc_auc_score, roc_curve

from calculators.kit.errors import InputError
from eval_metrics.engine.roc import RocPoint, curve_from_points, curve_from_scores
from eval_metrics.json_values import plain

close = dict(rel=1e-9, abs=1e-12)


def test_scikit_learn_documentation_example():
    # roc_curve / roc_auc_score docs: y = [1, 1, 2, 2], scores [0.1, 0.4, 0.35, 0.8] -> 0.75.
    r = curve_from_scores((0, 0, 1, 1), (0.1, 0.4, 0.35, 0.8))
    assert r.auc == 0.75 and r.gini == 0.5
    assert [p.fpr for p in r.points] == [0, 0, 0.5, 0.5, 1]
    assert [p.tpr for p in r.points] == [0, 0.5, 0.5, 1, 1]
    assert [p.threshold for p in r.points] == [None, 0.8, 0.4, 0.35, 0.1]


def assert_scores_match_sklearn(y, s):
    r = curve_from_scores(tuple(y), tuple(s))
    fpr, tpr, thresholds = roc_curve(y, s, drop_intermediate=False)
    assert [p.fpr for p in r.points] == pytest.approx(fpr.tolist(), **close)
    assert [p.tpr for p in r.points] == pytest.approx(tpr.tolist(), **close)
    assert [p.threshold for p in r.points][1:] == pytest.approx(thresholds[1:].tolist())
    assert r.auc == pytest.approx(roc_auc_score(y, s), **close)
    assert r.gini == pytest.approx(2 * roc_auc_score(y, s) - 1, **close)
    return r


# Few distinct scores make ties, which is where ROC implementations differ.
scores = st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from([0.0, 0.25, 0.5, 1.0]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), scores), min_size=2, max_size=60))
def test_random_scores_match_scikit_learn(rows):
    y, s = zip(*rows, strict=True)
    if len(set(y)) < 2:
        with pytest.raises(InputError):
            curve_from_scores(y, s)
        return
    assert_scores_match_sklearn(list(y), list(s))


@pytest.mark.parametrize("seed", range(30))
def test_seeded_large_scores_match_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 5000))
    y = rng.integers(0, 2, n)
    y[:2] = [0, 1]
    s = y * rng.uniform(0, 2) + rng.normal(0, 1, n)
    if seed % 2:
        s = np.round(s, 1)  # heavy ties
    assert_scores_match_sklearn(y.tolist(), s.tolist())


@pytest.mark.parametrize("seed", range(60))
def test_operating_points_in_any_order_give_sklearns_area(seed):
    """Take scikit-learn's own ROC points, shuffle, drop corners, repeat some: same area."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 400))
    y = rng.integers(0, 2, n)
    y[:2] = [0, 1]
    s = np.round(y * rng.uniform(-1, 2) + rng.normal(0, 1, n), int(rng.integers(0, 3)))
    fpr, tpr, _ = roc_curve(y, s)  # default drop_intermediate=True: a typical sparse table
    points = list(zip(fpr.tolist(), tpr.tolist(), strict=True))
    shuffler = random.Random(seed)
    shuffler.shuffle(points)
    if seed % 2:
        points = [p for p in points if p not in ((0.0, 0.0), (1.0, 1.0))] or [(0.5, 0.5)]
    if seed % 3 == 0:
        points += points[: len(points) // 3]
    r = curve_from_points(tuple(p[0] for p in points), tuple(p[1] for p in points))
    if points != [(0.5, 0.5)]:
        assert r.auc == pytest.approx(auc(fpr, tpr), **close)
        assert r.auc == pytest.approx(roc_auc_score(y, s), **close)
    assert (r.points[0].fpr, r.points[0].tpr) == (0, 0)
    assert (r.points[-1].fpr, r.points[-1].tpr) == (1, 1)


def test_single_operating_point_with_corners_added():
    r = curve_from_points((0.2,), (0.8,))
    assert r.added_start and r.added_end
    assert r.auc == pytest.approx(auc([0, 0.2, 1], [0, 0.8, 1]))  # 0.08 + 0.72 = 0.8
    assert r.auc == pytest.approx(0.8)


def test_given_corners_are_not_added_and_order_is_reported():
    r = curve_from_points((1, 0, 0.5, 0.5), (1, 0, 0.7, 0.7))
    assert not r.added_start and not r.added_end
    assert r.reordered and r.duplicates_removed == 1
    assert r.auc == pytest.approx(auc([0, 0.5, 1], [0, 0.7, 1]))


def test_diagonal_and_inverted_curves():
    assert curve_from_points((0.5,), (0.5,)).auc == pytest.approx(0.5)
    inverted = curve_from_scores((1, 1, 0, 0), (0.1, 0.2, 0.8, 0.9))
    assert inverted.auc == 0 and inverted.gini == -1


def test_falling_tpr_is_an_error():
    with pytest.raises(InputError) as error:
        curve_from_points((0.1, 0.3), (0.8, 0.6))
    assert error.value.field == "tpr" and "falls" in str(error.value)


@pytest.mark.parametrize(
    ("fpr", "tpr", "field"),
    [((0.1, 1.2), (0.5, 0.9), "fpr"), ((0.1,), (-0.1,), "tpr"), ((0.1, 0.2), (0.5,), "tpr")],
)
def test_invalid_points_name_the_parameter(fpr, tpr, field):
    with pytest.raises(InputError) as error:
        curve_from_points(fpr, tpr)
    assert error.value.field == field


def test_scores_need_both_classes():
    with pytest.raises(InputError) as error:
        curve_from_scores((1, 1, 1), (0.2, 0.4, 0.9))
    assert error.value.field == "y_true" and "both labels" in str(error.value)


def test_points_held_as_columns_read_as_the_records_asdict_would_write():
    r = curve_from_points((0.5, 0.2), (0.9, 0.6))
    records = [RocPoint(0.0, 0.0, None, True), RocPoint(0.2, 0.6), RocPoint(0.5, 0.9)]
    records.append(RocPoint(1.0, 1.0, None, True))
    assert list(r.points) == records
    assert r.points[-1] == records[-1] and r.points[1:3] == records[1:3]
    with pytest.raises(IndexError):
        r.points[4]
    # The JSON answer's points: what dataclasses.asdict writes for a tuple of the records.
    assert r.points.as_json() == [asdict(p) for p in records]
    assert plain(r)["points"] == [asdict(p) for p in records]
    # Byte for byte, keys in the same order, as orjson writes the records themselves.
    assert orjson.dumps(r.points.as_json()) == orjson.dumps(tuple(records))


def test_json_values_are_what_orjson_writes_for_the_result():
    rng = random.Random(3)
    y = tuple(rng.randint(0, 1) for _ in range(3000))
    s = tuple(round(rng.gauss(0, 1) + t, 3) for t, _ in zip(y, y, strict=True))
    r = curve_from_scores(y, s)
    # orjson writes the dataclasses itself (fields in order, tuples as arrays, NaN as null);
    # only the columns need its `default` hook.
    written = orjson.loads(orjson.dumps(r, default=lambda rows: rows.as_json()))
    assert plain(r) == written
    assert orjson.dumps(plain(r)) == orjson.dumps(written)
    assert plain((float("nan"), float("inf"), 1.5, None, True)) == [None, None, 1.5, None, True]
