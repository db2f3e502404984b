"""The Megatron snippet with a batch ramp-up and a training budget, run through Megatron's own
logic: megatron-core 0.18+ (the default, for 0.19.2, its latest release:
--step-batch-size-schedule, StepBatchsizeNumMicroBatchesCalculator, validate_args and
update_train_iters transcribed in test_engine_rampup.py from the 0.19.2 wheel on PyPI) and, as the
labelled alternative, megatron-core up to 0.17 (--rampup-batch-size,
RampupBatchsizeNumMicroBatchesCalculator and update_train_iters, transcribed in
test_engine_rampup.py). The ramp both must give is the one the page's inputs describe in
0.17's terms."""

import errno
import subprocess

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from calculators.catalog.framework_configs import MAX_ARGUMENT_CHARS, step_schedule_threshold
from calculators.engine.grad_accum import Options
from tests.gradient_accumulation.test_engine_rampup import (
    MegatronRampup,
    MegatronStepSchedule,
    assert_schedule_follows_ramp,
    megatron_batch_arguments,
    megatron_steps_for_budget,
    megatron_update_train_iters,
    parse_numeric_value,
    step_schedule_train_iters,
)
from tests.gradient_accumulation.test_framework_configs import parse_shell, scenario


def megatron_snippets(p):
    (mg,) = [s for s in p.snippets if s.framework == "megatron"]
    return mg


def one(flags, name) -> int:
    (value,) = flags[name]
    return int(value)


def data_parallel(flags) -> int:
    world = one(flags, "--nnodes") * one(flags, "--nproc_per_node")
    return world // (
        one(flags, "--tensor-model-parallel-size")
        * one(flags, "--pipeline-model-parallel-size")
        * one(flags, "--context-parallel-size")
    )


