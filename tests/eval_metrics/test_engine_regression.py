"""Regression metrics against scikit-learn: its documented example, random inputs, edge cases."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import (
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    r2_score,
    root_mean_squared_error,
)

from calculators.kit.errors import InputError
from eval_metrics.engine.regression import regression_metrics

close = dict(rel=1e-9, abs=1e-12)


def assert_matches_sklearn(y_true, y_pred):
    r = regression_metrics(tuple(y_true), tuple(y_pred))
    t, p = np.array(y_true, dtype=float), np.array(y_pred, dtype=float)
    assert r.mae == pytest.approx(mean_absolute_error(t, p), **close)
    assert r.mse == pytest.approx(mean_squared_error(t, p), **close)
    assert r.rmse == pytest.approx(root_mean_squared_error(t, p), **close)
    if len(set(y_true)) > 1:
        assert r.r2 == pytest.approx(r2_score(t, p), rel=1e-7, abs=1e-9)
    else:
        # Equal targets: R² is undefined, and scikit-learn's force_finite rule gives 1 or 0.
        # Its own output can miss the rule here: numpy's mean of [0.05] * 3 is not exactly
        # 0.05, leaving a denominator of ~1e-34 and an R² of -5e31. We apply the rule exactly.
        assert not r.r2_defined
        # scikit-learn's rule looks at its numerator Σ(y − ŷ)², which can underflow to 0 for
        # residuals of ~1e-200: those count as perfect too.
        assert r.r2 == (1.0 if np.sum((t - p) ** 2) == 0 else 0.0)
        if t.mean() == t[0]:  # numpy's mean is exact: scikit-learn sees the zero and agrees
            assert r.r2 == r2_score(t, p)
    # The baseline is the mean predictor's own scores, computed by scikit-learn.
    mean_prediction = np.full_like(t, t.mean())
    assert r.baseline_mse == pytest.approx(mean_squared_error(t, mean_prediction), **close)
    assert r.baseline_mae == pytest.approx(mean_absolute_error(t, mean_prediction), **close)
    assert r2_score(t, mean_prediction) == pytest.approx(0.0, abs=1e-9) or not r.r2_defined
    nonzero = np.abs(t) >= np.finfo(np.float64).eps
    if nonzero.all():
        assert r.mape == pytest.approx(mean_absolute_percentage_error(t, p), **close)
    else:
        assert r.mape is None
        if nonzero.any():
            expected = mean_absolute_percentage_error(t[nonzero], p[nonzero])
            assert r.mape_nonzero == pytest.approx(expected, **close)
    return r


def test_scikit_learn_documentation_example():
    # The user guide's example: MAE 0.5, MSE 0.375, R² 0.948..., MAPE 0.3273...
    r = regression_metrics((3, -0.5, 2, 7), (2.5, 0.0, 2, 8))
    assert r.mae == 0.5
    assert r.mse == 0.375
    assert r.r2 == pytest.approx(0.9486081370449679)
    assert r.mape == pytest.approx(0.3273809523809524)
    assert_matches_sklearn((3, -0.5, 2, 7), (2.5, 0.0, 2, 8))


values = st.floats(-1e4, 1e4, allow_nan=False, allow_subnormal=False)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(2, 40).flatmap(
        lambda n: st.tuples(
            st.lists(values, min_size=n, max_size=n), st.lists(values, min_size=n, max_size=n)
        )
    )
)
def test_random_inputs_match_scikit_learn(pair):
    y_true, y_pred = pair
    assert_matches_sklearn(y_true, y_pred)


@pytest.mark.parametrize("seed", range(40))
def test_seeded_large_inputs_match_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 3000))
    scale = 10 ** rng.uniform(-3, 6)
    y_true = rng.normal(rng.normal() * scale, scale, n)
    y_pred = y_true + rng.normal(0, scale * rng.uniform(0.01, 3), n)
    if seed % 4 == 0:
        y_true[rng.integers(0, n)] = 0.0  # exercise the MAPE zero guard
    assert_matches_sklearn(y_true.tolist(), y_pred.tolist())


def test_negative_r2_is_worse_than_the_mean():
    r = assert_matches_sklearn([1, 2, 3, 4], [4, 3, 2, 1])
    assert r.r2 < 0
    assert r.mse > r.baseline_mse


def test_constant_targets_follow_force_finite():
    perfect = assert_matches_sklearn([5, 5, 5], [5, 5, 5])
    assert not perfect.r2_defined and perfect.r2 == 1.0
    imperfect = assert_matches_sklearn([5, 5, 5], [5, 6, 5])
    assert not imperfect.r2_defined and imperfect.r2 == 0.0


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_constant_targets_are_undefined_where_scikit_learn_returns_a_float_artefact():
    # numpy's mean of three 0.1s is 0.10000000000000002, so scikit-learn's SS_tot is ~6e-34,
    # not 0: force_finite never fires and r2_score answers with a huge negative artefact.
    t, p = np.array([0.1, 0.1, 0.1]), np.array([0.2, 0.2, 0.2])
    assert t.mean() != 0.1
    artefact = r2_score(t, p)
    assert artefact < -1e30 and artefact == r2_score(t, p, force_finite=False)
    r = regression_metrics(tuple(t), tuple(p))
    assert not r.r2_defined
    assert r.mean_true == 0.1 and r.total_sum_squares == 0.0 and r.baseline_mse == 0.0
    # Where numpy's mean is exact, scikit-learn notices: NaN or -inf unforced, 1 or 0 forced,
    # and JSON's r2 is that documented force_finite value.
    for y_pred, unforced in (((5, 5, 5), np.isnan), ((5, 6, 5), np.isneginf)):
        assert unforced(r2_score((5, 5, 5), y_pred, force_finite=False))
        r = regression_metrics((5, 5, 5), y_pred)
        assert not r.r2_defined and r.r2 == r2_score((5, 5, 5), y_pred)


def test_zero_target_makes_mape_undefined_where_sklearn_explodes():
    y_true, y_pred = (0.0, 2.0, 4.0), (1.0, 2.0, 5.0)
    r = assert_matches_sklearn(y_true, y_pred)
    assert r.mape is None and r.zero_targets == 1
    assert r.mape_nonzero == pytest.approx(0.125)
    assert mean_absolute_percentage_error(y_true, y_pred) > 1e14  # divides by machine epsilon


def test_targets_below_machine_epsilon_count_as_zero():
    # scikit-learn divides by max(|y|, eps), so below eps its MAPE is no percentage at all.
    r = regression_metrics((1e-300, 2.0), (1e15, 3.0))
    assert r.mape is None and r.zero_targets == 1 and r.mape_nonzero == 0.5


def test_extremes_stay_finite():
    r = regression_metrics((-1e15, 1e15) * 5000, (1e15, -1e15) * 5000)
    for value in (r.mae, r.mse, r.rmse, r.r2, r.baseline_mse):
        assert np.isfinite(value)


def test_mismatched_lengths_and_too_few_samples():
    with pytest.raises(InputError) as error:
        regression_metrics((1, 2, 3), (1, 2))
    assert error.value.field == "y_pred" and "3" in str(error.value)
    with pytest.raises(InputError):
        regression_metrics((1,), (1,))


def test_worst_samples_are_the_largest_absolute_errors():
    r = regression_metrics(tuple(range(20)), tuple([0] * 20))
    assert r.worst == (19, 18, 17, 16, 15)
