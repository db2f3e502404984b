"""The flagship's parallel layout (TP × PP × CP × DP), token targets, the pipeline bubble, and the
budget, epoch and ramp-up tied together."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.engine.grad_accum import AccumulationInput, Options, accumulate, plan


def test_decomposition_names_each_degree():
    p = plan(AccumulationInput(512, 2, 64, 4096, tp=4, pp=2))
    assert p.decomposition == "64 GPUs = TP 4 \u00d7 PP 2 \u00d7 DP 8"
    assert plan(AccumulationInput(1024, 4, 8, 4096)).decomposition == "8 GPUs = DP 8"
    assert plan(AccumulationInput(1, 1, 1, 4096)).decomposition == "1 GPU = DP 1"
    cp = plan(AccumulationInput(1024, 4, 32, 4096, cp=2, tp=2)).decomposition
    assert cp == "32 GPUs = TP 2 \u00d7 CP 2 \u00d7 DP 8"


def test_token_target_four_million():
    # "4M tokens per step" at 4096 tokens: 976.5625 sequences; micro-steps of 4 x 8 = 32
    r = accumulate(AccumulationInput(1024, 4, 8, 4096, target_tokens=4_000_000))
    assert r.target_is_tokens and r.target_sequences == 976.5625
    assert r.exact_accumulation == pytest.approx(976.5625 / 32)
    assert r.accumulation_steps == 31 and r.effective_global_batch == 992
    assert (r.batch_below, r.batch_above) == (960, 992)
    assert r.deviation_pct == pytest.approx((992 * 4096 - 4e6) / 4e6 * 100)
    down = accumulate(AccumulationInput(1024, 4, 8, 4096, "down", target_tokens=4_000_000))
    assert down.effective_global_batch == 960


def test_token_target_that_is_whole_sequences_matches_the_sequence_target():
    by_tokens = accumulate(AccumulationInput(1, 4, 8, 4096, target_tokens=1024 * 4096))
    by_sequences = accumulate(AccumulationInput(1024, 4, 8, 4096))
    assert by_tokens.effective_global_batch == by_sequences.effective_global_batch == 1024
    assert by_tokens.is_clean_multiple


# The brute force walks up to about two million candidates: no deadline on a shared machine.
@settings(deadline=None)
@given(
    st.integers(1, 10**9),
    st.integers(1, 16),
    st.integers(1, 16),
    st.sampled_from([512, 1000, 4096]),
    st.sampled_from(["nearest", "up", "down"]),
)
def test_token_target_rounds_like_its_fractional_sequence_count(tokens, micro, gpus, seq, mode):
    r = accumulate(AccumulationInput(1, micro, gpus, seq, mode, target_tokens=tokens))
    per_step = micro * gpus * seq
    candidates = range(1, tokens // per_step + 3)
    if mode == "up":
        best = min(k for k in candidates if k * per_step >= tokens)
    elif mode == "down":
        below = [k for k in candidates if k * per_step <= tokens]
        best = max(below) if below else 1
    else:
        best = min(candidates, key=lambda k: (abs(k * per_step - tokens), -k))
    assert r.accumulation_steps == best


def test_bubble_follows_the_accumulation_count():
    # Megatron example: m = 32 on PP = 2 -> (2 - 1) / 32
    p = plan(AccumulationInput(512, 2, 64, 4096, tp=4, pp=2))
    assert p.pipeline.microbatches == 32
    assert p.pipeline.bubble_fraction == pytest.approx(1 / 32)
    flat = plan(AccumulationInput(1024, 4, 8, 4096))
    assert flat.pipeline.bubble_fraction == 0


def test_budget_time_epoch_and_ramp_come_together():
    options = Options(
        train_tokens=10**12,
        params_b=8,
        peak_tflops=989,
        mfu=0.4,
        dataset_sequences=1_000_000,
        rampup=(128, 128, 1_000_000),
    )
    p = plan(AccumulationInput(1024, 4, 32, 4096), options=options)
    assert p.budget.optimizer_steps == -(-(10**12) // (1024 * 4096))
    assert p.throughput.seconds_per_step == pytest.approx(
        6 * 8e9 * 1024 * 4096 / (32 * 989e12 * 0.4)
    )
    assert p.epoch.full_optimizer_steps == (1_000_000 // 32 // 4) // 8
    assert p.ramp_budget.optimizer_steps > p.budget.optimizer_steps  # smaller early batches
    assert [r.accumulation_steps for r in p.tradeoff] == [4, 8, 16]
