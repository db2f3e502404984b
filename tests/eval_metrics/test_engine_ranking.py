"""DeLong's AUC interval against an O(m·n) version written here from the paper's definition,
average precision and the precision-recall curve against scikit-learn, on data with ties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score

from calculators.kit.errors import InputError
from eval_metrics.engine.ranking import (
    DRAW_TOLERANCE,
    MAX_DRAWN_POINTS,
    delong,
    precision_recall,
    score_groups,
    thin,
)
from eval_metrics.engine.roc import curve_from_scores

close = dict(rel=1e-9, abs=1e-12)


def delong_by_definition(y, s):
    """DeLong, DeLong & Clarke-Pearson (1988), Biometrics 44(3):837-845, section 2.

    ψ(X, Y) = 1 if Y < X, 1/2 if Y = X, 0 if Y > X, for a positive's score X and a negative's
    Y. Placement values V10(Xᵢ) = (1/n) Σⱼ ψ(Xᵢ, Yⱼ) and V01(Yⱼ) = (1/m) Σᵢ ψ(Xᵢ, Yⱼ); the AUC
    θ̂ is their mean; S10 = Σᵢ (V10(Xᵢ) − θ̂)² / (m − 1), S01 likewise over the n negatives with
    n − 1, and Var(θ̂) = S10/m + S01/n. Every pair is compared: O(m·n), no ranks, no sorting.
    """
    y, s = np.asarray(y), np.asarray(s, dtype=float)
    x_pos, y_neg = s[y == 1], s[y == 0]
    m, n = len(x_pos), len(y_neg)
    psi = (x_pos[:, None] > y_neg[None, :]) + 0.5 * (x_pos[:, None] == y_neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    auc = v10.mean()
    s10 = ((v10 - auc) ** 2).sum() / (m - 1)
    s01 = ((v01 - auc) ** 2).sum() / (n - 1)
    return auc, s10 / m + s01 / n


def assert_matches(y, s):
    y, s = list(y), list(s)
    groups = score_groups(tuple(y), tuple(s))
    interval = delong(groups)
    auc, variance = delong_by_definition(y, s)
    assert interval.auc == pytest.approx(auc, **close)
    assert interval.auc == pytest.approx(roc_auc_score(y, s), **close)
    assert interval.variance == pytest.approx(variance, rel=1e-9, abs=1e-15)
    z = norm.ppf(0.975)  # scipy's quantile, not the engine's
    low, high = auc - z * np.sqrt(variance), auc + z * np.sqrt(variance)
    assert interval.ci_95 == pytest.approx((max(low, 0.0), min(high, 1.0)), rel=1e-9, abs=1e-12)
    pr = precision_recall(groups)
    assert pr.average_precision == pytest.approx(average_precision_score(y, s), **close)
    precision, recall, thresholds = precision_recall_curve(y, s)
    assert pr.curve_points == len(precision)
    if len(precision) <= MAX_DRAWN_POINTS:  # drawn whole: scikit-learn's curve, reversed
        assert [p.precision for p in pr.curve] == pytest.approx(precision[::-1].tolist(), **close)
        assert [p.recall for p in pr.curve] == pytest.approx(recall[::-1].tolist(), **close)
        assert [p.threshold for p in pr.curve][1:] == thresholds[::-1].tolist()
        assert pr.curve[0].threshold is None
    return interval, pr


# Few distinct scores make ties, where placement values count a half.
scores = st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from([0.0, 0.25, 0.5, 1.0]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), scores), min_size=4, max_size=60))
def test_random_scores_match_the_definition_and_scikit_learn(rows):
    y, s = zip(*rows, strict=True)
    if min(sum(y), len(y) - sum(y)) < 2:
        if 0 < sum(y) < len(y):
            assert delong(score_groups(y, s)) is None  # a class of one has no sample variance
        return
    assert_matches(y, s)


@pytest.mark.parametrize("seed", range(20))
def test_seeded_large_samples_with_ties(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(50, 3000))
    y = rng.integers(0, 2, n)
    y[:4] = [0, 0, 1, 1]
    s = y * rng.uniform(0, 2) + rng.normal(0, 1, n)
    if seed % 2:
        s = np.round(s, 1)  # heavy ties
    assert_matches(y.tolist(), s.tolist())


def test_curve_from_scores_carries_the_interval_and_average_precision():
    # scikit-learn's documentation examples: roc_auc_score 0.75 and average_precision_score
    # 0.8333... for y = [0, 0, 1, 1], scores [0.1, 0.4, 0.35, 0.8].
    r = curve_from_scores((0, 0, 1, 1), (0.1, 0.4, 0.35, 0.8))
    assert r.auc == 0.75
    assert r.average_precision == pytest.approx(0.8333333333333333)
    auc, variance = delong_by_definition([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    assert r.auc_se == pytest.approx(np.sqrt(variance))
    assert r.auc_ci_95[1] == 1.0  # 0.75 + 1.96 × 0.177 passes 1 and is clipped
    assert r.auc_ci_95[0] == pytest.approx(auc - norm.ppf(0.975) * np.sqrt(variance))
    assert r.prevalence == 0.5 and r.pr_curve_points == 5


def test_perfect_ranking_has_a_zero_width_interval():
    r = curve_from_scores((0, 0, 1, 1), (0.1, 0.2, 0.8, 0.9))
    assert r.auc == 1 and r.auc_se == 0 and r.auc_ci_95 == (1.0, 1.0)
    assert r.average_precision == 1


def test_a_class_of_one_has_no_interval():
    r = curve_from_scores((0, 1, 1, 1), (0.1, 0.2, 0.8, 0.9))
    assert r.auc_se is None and r.auc_ci_95 is None
    assert r.average_precision == pytest.approx(
        average_precision_score([0, 1, 1, 1], [0.1, 0.2, 0.8, 0.9])
    )


def test_points_mode_has_no_ranking_statistics():
    from eval_metrics.engine.roc import curve_from_points

    r = curve_from_points((0.2,), (0.8,))
    assert r.auc_ci_95 is None and r.average_precision is None and r.pr_curve == ()


def test_long_curves_are_thinned_for_drawing_within_the_tolerance():
    rng = np.random.default_rng(7)
    n = 100_000
    y = rng.integers(0, 2, n)
    s = y * 0.8 + rng.normal(0, 1, n)
    pr = precision_recall(score_groups(tuple(y.tolist()), tuple(s.tolist())))
    precision, recall, thresholds = precision_recall_curve(y, s)
    assert pr.curve_points == len(precision) == n + 1
    assert pr.average_precision == pytest.approx(average_precision_score(y, s), **close)
    drawn = pr.curve
    assert len(drawn) <= MAX_DRAWN_POINTS
    full = list(zip(recall[::-1].tolist(), precision[::-1].tolist(), strict=True))
    assert (drawn[0].recall, drawn[0].precision) == full[0]
    assert (drawn[-1].recall, drawn[-1].precision) == pytest.approx(full[-1])
    # Every point of scikit-learn's full curve, in order, is close to the last point drawn at
    # or before it: within 0.005 of the unit square, two pixels on a 400-pixel plot.
    full_thresholds = [None, *thresholds[::-1].tolist()]
    position = {t: i for i, t in enumerate(full_thresholds)}
    drawn_at = [position[p.threshold] for p in drawn]
    assert drawn_at == sorted(drawn_at)
    last_drawn = np.maximum.accumulate(np.isin(np.arange(n + 1), drawn_at) * np.arange(n + 1))
    xs, ys = np.array(full).T
    deviation = np.maximum(np.abs(xs - xs[last_drawn]), np.abs(ys - ys[last_drawn]))
    assert deviation.max() <= 0.005


def max_deviation(xs, ys, kept):
    """The farthest any point lies, in x or y, from the last kept point at or before it."""
    last = np.maximum.accumulate(np.isin(np.arange(len(xs)), kept) * np.arange(len(xs)))
    xs, ys = np.asarray(xs), np.asarray(ys)
    return max(np.abs(xs - xs[last]).max(), np.abs(ys - ys[last]).max())


def test_thin_keeps_short_curves_and_ends():
    assert thin([0, 0.5, 1], [0, 0.5, 1]) == [0, 1, 2]
    xs = [i / 5000 for i in range(5001)]
    kept = thin(xs, xs, max_points=100)
    assert kept[0] == 0 and kept[-1] == 5000 and len(kept) <= 100
    assert kept == sorted(set(kept))
    assert max_deviation(xs, xs, kept) <= 0.02  # 1/50 of the line between 100 points


def test_thin_survives_a_curve_dithering_across_a_square_edge():
    # Precision settling at a value that jitters across a grid line at every scale (0.5 is
    # one for every power-of-two multiple of 1/1000 up to 0.512): the pass that measures
    # distance from the last kept point keeps it smooth.
    n = 100_000
    xs = [i / n for i in range(n)]
    ys = [0.5 + (1e-4 if i % 2 else -1e-4) for i in range(n)]
    kept = thin(xs, ys)
    assert len(kept) <= MAX_DRAWN_POINTS and kept[0] == 0 and kept[-1] == n - 1
    assert max_deviation(xs, ys, kept) <= 4 * DRAW_TOLERANCE


def test_scores_need_both_classes():
    with pytest.raises(InputError) as error:
        score_groups((1, 1), (0.2, 0.3))
    assert error.value.field == "y_true"
