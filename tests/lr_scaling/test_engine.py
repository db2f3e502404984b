"""LR-scaling engine against the papers' own statements and tables, plus properties.

Expected numbers come from the sources, not from this code:
- Goyal et al. 2017, Table (ResNet-50, ImageNet): 0.1 works at 256; the linear rule gives 0.1 x 32
  at 8k and the square-root alternative 0.1 x sqrt(32).
- Malladi et al. 2022 (as restated by the first author): batch x kappa => LR x sqrt(kappa),
  beta -> 1 - kappa (1 - beta), eps -> eps / sqrt(kappa).
- McCandlish et al. 2018, eq. 2.11-2.12: (S/S_min - 1)(E/E_min - 1) = 1, B_crit = E_min/S_min,
  so at B = B_crit both are twice their minimum.
- Kaplan et al. 2020, Sec 5.1: B_crit roughly doubles for every 13% drop in loss.
- DeepSeek LLM (arXiv 2401.02954): Table 3 (FLOPs/token M for given shapes), Table 2 (the 7B and
  67B settings chosen from Formula 1).
"""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculators.kit.errors import InputError
from lr_scaling.engine import (
    ScalingInput,
    adam_companions,
    critical_tradeoff,
    deepseek_flops_per_token,
    deepseek_optimum,
    kaplan_critical_batch_tokens,
    scale,
    warmup_plan,
)

lrs = st.floats(min_value=1e-8, max_value=1.0)
batches = st.integers(min_value=1, max_value=10**9)


def run(**kwargs):
    return scale(ScalingInput(**{"base_lr": 3e-4, "base_batch": 256, "new_batch": 1024, **kwargs}))


# --- Goyal et al. 2017 -------------------------------------------------------------------------


def test_goyal_resnet50_8k_linear_rule():
    r = run(base_lr=0.1, base_batch=256, new_batch=8192, optimizer="sgd")
    assert r.batch_ratio == 32
    assert r.linear_lr == pytest.approx(0.1 * 32)
    assert r.recommended_rule == "linear" and r.recommended_lr == r.linear_lr


def test_goyal_square_root_alternative_at_8k():
    r = run(base_lr=0.1, base_batch=256, new_batch=8192)
    assert r.sqrt_lr == pytest.approx(0.1 * math.sqrt(32))


def test_goyal_reference_formula_eta_is_0_1_times_kn_over_256():
    # Goyal: eta = 0.1 * kn / 256 for ResNet-50; k = 8 workers of n = 32 images.
    assert run(base_lr=0.1, base_batch=256, new_batch=8 * 32, optimizer="sgd").linear_lr == 0.1
    r = run(base_lr=0.1, base_batch=256, new_batch=64 * 32, optimizer="sgd")
    assert r.linear_lr == pytest.approx(0.1 * 64 * 32 / 256)


# --- Malladi et al. 2022 -----------------------------------------------------------------------


def test_malladi_rule_at_kappa_4_by_hand():
    r = run(base_lr=3e-4, base_batch=256, new_batch=1024, beta1=0.9, beta2=0.999, eps=1e-8)
    assert r.recommended_rule == "sqrt"
    assert r.recommended_lr == pytest.approx(6e-4)  # 3e-4 x sqrt(4)
    assert r.adam.beta1 == pytest.approx(0.6)  # 1 - 4 x 0.1
    assert r.adam.beta2 == pytest.approx(0.996)  # 1 - 4 x 0.001
    assert r.adam.eps == pytest.approx(5e-9)  # 1e-8 / 2
    assert r.adam.applicable


def test_malladi_rule_shrinking_the_batch():
    a = adam_companions(0.9, 0.95, 1e-8, 0.25)
    assert a.beta1 == pytest.approx(0.975) and a.beta2 == pytest.approx(0.9875)
    assert a.eps == pytest.approx(2e-8)


def test_malladi_rule_runs_out_of_valid_betas():
    # 1 - kappa (1 - 0.9) reaches 0 at kappa = 10: no valid beta1 from there on.
    assert adam_companions(0.9, 0.999, 1e-8, 9.9).applicable
    at_limit = adam_companions(0.9, 0.999, 1e-8, 10)
    assert not at_limit.applicable and at_limit.max_ratio == pytest.approx(10)
    r = run(base_batch=256, new_batch=256 * 16)
    assert "adam_betas_out_of_range" in r.cautions and "large_ratio" in r.cautions


