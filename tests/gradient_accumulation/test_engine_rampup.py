"""Megatron's batch ramp-up against its documented example and a literal transcription of its
calculator and training loop (num_microbatches_calculator.py, training.py): the ramp of
megatron-core up to 0.17 and the step schedule of 0.18 and later (0.19.2, its latest release)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.engine.rampup import (
    megatron_train_iters,
    megatron_train_samples,
    rampup,
    steps_to_consume,
)
from calculators.kit.errors import InputError


def test_documented_example_126_increments():
    # arguments.py: --rampup-batch-size 16 8 300000 --global-batch-size 1024 "will start with
    # global batch size 16 and over (1024 - 16) / 8 = 126 intervals will increase the batch
    # size linearly to 1024. In each interval we will use approximately 300000 / 126 = 2380
    # samples."
    r = rampup(16, 8, 300_000, 1024, per_micro_step=8)
    assert r.num_increments == 126
    assert int(r.samples_per_increment) == 2380
    assert r.stages[0].global_batch == 16 and r.stages[-1].global_batch == 1024 - 8
    assert [s.global_batch for s in r.stages[:3]] == [16, 24, 32]
    assert r.stages[0].accumulation_steps == 2  # 16 / (micro-batch x DP = 8)


class MegatronRampup:
    """RampupBatchsizeNumMicroBatchesCalculator, transcribed (no decrease_batch_size flag) from
    megatron-core 0.16.1 (PyPI) megatron/core/num_microbatches_calculator.py."""

    def __init__(self, gbs, mbs_times_dp, start, incr, ramp_samples):
        self.gbs, self.mbs_dp, self.start, self.incr, self.ramp = (
            gbs,
            mbs_times_dp,
            start,
            incr,
            ramp_samples,
        )
        assert gbs - start >= 0 and (gbs - start) % incr == 0
        self.per_increment = ramp_samples / ((gbs - start) // incr)
        self.update(0, consistency_check=False)

    def update(self, consumed, consistency_check):
        if consumed > self.ramp:
            self.current = self.gbs
        else:
            steps = int(consumed / self.per_increment)
            self.current = self.start + steps * self.incr
            assert self.current <= self.gbs
        if consistency_check:
            assert self.current % self.mbs_dp == 0


def megatron_training(gbs, mbs_dp, start, incr, ramp, iterations):
    """The training loop: update at the consumed count, then consume the current batch."""
    calc = MegatronRampup(gbs, mbs_dp, start, incr, ramp)
    consumed, batches = 0, []
    for _ in range(iterations):
        calc.update(consumed, consistency_check=True)
        batches.append(calc.current)
        consumed += calc.current
    return batches


def megatron_update_train_iters(gbs, mbs_dp, start, incr, ramp, train_samples):
    """update_train_iters with a ramp, transcribed from Megatron-LM tag core_v0.16.1
    (commit 55ac708, megatron/training/training.py; the same from v0.11.0 to core_v0.17.1):
    the ramp-phase loop also stops once consumed passes train_samples, and the constant phase
    is only added when train_samples is still ahead."""
    calc = MegatronRampup(gbs, mbs_dp, start, incr, ramp)
    iterations = 0
    consumed_samples = 0
    # Rampup phase.
    while consumed_samples <= ramp and consumed_samples <= train_samples:
        calc.update(consumed_samples, consistency_check=False)
        consumed_samples += calc.current
        iterations += 1
    # Constant phase. Note that we throw away any partial last batch.
    if train_samples > consumed_samples:
        iterations += (train_samples - consumed_samples) // gbs
    return iterations


def megatron_steps_for_budget(gbs, mbs_dp, start, incr, ramp, budget_samples):
    """Optimizer steps of Megatron's training loop until at least budget_samples are
    consumed (the page's definition of a budget's steps)."""
    calc = MegatronRampup(gbs, mbs_dp, start, incr, ramp)
    steps = consumed = 0
    while consumed < budget_samples:
        calc.update(consumed, consistency_check=True)
        consumed += calc.current
        steps += 1
    return steps


def parse_numeric_value(value_str: str) -> int:
    """StepBatchsizeNumMicroBatchesCalculator._parse_numeric_value, megatron-core 0.19.2
    megatron/core/num_microbatches_calculator.py."""
    value_str = value_str.strip().upper()
    multiplier = 1
    if value_str.endswith("T"):
        multiplier = 1_000_000_000_000
        value_str = value_str[:-1]
    elif value_str.endswith("B"):
        multiplier = 1_000_000_000
        value_str = value_str[:-1]
    elif value_str.endswith("M"):
        multiplier = 1_000_000
        value_str = value_str[:-1]
    elif value_str.endswith("K"):
        multiplier = 1_000
        value_str = value_str[:-1]
    return int(float(value_str) * multiplier)


class MegatronStepSchedule:
    """StepBatchsizeNumMicroBatchesCalculator (megatron-core 0.19.2): _parse_schedule,
    _validate_schedule, _get_batch_size_for_samples and update. megatron/training/global_vars.py
    passes seq_length=args.seq_length, so thresholds are tokens."""

    def __init__(self, schedule_str: str, seq_length: int, mbs_times_dp: int):
        schedule = []
        for entry in schedule_str.strip().replace(",", " ").split():
            assert ":" in entry
            threshold_str, batch_size_str = entry.split(":", 1)
            threshold = parse_numeric_value(threshold_str)
            batch_size = parse_numeric_value(batch_size_str)
            if seq_length is not None:
                threshold = threshold // seq_length
            schedule.append((threshold, batch_size))
        schedule.sort(key=lambda x: x[0])
        assert schedule and schedule[0][0] == 0
        for i in range(1, len(schedule)):
            assert schedule[i][0] > schedule[i - 1][0]
        self.schedule = schedule
        self.global_batch_size = schedule[-1][1]
        self.mbs_dp = mbs_times_dp
        self.current = None

    def update(self, consumed_samples: int, consistency_check: bool) -> None:
        batch_size = self.schedule[0][1]
        for threshold, bs in self.schedule:
            if consumed_samples >= threshold:
                batch_size = bs
            else:
                break
        self.current = batch_size
        if consistency_check:
            assert self.current % self.mbs_dp == 0


def step_schedule_train_iters(calc: MegatronStepSchedule, train_samples: int) -> int:
    """update_train_iters with --step-batch-size-schedule (megatron-core 0.19.2
    megatron/training/training.py)."""
    iterations = 0
    consumed_samples = 0
    while consumed_samples < train_samples:
        calc.update(consumed_samples, consistency_check=False)
        consumed_samples += calc.current
        iterations += 1
    return iterations


def assert_schedule_follows_ramp(step: MegatronStepSchedule, ramp: MegatronRampup) -> None:
    """Every iteration trains at the same batch under both calculators, checked per entry
    rather than per iteration (a ramp can last billions of samples): from threshold T_i the
    schedule trains B_i at T_i, T_i + B_i, ... up to T_(i+1), which must be one of those
    boundaries; the ramp's batch never decreases with consumed samples, so it is B_i at all
    of them when it is B_i at the first and the last, and the next batch starts at T_(i+1)."""
    entries = step.schedule
    for (threshold, batch), (following, _) in zip(entries, entries[1:], strict=False):
        assert (following - threshold) % batch == 0
        for consumed in (threshold, following - batch):
            ramp.update(consumed, consistency_check=True)
            assert ramp.current == batch
    last, gbs = entries[-1]
    ramp.update(last, consistency_check=True)
    assert ramp.current == gbs == ramp.gbs  # its largest batch: constant from here on


def megatron_batch_arguments(flags: dict[str, list[str]], dp: int) -> tuple[int, int]:
    """The batch part of validate_args, megatron-core 0.19.2 megatron/training/arguments.py
    (lines 675-696): a step schedule refuses an explicit --global-batch-size, which then
    defaults to micro-batch x DP, as does the evaluation batch. Returns (global_batch_size,
    eval_global_batch_size)."""
    micro = int(flags["--micro-batch-size"][0])
    given = "--global-batch-size" in flags
    if "--step-batch-size-schedule" in flags and given:
        raise ValueError("Cannot specify both --step-batch-size-schedule and --global-batch-size")
    global_batch_size = int(flags["--global-batch-size"][0]) if given else micro * dp
    eval_global = int(flags.get("--eval-global-batch-size", [global_batch_size])[0])
    assert eval_global % (micro * dp) == 0
    return global_batch_size, eval_global


ramps = st.integers(1, 6).flatmap(
    lambda unit: st.tuples(
        st.just(unit),  # micro-batch x DP
        st.integers(1, 5).map(lambda s: s * unit),  # start
        st.integers(1, 4).map(lambda i: i * unit),  # increment
        st.integers(1, 12),  # increments
        st.integers(1, 3000),  # ramp samples
    )
)


@settings(max_examples=200)
@given(ramps)
def test_stages_match_megatrons_own_loop(case):
    unit, start, incr, increments, ramp_samples = case
    gbs = start + increments * incr
    r = rampup(start, incr, ramp_samples, gbs, unit)
    expanded = [s.global_batch for s in r.stages for _ in range(s.optimizer_steps)]
    assert expanded == megatron_training(gbs, unit, start, incr, ramp_samples, len(expanded))
    assert r.ramp_consumed == sum(expanded)
    inside = (0, 1, start, start + 1, ramp_samples // 2, ramp_samples, ramp_samples + 1)
    after = (r.ramp_consumed - 1, r.ramp_consumed, r.ramp_consumed + 5 * gbs + 1)
    for train_samples in inside + after:
        expected = megatron_update_train_iters(gbs, unit, start, incr, ramp_samples, train_samples)
        assert megatron_train_iters(train_samples, r) == expected


@settings(max_examples=100)
@given(ramps, st.integers(1, 20_000))
def test_steps_to_consume_is_the_first_step_reaching_the_budget(case, train_samples):
    unit, start, incr, increments, ramp_samples = case
    gbs = start + increments * incr
    r = rampup(start, incr, ramp_samples, gbs, unit)
    steps, consumed = steps_to_consume(train_samples, r)
    batches = megatron_training(gbs, unit, start, incr, ramp_samples, steps)
    assert sum(batches) == consumed >= train_samples
    assert sum(batches[:-1]) < train_samples


@settings(max_examples=200, deadline=None)  # up to 20,000 simulated iterations per example
@given(ramps, st.integers(1, 20_000))
def test_train_samples_flag_gives_megatron_exactly_the_budgets_steps(case, budget_samples):
    # The page's budget: the first steps of Megatron's loop that consume the budget. The
    # --train-samples it prints must make Megatron's own update_train_iters agree, also when
    # the budget ends inside the ramp (issue 12: it used to add up to hundreds of iterations).
    unit, start, incr, increments, ramp_samples = case
    gbs = start + increments * incr
    r = rampup(start, incr, ramp_samples, gbs, unit)
    expected = megatron_steps_for_budget(gbs, unit, start, incr, ramp_samples, budget_samples)
    steps, consumed = steps_to_consume(budget_samples, r)
    assert steps == expected
    flag = megatron_train_samples(steps, consumed, budget_samples, r)
    assert flag <= consumed
    assert megatron_update_train_iters(gbs, unit, start, incr, ramp_samples, flag) == expected


def test_the_experts_budget_inside_the_ramp():
    # ?train_tokens=4e9&rampup_start=32&rampup_increment=32&rampup_samples=2000000 with the
    # defaults (global batch 1024, micro-batch 4 x 8 GPUs = 32 per micro-step, 4096 tokens).
    budget_samples = -(-4 * 10**9 // 4096)
    assert budget_samples == 976_563
    expected = megatron_steps_for_budget(1024, 32, 32, 32, 2_000_000, budget_samples)
    r = rampup(32, 32, 2_000_000, 1024, per_micro_step=32)
    steps, consumed = steps_to_consume(budget_samples, r)
    assert (steps, consumed) == (expected, 976_832)
    flag = megatron_train_samples(steps, consumed, budget_samples, r)
    assert megatron_update_train_iters(1024, 32, 32, 32, 2_000_000, flag) == expected
    # The samples the steps consume, given as --train-samples, start one more ramp iteration.
    assert megatron_update_train_iters(1024, 32, 32, 32, 2_000_000, consumed) == expected + 1


@pytest.mark.parametrize(
    ("start", "incr", "samples", "field", "words"),
    [
        (2048, 8, 1000, "rampup_start", "at most the global batch"),
        (16, 10, 1000, "rampup_increment", "divisible by the increment"),
        (1024, 8, 1000, "rampup_start", "nothing to ramp"),
        (16, 8, 0, "rampup_samples", "divides by it"),
        (12, 4, 10**6, "rampup_start", "divisible by micro-batch"),
        (16, 4, 10**6, "rampup_increment", "divisible by micro-batch"),
    ],
)
def test_megatron_refusals_name_the_field_and_the_reason(start, incr, samples, field, words):
    with pytest.raises(InputError) as err:
        rampup(start, incr, samples, 1024, per_micro_step=8)
    assert err.value.field == field and words in str(err.value)
