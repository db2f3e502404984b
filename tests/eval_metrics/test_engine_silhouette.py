"""Silhouettes against scikit-learn's silhouette_samples and silhouette_score."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import silhouette_samples, silhouette_score

from calculators.kit.errors import InputError
from eval_metrics.engine import silhouette
from eval_metrics.engine.silhouette import MAX_POINTS, clustering, one_point

close = dict(rel=1e-9, abs=1e-12)


def assert_matches_sklearn(x, y, labels):
    r = clustering(tuple(x), tuple(y), tuple(labels))
    points = np.column_stack([x, y])
    expected = silhouette_samples(points, labels)
    assert [p.silhouette for p in r.points] == pytest.approx(expected.tolist(), **close)
    assert r.silhouette == pytest.approx(silhouette_score(points, labels), **close)
    # The one-point formula applied to each point's a and b gives scikit-learn's value too.
    for p, s in zip(r.points, expected, strict=True):
        if p.a > 0 or p.b > 0:
            singleton = sum(1 for q in r.points if q.label == p.label) == 1
            assert (0.0 if singleton else one_point(p.a, p.b).silhouette) == pytest.approx(
                s, **close
            )
    return r


def test_one_point_worked_examples():
    assert one_point(2, 5).silhouette == pytest.approx(0.6)  # (5 - 2) / 5
    assert one_point(5, 2).silhouette == pytest.approx(-0.6)  # (2 - 5) / 5
    assert one_point(3, 3).silhouette == 0
    assert one_point(0, 4).silhouette == 1
    assert one_point(0, 0).silhouette == 0  # 0/0 taken as 0, as scikit-learn's nan_to_num does


def test_page_default_matches_sklearn():
    x = (1, 1.5, 2, 1.2, 6, 6.5, 7, 6.2, 3.5)
    y = (1, 2, 1.2, 1.8, 5, 6, 5.5, 6.2, 3.8)
    labels = (0, 0, 0, 0, 1, 1, 1, 1, 0)
    r = assert_matches_sklearn(x, y, labels)
    assert [c.size for c in r.clusters] == [5, 4]


# scikit-learn computes distances as sqrt(|x|² + |y|² − 2x·y), which loses precision for points
# much closer together than their size; quarter-unit grid points keep its arithmetic exact, so
# any difference would be ours. Few values make duplicates and ties, the cases that matter.
coordinate = st.integers(-400, 400).map(lambda v: v / 4)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(coordinate, coordinate, st.integers(-1, 3)), min_size=3, max_size=40))
def test_random_clusterings_match_scikit_learn(rows):
    x, y, labels = (list(column) for column in zip(*rows, strict=True))
    k = len(set(labels))
    if not 2 <= k <= len(labels) - 1:
        with pytest.raises(InputError) as error:
            clustering(tuple(x), tuple(y), tuple(labels))
        assert error.value.field == "labels"
        return
    assert_matches_sklearn(x, y, labels)


@pytest.mark.parametrize("seed", range(15))
def test_seeded_blobs_match_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(10, 600))
    k = int(rng.integers(2, 7))
    centres = rng.normal(0, rng.uniform(1, 20), (k, 2))
    labels = rng.integers(0, k, n)
    labels[:2] = [0, 1]
    points = centres[labels] + rng.normal(0, 1, (n, 2))
    assert_matches_sklearn(points[:, 0].tolist(), points[:, 1].tolist(), labels.tolist())


def test_singletons_and_duplicates():
    # A cluster of one scores 0; identical points give a = 0.
    r = assert_matches_sklearn([0, 0, 5, 9], [0, 0, 5, 9], [0, 0, 1, 2])
    assert r.points[3].silhouette == 0 and r.points[0].a == 0 and r.points[0].silhouette == 1


def test_limits_and_errors():
    with pytest.raises(InputError) as error:
        clustering((0, 1, 2), (0, 1, 2), (0, 0, 0))
    assert error.value.field == "labels"
    with pytest.raises(InputError):
        clustering((0, 1), (0, 1, 2), (0, 1, 1))
    with pytest.raises(InputError):
        one_point(-1, 2)
    n = MAX_POINTS + 1
    with pytest.raises(InputError):
        clustering(tuple(range(n)), tuple(range(n)), tuple(i % 2 for i in range(n)))


def test_the_point_cap_matches_scikit_learn():
    """5,000 points, the cap, on a quarter-unit grid so scikit-learn's distances are exact."""
    rng = np.random.default_rng(5)
    k = 7
    centres = rng.normal(0, 8, (k, 2))
    labels = rng.integers(0, k, MAX_POINTS)
    points = np.round((centres[labels] + rng.normal(0, 2, (MAX_POINTS, 2))) * 4) / 4
    x, y = points[:, 0].tolist(), points[:, 1].tolist()
    r = clustering(tuple(x), tuple(y), tuple(labels.tolist()))
    expected = silhouette_samples(points, labels)
    assert [p.silhouette for p in r.points] == pytest.approx(expected.tolist(), **close)
    assert r.silhouette == pytest.approx(silhouette_score(points, labels), **close)


def test_blocks_of_rows_do_not_change_the_sums(monkeypatch):
    """The distance matrix is summed a block of rows at a time; any block size gives the same
    numbers, including blocks that end mid-cluster and a last, short block."""
    rng = np.random.default_rng(3)
    n = 301
    x, y = rng.normal(0, 1, n).tolist(), rng.normal(0, 1, n).tolist()
    labels = rng.integers(-1, 4, n).tolist()
    whole = clustering(tuple(x), tuple(y), tuple(labels))
    for elements in (1, n * 7, n * 100):
        monkeypatch.setattr(silhouette, "BLOCK_ELEMENTS", elements)
        assert clustering(tuple(x), tuple(y), tuple(labels)) == whole