@given(
    st.floats(min_value=0.0, max_value=0.999),
    st.floats(min_value=0.01, max_value=10),
    st.floats(min_value=0.01, max_value=10),
)
def test_malladi_rule_composes(beta, k1, k2):
    """Scaling by k1 then k2 equals scaling by k1 k2: the rule is a group action on (1 - beta)."""
    once = adam_companions(beta, beta, 1e-8, k1 * k2)
    first = adam_companions(beta, beta, 1e-8, k1)
    twice = adam_companions(first.beta1, first.beta2, first.eps, k2)
    assert twice.beta1 == pytest.approx(once.beta1, abs=1e-9)
    assert twice.eps == pytest.approx(once.eps, rel=1e-9)


# --- Properties of both rules -------------------------------------------------------------------


@given(lrs, batches)
def test_identity_at_ratio_one(lr, batch):
    r = run(base_lr=lr, base_batch=batch, new_batch=batch)
    assert r.batch_ratio == 1
    assert r.linear_lr == lr and r.sqrt_lr == lr
    assert r.adam.beta1 == pytest.approx(0.9) and r.adam.eps == pytest.approx(1e-8)


@given(lrs, batches, batches, batches)
def test_monotone_in_the_ratio(lr, base, a, b):
    small, large = sorted((a, b))
    lo, hi = (
        run(base_lr=lr, base_batch=base, new_batch=small),
        run(base_lr=lr, base_batch=base, new_batch=large),
    )
    assert lo.linear_lr <= hi.linear_lr and lo.sqrt_lr <= hi.sqrt_lr
    if small < large:
        assert lo.linear_lr < hi.linear_lr and lo.sqrt_lr < hi.sqrt_lr


@given(lrs, batches, batches)
def test_square_root_is_the_gentler_rule(lr, base, new):
    r = run(base_lr=lr, base_batch=base, new_batch=new)
    if new >= base:
        assert lr <= r.sqrt_lr <= r.linear_lr * (1 + 1e-12)
    else:
        assert lr >= r.sqrt_lr >= r.linear_lr * (1 - 1e-12)
    # The square-root LR is the geometric mean of the old LR and the linear one.
    assert r.sqrt_lr == pytest.approx(math.sqrt(lr * r.linear_lr), rel=1e-9)


def test_contract_defaults():
    r = run()
    assert (r.batch_ratio, r.recommended_rule) == (4, "sqrt")
    assert r.linear_lr == pytest.approx(1.2e-3) and r.sqrt_lr == pytest.approx(6e-4)
    assert r.cautions == ()


def test_large_ratio_flagged_both_ways():
    assert "large_ratio" in run(base_batch=100, new_batch=900).cautions
    assert "large_ratio" in run(base_batch=900, new_batch=100).cautions
    assert "large_ratio" not in run(base_batch=100, new_batch=800, optimizer="sgd").cautions


# --- McCandlish et al. 2018 and Kaplan et al. 2020 ---------------------------------------------


def test_at_the_critical_batch_steps_and_data_are_twice_their_minimum():
    c = critical_tradeoff(1000, 4000, 4000, "given", None)
    assert c.new_steps_factor == 2 and c.new_data_factor == 2
    assert not c.new_beyond


@given(st.floats(min_value=1, max_value=1e9), st.floats(min_value=1, max_value=1e9))
def test_tradeoff_satisfies_mccandlish_eq_2_11(batch, critical):
    c = critical_tradeoff(batch, batch, critical, "given", None)
    assert (c.base_steps_factor - 1) * (c.base_data_factor - 1) == pytest.approx(1)


def test_past_the_critical_batch_steps_barely_fall_while_data_grows():
    r = run(base_batch=1000, new_batch=8000, critical_batch=1000.0, optimizer="sgd")
    c = r.critical
    assert c.new_beyond and "beyond_critical_batch" in r.cautions
    assert c.steps_change == pytest.approx((1 + 1000 / 8000) / 2)  # 0.5625: 8x batch, 44% fewer
    assert c.data_change == pytest.approx((1 + 8) / 2)  # 4.5x the data


def test_kaplan_critical_batch_doubles_per_13_percent_lower_loss():
    ratio = kaplan_critical_batch_tokens(0.87 * 3.0) / kaplan_critical_batch_tokens(3.0)
    assert ratio == pytest.approx(2, rel=0.05)


def test_kaplan_estimate_is_converted_to_sequences():
    r = run(target_loss=3.0, seq_len=2048)
    tokens = 2e8 / 3.0 ** (1 / 0.21)
    assert r.critical.source == "kaplan"
    assert r.critical.critical_batch == pytest.approx(tokens / 2048)
    assert r.critical.critical_batch_tokens == pytest.approx(tokens)


# --- Warmup and schedule ------------------------------------------------------------------------


