"""Log loss and Brier score against scikit-learn, including its clipping at 0 and 1."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.dummy import DummyClassifier
from sklearn.metrics import brier_score_loss, log_loss

from calculators.kit.errors import InputError
from eval_metrics.engine.log_loss import MAX_SAMPLE_LOSS, log_loss_metrics

close = dict(rel=1e-9, abs=1e-12)


def assert_matches_sklearn(y_true, y_prob):
    r = log_loss_metrics(tuple(y_true), tuple(y_prob))
    y, p = np.array(y_true), np.array(y_prob, dtype=float)
    # labels=[0, 1]: scikit-learn otherwise refuses inputs with one class present.
    assert r.log_loss == pytest.approx(log_loss(y, p, labels=[0, 1]), **close)
    assert r.total_loss == pytest.approx(log_loss(y, p, labels=[0, 1], normalize=False), **close)
    assert r.log_loss_bits == pytest.approx(log_loss(y, p, labels=[0, 1]) / math.log(2), **close)
    assert r.brier == pytest.approx(brier_score_loss(y, p, pos_label=1), **close)
    # The baseline: scikit-learn's own prior-predicting dummy classifier, scored by scikit-learn.
    dummy = DummyClassifier(strategy="prior").fit(np.zeros((len(y), 1)), y)
    prior = dummy.predict_proba(np.zeros((len(y), 1)))
    prior_p1 = prior[:, -1] if dummy.classes_[-1] == 1 else 1 - prior[:, -1]
    assert r.baseline_log_loss == pytest.approx(log_loss(y, prior_p1, labels=[0, 1]), **close)
    assert r.baseline_brier == pytest.approx(brier_score_loss(y, prior_p1, pos_label=1), **close)
    # Every per-sample contribution is scikit-learn's loss of that sample alone.
    for i in range(min(len(y), 12)):
        alone = log_loss([y[i]], [p[i]], labels=[0, 1])
        assert r.per_sample[i] == pytest.approx(alone, **close)
    return r


def test_scikit_learn_documentation_example():
    # log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]])
    # = 0.21616...: "ham" < "spam", so spam is class 1 with P(1) = .9, .1, .2, .65.
    r = assert_matches_sklearn([1, 0, 0, 1], [0.9, 0.1, 0.2, 0.65])
    assert r.log_loss == pytest.approx(0.21616, abs=5e-6)


labels = st.integers(0, 1)
probabilities = st.one_of(
    st.floats(0, 1, allow_nan=False),
    st.sampled_from([0.0, 1.0, 1e-17, 1e-300, 1 - 1e-16, 0.5]),  # the clipping edges
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(labels, probabilities), min_size=1, max_size=40))
def test_random_inputs_match_scikit_learn(rows):
    y_true, y_prob = zip(*rows, strict=True)
    assert_matches_sklearn(y_true, y_prob)


@pytest.mark.parametrize("seed", range(30))
def test_seeded_large_inputs_match_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 5000))
    p = rng.beta(rng.uniform(0.2, 3), rng.uniform(0.2, 3), n)
    y = (rng.random(n) < p).astype(int)
    if seed % 3 == 0:
        p[rng.integers(0, n, 3)] = rng.choice([0.0, 1.0], 3)
    assert_matches_sklearn(y.tolist(), p.tolist())


def test_confident_mistake_costs_the_clipped_maximum():
    r = assert_matches_sklearn([1, 0], [0.0, 1.0])
    assert r.clipped == 2
    assert r.per_sample[0] == pytest.approx(-math.log(np.finfo(np.float64).eps))
    assert pytest.approx(36.04365338911715) == MAX_SAMPLE_LOSS


def test_base_rate_entropy_is_one_bit_for_balanced_labels():
    r = log_loss_metrics((0, 1, 0, 1), (0.5, 0.5, 0.5, 0.5))
    assert r.baseline_log_loss_bits == pytest.approx(1.0)
    assert r.log_loss == pytest.approx(math.log(2))


def test_worst_samples_and_shares():
    r = log_loss_metrics((1, 1, 0, 0, 1, 0, 1, 0), (0.9, 0.1, 0.2, 0.3, 0.8, 0.95, 0.6, 0.4))
    assert [w.index for w in r.worst] == [5, 1]  # P(true) 0.05, then 0.1
    assert sum(r.per_sample) == pytest.approx(r.total_loss)
    assert r.worst[0].share == pytest.approx(r.per_sample[5] / r.total_loss)


def test_bad_inputs_name_the_parameter():
    with pytest.raises(InputError) as error:
        log_loss_metrics((0, 1, 1), (0.5, 0.5))
    assert error.value.field == "y_prob"
    with pytest.raises(InputError) as error:
        log_loss_metrics((0, 2), (0.5, 0.5))
    assert error.value.field == "y_true" and "0 and 1" in str(error.value)


def test_length_mismatch_message_counts_in_words():
    with pytest.raises(InputError) as error:
        log_loss_metrics((0, 1, 1), (0.5,))
    assert str(error.value).startswith("y_prob has 1 value but y_true has 3 values:")
