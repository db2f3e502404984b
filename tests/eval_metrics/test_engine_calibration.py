"""The reliability table and expected calibration error against scikit-learn's
calibration_curve and an ECE computed here from its definition."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve

from eval_metrics.engine.log_loss import CALIBRATION_BINS, log_loss_metrics

close = dict(rel=1e-9, abs=1e-12)


def ece_by_definition(y, p, bins=10):
    """ECE = Σ_b (|B_b| / N)·|acc(B_b) − conf(B_b)| (Guo et al. 2017, eq. 3; Naeini et al. 2015),
    acc the bin's fraction of 1s and conf its mean probability. Bins as scikit-learn's
    calibration_curve(strategy="uniform") makes them: np.linspace edges and
    np.searchsorted(edges[1:-1], p), so each bin is (lower, upper] and the first takes 0."""
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.searchsorted(edges[1:-1], p)
    total = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            total += members.mean() * abs(y[members].mean() - p[members].mean())
    return total, np.bincount(which, minlength=bins)


def assert_matches(y, p):
    r = log_loss_metrics(tuple(y), tuple(p))
    ece, counts = ece_by_definition(y, p)
    assert r.ece == pytest.approx(ece, **close)
    assert r.calibration_bins == CALIBRATION_BINS == 10
    assert [b.count for b in r.reliability] == counts.tolist()
    assert sum(b.positives for b in r.reliability) == sum(y)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
    filled = [b for b in r.reliability if b.count]
    assert [b.observed for b in filled] == pytest.approx(prob_true.tolist(), **close)
    assert [b.mean_predicted for b in filled] == pytest.approx(prob_pred.tolist(), **close)
    for b in filled:
        assert b.gap == pytest.approx(b.observed - b.mean_predicted, **close)
    for b in r.reliability:
        if not b.count:
            assert b.observed is b.mean_predicted is b.gap is None
    edges = np.linspace(0, 1, 11).tolist()
    assert [(b.lower, b.upper) for b in r.reliability] == list(zip(edges, edges[1:], strict=False))
    return r


# Values on and either side of the bin edges, where right-closed and left-closed bins differ.
edge_values = [k * 0.1 for k in range(11)] + [k / 10 for k in range(11)]
edge_values += [np.nextafter(v, 2).item() for v in edge_values if v < 1]
probabilities = st.one_of(st.floats(0, 1, allow_nan=False), st.sampled_from(edge_values))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), probabilities), min_size=1, max_size=80))
def test_random_inputs_match_scikit_learn_and_the_definition(rows):
    y, p = (list(column) for column in zip(*rows, strict=True))
    assert_matches(y, p)


@pytest.mark.parametrize("seed", range(10))
def test_seeded_large_inputs(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(100, 20_000))
    p = rng.beta(0.5 + seed, 2.0, n)
    y = (rng.uniform(size=n) < p**1.3).astype(int)  # miscalibrated on purpose
    assert_matches(y.tolist(), p.tolist())


def test_worked_example():
    # Two samples per bin in two bins: (0.1, 0.2] holds p = 0.15, 0.2 with labels 0, 1 →
    # observed 0.5, mean 0.175, gap 0.325; (0.8, 0.9] holds 0.85, 0.9 with 1, 1 → gap 0.125.
    # ECE = (2/4)·0.325 + (2/4)·0.125 = 0.225.
    r = assert_matches([0, 1, 1, 1], [0.15, 0.2, 0.85, 0.9])
    assert r.ece == pytest.approx(0.225)
    assert r.reliability[1].count == 2 and r.reliability[8].count == 2


def test_perfectly_calibrated_bins_score_zero():
    r = assert_matches([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])
    assert r.ece == 0