def test_warmup_both_ways_by_hand():
    w = warmup_plan(2000, 256, 1024, 4096)
    assert (w.same_steps, w.same_data_steps) == (2000, 500)
    assert w.base_tokens == 2000 * 256 * 4096 == w.same_data_tokens
    assert w.same_steps_tokens == 4 * w.base_tokens


@given(st.integers(min_value=0, max_value=10**6), batches, batches)
def test_same_data_warmup_is_the_fewest_steps_covering_the_data(steps, base, new):
    w = warmup_plan(steps, base, new, None)
    assert w.same_data_samples >= w.base_samples
    assert (w.same_data_steps - 1) * new < w.base_samples or w.same_data_steps == 0


def test_schedule_steps_from_tokens():
    r = run(base_batch=256, new_batch=1024, seq_len=4096, tokens=2e12, base_warmup=2000)
    assert r.schedule.base_steps == math.ceil(2e12 / (256 * 4096))
    assert r.schedule.new_steps == math.ceil(2e12 / (1024 * 4096))
    assert r.schedule.warmup_share == pytest.approx(2000 / r.schedule.new_steps)


# --- DeepSeek LLM -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "layers, width, m_in_table_3",
    [(8, 512, 352e6), (12, 768, 963e6), (24, 1024, 3.02e9), (24, 2048, 9.66e9),
     (32, 4096, 45.1e9), (40, 5120, 85.6e9), (80, 8192, 419e9)],
)  # fmt: skip
def test_flops_per_token_matches_deepseek_table_3(layers, width, m_in_table_3):
    assert deepseek_flops_per_token(layers, width, 4096) == pytest.approx(m_in_table_3, rel=0.005)


@pytest.mark.parametrize(
    "layers, width, sequences, paper_lr, stated_compute",
    [(30, 4096, 2304, 4.2e-4, 8.46e22), (95, 8192, 4608, 3.2e-4, 9.95e23)],
)
def test_deepseek_laws_reproduce_their_7b_and_67b_settings(
    layers, width, sequences, paper_lr, stated_compute
):
    # Table 2: 4096-token context, 2.0T tokens; batch in sequences of 4096 tokens.
    r = run(layers=layers, hidden=width, seq_len=4096, tokens=2.0e12)
    o = r.compute_optimal
    assert o.compute == pytest.approx(stated_compute, rel=0.002)
    assert o.lr == pytest.approx(paper_lr, rel=0.03)
    assert o.batch_tokens == pytest.approx(sequences * 4096, rel=0.10)
    assert not o.in_fitted_range  # 1e17 to 2e19: both runs are extrapolations


def test_deepseek_7b_and_67b_values_quoted_on_the_page():
    lr7, b7 = deepseek_optimum(8.46e22)
    lr67, b67 = deepseek_optimum(9.95e23)
    assert (round(lr7, 6), round(b7 / 1e6, 1)) == (4.25e-4, 9.2)
    assert (round(lr67, 6), round(b67 / 1e6, 1)) == (3.12e-4, 20.7)


def test_deepseek_from_given_compute_inside_the_fitted_range():
    o = run(flops=1e19).compute_optimal
    assert o.source == "given" and o.in_fitted_range and o.batch_sequences is None
    assert o.lr == pytest.approx(0.3118 * 1e19**-0.125)


# --- Inputs that only make sense together -------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"optimizer": "lion"}, "optimizer"),
        ({"critical_batch": 100.0, "target_loss": 2.0, "seq_len": 1}, "target_loss"),
        ({"target_loss": 2.0}, "target_loss"),
        ({"tokens": 1e9}, "tokens"),
        ({"layers": 4}, "hidden"),
        ({"hidden": 512}, "layers"),
        ({"layers": 4, "hidden": 512, "seq_len": 1024}, "tokens"),
        ({"layers": 4, "hidden": 512, "flops": 1e20}, "flops"),
        ({"base_batch": 0}, "base_batch"),
    ],
)
def test_incomplete_companions_name_the_field(kwargs, field):
    with pytest.raises(InputError) as caught:
        run(**kwargs)
    assert caught.value.field == field


@given(st.floats(min_value=1, max_value=1e6), st.floats(min_value=1, max_value=1e6))
def test_past_the_critical_batch_a_doubling_saves_at_most_a_quarter_of_steps(critical, excess):
    """What the page says past B_crit: doubling saves <= 25% of steps and costs >= 1.5x data."""
    batch = critical + excess
    c = critical_tradeoff(batch, 2 * batch, critical, "given", None)
    assert c.steps_change >= 0.75 - 1e-12 and c.data_change >= 1.5 - 1e-12
