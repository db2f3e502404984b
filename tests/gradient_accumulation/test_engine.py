"""The accumulation engine against worked examples from frameworks' own docs and a brute force."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculators.engine.grad_accum import (
    AccumulationInput,
    accumulate,
    exact_micro_batches,
    plan,
)
from calculators.kit.errors import InputError


def run(**kw):
    base = {"global_batch": 1024, "micro_batch": 4, "gpus": 8, "seq_len": 4096}
    return accumulate(AccumulationInput(**{**base, **kw}))


def test_contract_defaults_reach_llama_class_4m_tokens():
    r = run()
    assert r.accumulation_steps == 32
    assert r.tokens_per_step == 4_194_304  # 1024 x 4096, Llama 2's "4M tokens"
    assert r.is_clean_multiple and r.batch_below == r.batch_above == 1024


def test_megatron_documented_example():
    # Megatron-LM: --micro-batch-size 2 --global-batch-size 512, TP=4 PP=2 on 64 GPUs -> DP=8, m=32
    r = run(global_batch=512, micro_batch=2, gpus=64, tp=4, pp=2)
    assert r.data_parallel_size == 8
    assert r.accumulation_steps == 32


def test_nanogpt_default_tokens_per_iteration():
    # nanoGPT train.py prints 5 * 8 * 12 * 1024 = 491,520 tokens per iteration on 8 GPUs.
    r = run(global_batch=5 * 8 * 12, micro_batch=12, gpus=8, seq_len=1024)
    assert r.accumulation_steps == 5
    assert r.tokens_per_step == 491_520


def test_deepspeed_rejected_example_is_flagged_not_clean():
    # DeepSpeed: train=30, micro=4, world=2 fails its batch assertion (24 != 30).
    r = run(global_batch=30, micro_batch=4, gpus=2, rounding="down")
    assert not r.is_clean_multiple
    assert r.effective_global_batch == 24
    assert (r.batch_below, r.batch_above) == (24, 32)


def test_rounding_modes_on_a_remainder():
    # 1000 / 32 = 31.25: below 992 (-0.8%), above 1024 (+2.4%).
    assert run(global_batch=1000, rounding="nearest").effective_global_batch == 992
    assert run(global_batch=1000, rounding="up").effective_global_batch == 1024
    assert run(global_batch=1000, rounding="down").effective_global_batch == 992
    r = run(global_batch=1000)
    assert r.exact_accumulation == 31.25
    assert r.deviation_below_pct == pytest.approx(-0.8)
    assert r.deviation_above_pct == pytest.approx(2.4)


def test_nearest_tie_goes_up():
    # 1008 / 32 = 31.5: 992 and 1024 are both 16 away.
    assert run(global_batch=1008).effective_global_batch == 1024


def test_target_below_one_micro_step_holds_at_one_step():
    r = run(global_batch=10, rounding="down")
    assert r.target_below_one_micro_step
    assert r.accumulation_steps == 1 and r.effective_global_batch == 32


def test_indivisible_gpu_count_names_the_product():
    with pytest.raises(InputError) as err:
        run(gpus=10, tp=4)
    assert err.value.field == "gpus" and "4" in str(err.value)


def test_exact_micro_batches_divide_the_target():
    # 1000 on 8 GPUs: 8*mb must divide 1000 -> mb in {1, 5}; up to 16 -> also none else (125 = 5^3)
    splits = exact_micro_batches(1000, 8, 16)
    assert [(s.micro_batch, s.accumulation_steps) for s in splits] == [(1, 125), (5, 25)]


@given(st.integers(1, 100_000), st.integers(1, 64), st.integers(1, 400))
def test_exact_micro_batches_are_every_size_that_divides(global_batch, dp, up_to):
    # The definition, tried size by size.
    expected = [
        (mb, global_batch // (mb * dp))
        for mb in range(1, up_to + 1)
        if global_batch % (mb * dp) == 0
    ]
    found = exact_micro_batches(global_batch, dp, up_to)
    assert [(s.micro_batch, s.accumulation_steps) for s in found] == expected


def test_plan_lr_scaling_follows_the_papers_rules():
    p = plan(AccumulationInput(2048, 4, 8, 4096), ref_lr=3e-4, ref_batch=512)
    assert p.linear_lr == pytest.approx(3e-4 * 4)  # Goyal: k = 4 -> LR x 4
    assert p.sqrt_lr == pytest.approx(3e-4 * 2)  # square root: LR x 2


def brute_force(target, per_step, rounding):
    """Independent formulation: enumerate achievable batches and pick by the rule's definition."""
    candidates = [k * per_step for k in range(1, target // per_step + 3)]
    if rounding == "up":
        ok = [c for c in candidates if c >= target]
        return min(ok)
    if rounding == "down":
        ok = [c for c in candidates if c <= target]
        return max(ok) if ok else per_step
    return min(candidates, key=lambda c: (abs(c - target), -c))


scenarios = st.tuples(
    st.integers(1, 5000),
    st.integers(1, 64),
    st.integers(1, 64),
    st.sampled_from(["nearest", "up", "down"]),
)


@given(scenarios)
def test_properties_against_brute_force(s):
    target, micro, gpus, rounding = s
    r = run(global_batch=target, micro_batch=micro, gpus=gpus, rounding=rounding)
    per_step = micro * gpus
    assert r.effective_global_batch % per_step == 0
    assert r.accumulation_steps >= 1
    assert r.effective_global_batch == brute_force(target, per_step, rounding)
    if rounding == "up":
        assert r.effective_global_batch >= target
    if rounding == "down" and r.accumulation_steps > 1:
        assert r.effective_global_batch <= target
    assert r.batch_below <= max(target, per_step) and r.batch_above >= min(target, r.batch_above)
    assert r.tokens_per_step == r.effective_global_batch * 4096
