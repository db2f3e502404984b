"""95% intervals for MAE and RMSE: the normal-approximation and delta-method formulas computed
here with scipy, and agreement with a seeded percentile bootstrap where n is large."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from eval_metrics.engine.regression import CI_METHOD, regression_metrics

close = dict(rel=1e-9, abs=1e-12)


def analytic_intervals(y_true, y_pred):
    """MAE: a mean of |e|, so mean ± z·SEM (scipy.stats.sem: ddof=1, over √n). RMSE: the delta
    method on g(MSE) = √MSE, g′ = 1/(2√MSE), so SE(RMSE) = SEM(e²)/(2·RMSE)."""
    e = np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)
    mae_se = stats.sem(np.abs(e))
    rmse = np.sqrt(np.mean(e**2))
    rmse_se = stats.sem(e**2) / (2 * rmse) if rmse else 0.0
    mae_ci = stats.norm.interval(0.95, loc=np.mean(np.abs(e)), scale=mae_se) if mae_se else None
    rmse_ci = stats.norm.interval(0.95, loc=rmse, scale=rmse_se) if rmse_se else None
    return mae_se, mae_ci, rmse_se, rmse_ci


def assert_matches(y_true, y_pred):
    r = regression_metrics(tuple(y_true), tuple(y_pred))
    mae_se, mae_ci, rmse_se, rmse_ci = analytic_intervals(y_true, y_pred)
    assert r.mae_se == pytest.approx(mae_se, **close)
    assert r.rmse_se == pytest.approx(rmse_se, **close)
    for ours, theirs, estimate in ((r.mae_ci_95, mae_ci, r.mae), (r.rmse_ci_95, rmse_ci, r.rmse)):
        if theirs is None:  # zero spread: the interval is the estimate itself
            assert ours == pytest.approx((estimate, estimate), **close)
        else:  # a lower end below zero is clipped: neither error can be negative
            assert ours == pytest.approx((max(theirs[0], 0.0), theirs[1]), rel=1e-9, abs=1e-9)
    assert r.ci_method == CI_METHOD
    return r


values = st.floats(-1e4, 1e4, allow_nan=False, allow_subnormal=False)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(2, 40).flatmap(
        lambda n: st.tuples(
            st.lists(values, min_size=n, max_size=n), st.lists(values, min_size=n, max_size=n)
        )
    )
)
def test_random_inputs_match_the_formulas(pair):
    assert_matches(*pair)


def test_worked_example():
    # scikit-learn's example: errors 0.5, −0.5, 0, −1. |e| = 0.5, 0.5, 0, 1: mean 0.5, sample
    # sd √(1/6), SE √(1/6)/2 = 0.2041; interval 0.5 ± 1.959964 × 0.2041 = [0.0999, 0.9001].
    r = assert_matches((3, -0.5, 2, 7), (2.5, 0.0, 2, 8))
    assert r.mae_se == pytest.approx(np.sqrt(1 / 6) / 2)
    assert r.mae_ci_95 == pytest.approx((0.0999, 0.9001), abs=1e-4)


def test_perfect_predictions_have_a_zero_width_interval():
    r = assert_matches((1.0, 2.0, 3.0), (1.0, 2.0, 3.0))
    assert r.mae_ci_95 == (0.0, 0.0) and r.rmse_ci_95 == (0.0, 0.0)


def test_a_lower_end_below_zero_is_clipped():
    r = assert_matches((0.0, 0.0), (0.0, 10.0))  # |e| = 0, 10: 5 ± 1.96 × 5
    assert r.mae_ci_95[0] == 0.0 and r.mae_ci_95[1] == pytest.approx(5 + 1.959964 * 5)


@pytest.mark.parametrize("seed", range(3))
def test_large_samples_agree_with_a_seeded_percentile_bootstrap(seed):
    """What the analytic interval stands in for: 2,000 bootstrap resamples (numpy, seed fixed)
    of 20,000 heavy-tailed errors give the same interval to within 10% of its width (measured:
    under 3%)."""
    rng = np.random.default_rng(seed)
    n = 20_000
    y_true = rng.normal(0, 1, n)
    y_pred = y_true + rng.standard_t(5, n)  # heavier tails than normal errors
    r = assert_matches(y_true.tolist(), y_pred.tolist())
    e = y_true - y_pred
    boot = np.random.default_rng(1000 + seed)
    maes, rmses = [], []
    for _ in range(2000):
        sample = e[boot.integers(0, n, n)]
        maes.append(np.mean(np.abs(sample)))
        rmses.append(np.sqrt(np.mean(sample**2)))
    for ours, resampled in ((r.mae_ci_95, maes), (r.rmse_ci_95, rmses)):
        low, high = np.percentile(resampled, [2.5, 97.5])
        width = high - low
        assert ours[0] == pytest.approx(low, abs=0.1 * width)
        assert ours[1] == pytest.approx(high, abs=0.1 * width)