def check_ramp_snippets(p, train_tokens: int | None):
    """Both snippets against Megatron's code; returns the budget's optimizer steps (or None)."""
    mg = megatron_snippets(p)
    assert not mg.rejected
    seq_len = p.inputs.seq_len
    start, incr, ramp = p.options.rampup  # the ramp asked for, in 0.17's terms

    # megatron-core 0.19.2: --step-batch-size-schedule, no --global-batch-size.
    flags = parse_shell(mg.text)
    assert "--rampup-batch-size" not in flags  # accepted but ignored since 0.18
    dp = data_parallel(flags)
    mbs_dp = one(flags, "--micro-batch-size") * dp
    _, eval_batch = megatron_batch_arguments(flags, dp)  # raises on --global-batch-size
    (schedule,) = flags["--step-batch-size-schedule"]
    step = MegatronStepSchedule(schedule, one(flags, "--seq-length"), mbs_dp)
    gbs = step.global_batch_size
    assert eval_batch == gbs  # evaluates at the global batch, as a constant-batch run does

    # megatron-core up to 0.17, the labelled alternative.
    (alt,) = mg.alternatives
    assert "0.17" in alt.label and "--rampup-batch-size" in alt.label
    alt_flags = parse_shell(alt.text)
    assert [int(v) for v in alt_flags["--rampup-batch-size"]] == [start, incr, ramp]
    assert one(alt_flags, "--global-batch-size") == gbs
    assert "--step-batch-size-schedule" not in alt_flags

    # Both calculators give the same batch at every step, through the ramp and past it:
    # entry by entry, and iteration by iteration.
    assert_schedule_follows_ramp(step, MegatronRampup(gbs, mbs_dp, start, incr, ramp))
    ramp_calc, consumed, batches = MegatronRampup(gbs, mbs_dp, start, incr, ramp), 0, []
    after = 0
    while after < 3:  # every ramp step, then three at the full batch
        after += consumed > ramp
        ramp_calc.update(consumed, consistency_check=True)
        step.update(consumed, consistency_check=True)
        assert step.current == ramp_calc.current
        batches.append(step.current)
        consumed += step.current
    assert batches[-1] == gbs

    notes = [n.text for n in mg.notes]
    if train_tokens is None:
        assert "--train-samples" not in flags and "--train-samples" not in alt_flags
        (why,) = [t for t in notes if "Give the run's length as --train-samples" in t]
        assert f"micro-batch x DP = {mbs_dp:,}" in why  # arguments.py: the default batch
        return None

    budget_samples = -(-train_tokens // seq_len)
    expected = megatron_steps_for_budget(gbs, mbs_dp, start, incr, ramp, budget_samples)
    assert p.ramp_budget.optimizer_steps == expected
    assert step_schedule_train_iters(step, one(flags, "--train-samples")) == expected
    legacy_samples = one(alt_flags, "--train-samples")
    assert megatron_update_train_iters(gbs, mbs_dp, start, incr, ramp, legacy_samples) == expected

    # The budget ends inside the ramp when its last step trains below the global batch.
    calc, consumed, batches = MegatronStepSchedule(schedule, seq_len, mbs_dp), 0, []
    for _ in range(expected):
        calc.update(consumed, consistency_check=True)
        batches.append(calc.current)
        consumed += calc.current
    inside = [t for t in notes if "ends inside the batch ramp-up" in t]
    if batches[-1] < gbs:
        (note,) = inside
        assert f"--rampup-batch-size {start} {incr} {ramp}" in note
        assert f"the last at {batches[-1]:,}" in note
        assert f"gives it the budget, {budget_samples:,}" in note
        assert f"--train-samples is {legacy_samples:,} in the alternative" in note
    else:
        assert not inside
    (iters,) = [t for t in notes if "sets train_iters" in t]
    assert f"0.19.2 sets train_iters = {expected:,}" in iters
    return expected


def test_the_experts_budget_ends_inside_the_ramp():
    # ?train_tokens=4e9&rampup_start=32&rampup_increment=32&rampup_samples=2000000
    p = scenario(options=Options(train_tokens=4 * 10**9, rampup=(32, 32, 2_000_000)))
    assert check_ramp_snippets(p, 4 * 10**9) == 6_709  # Megatron's own loop, transcribed
    mg = megatron_snippets(p)
    assert parse_shell(mg.text)["--train-samples"] == ["976563"]  # 4e9 / 4096, rounded up
    assert parse_shell(mg.alternatives[0].text)["--train-samples"] == ["976563"]


def test_a_ramp_without_a_budget_runs_on_the_current_release():
    # megatron-core 0.19.2 has no 'expected no batch-size rampup for iteration-based training'
    # (0.17's refusal); the snippet warns how to give the length instead of refusing.
    p = scenario(options=Options(rampup=(32, 32, 10_000)))
    check_ramp_snippets(p, None)
    mg = megatron_snippets(p)
    assert not [n for n in mg.notes if n.kind == "rejects"]


ramp_budgets = st.tuples(
    st.sampled_from([(8, 1), (16, 2), (64, 2)]),  # gpus, tp
    st.integers(1, 4),  # start, in micro-steps
    st.integers(1, 3),  # increment, in micro-steps
    st.integers(10, 5_000),  # ramp samples
    st.integers(1, 40_000),  # budget in sequences
)


@settings(max_examples=40, deadline=None)
@given(ramp_budgets)
# The budget's last step starts at exactly the ramp's samples, already at the full batch (192,
# then 448): inside Megatron's ramp iterations, but not a run that ends below its global batch.
@example(((64, 2), 3, 1, 192, 529))
def test_ramp_snippets_give_megatron_the_budgets_steps(case):
    (gpus, tp), start, incr, ramp_samples, budget = case
    micro, seq_len = 2, 128
    per_step = micro * gpus // tp
    start, incr = start * per_step, incr * per_step
    gbs = start + 4 * incr
    p = scenario(
        global_batch=gbs,
        micro_batch=micro,
        gpus=gpus,
        tp=tp,
        seq_len=seq_len,
        options=Options(train_tokens=budget * seq_len, rampup=(start, incr, ramp_samples)),
    )
    check_ramp_snippets(p, budget * seq_len)


def test_a_long_schedule_is_printed_whole():
    # 4, 8, ..., 1,024 is 256 batches; Megatron's parser sets no limit on the entries.
    p = scenario(micro_batch=1, gpus=4, options=Options(train_tokens=10**9, rampup=(4, 4, 10**6)))
    check_ramp_snippets(p, 10**9)
    (schedule,) = parse_shell(megatron_snippets(p).text)["--step-batch-size-schedule"]
    assert len(schedule.split()) == 256


def test_a_schedule_too_long_for_one_argument_is_refused_with_the_reason():
    # 8, 16, ..., 65,536 is 8,192 batches: the schedule would be one argument of about 170,000
    # characters, and the kernel refuses to start a program with it.
    p = scenario(global_batch=65_536, micro_batch=1, gpus=8, options=Options(rampup=(8, 8, 10**10)))
    mg = megatron_snippets(p)
    assert mg.rejected and mg.alternatives == []
    flags = parse_shell(mg.text)
    assert flags["--rampup-batch-size"] == ["8", "8", "10000000000"]  # 0.17's, as labelled
    schedule = " ".join(f"{s.first_sample * 4096}:{s.global_batch}" for s in p.rampup.stages)
    schedule += f" {p.rampup.ramp_consumed * 4096}:65536"
    (refusal,) = [n.text for n in mg.notes if n.kind == "rejects" and "Linux" in n.text]
    assert f"{len(schedule):,} characters" in refusal and "8,192 entries" in refusal
    assert "megatron-core ≤ 0.17" in refusal
    # Measured: execve refuses the argument (E2BIG), and one of the largest length we print runs.
    with pytest.raises(OSError) as err:
        subprocess.run(["/bin/true", schedule], check=True)
    assert err.value.errno == errno.E2BIG
    subprocess.run(["/bin/true", "x" * MAX_ARGUMENT_CHARS], check=True)
    with pytest.raises(OSError):
        subprocess.run(["/bin/true", "x" * (MAX_ARGUMENT_CHARS + 1)], check=True)


def test_thresholds_past_float_precision_keep_the_ramp():
    # 1e13 ramp samples of 4,097 tokens: thresholds up to 4.1e16 tokens, past 2**53, and odd
    # sample counts (batches of 3 x k), so some token counts are not doubles.
    p = scenario(
        global_batch=192,
        micro_batch=3,
        gpus=1,
        seq_len=4097,
        options=Options(rampup=(3, 3, 10**13)),
    )
    mg = megatron_snippets(p)
    (schedule,) = parse_shell(mg.text)["--step-batch-size-schedule"]
    thresholds = [int(t.split(":")[0]) for t in schedule.split()]
    assert any(t > 2**53 and t % 4097 for t in thresholds)  # moved within its sample
    step = MegatronStepSchedule(schedule, 4097, 3)
    assert_schedule_follows_ramp(step, MegatronRampup(192, 3, 3, 3, 10**13))
    (info,) = [n.text for n in mg.notes if "past 2^53 tokens" in n.text]
    assert "within the same sample" in info


@settings(max_examples=300)
@given(st.integers(0, 10**13), st.integers(1, 10_485_760))
@example(10**13 - 1, 4097)  # 4.1e16 tokens, doubles 8 apart: the count moves up
@example(2**53 + 1, 1)  # one token per sample past 2**53: no double to write (not reachable
# from the form, whose ramp samples stop at 1e13)
def test_thresholds_read_back_as_their_sample(first_sample, seq_len):
    # Megatron reads a threshold with int(float(value)) and divides it by seq_length; past 2**53
    # tokens the written count moves within the sample's tokens, or there is none to write.
    tokens = step_schedule_threshold(first_sample, seq_len)
    if tokens is None:
        assert first_sample * seq_len > 2**53
        return
    assert parse_numeric_value(str(tokens)) // seq_len == first_sample
    if first_sample * seq_len <= 2**53:
        assert tokens == first_sample * seq_len
