"""The Megatron snippet with a batch ramp-up and a training budget, run through Megatron's own
logic: megatron-core up to 0.17 (--rampup-batch-size, RampupBatchsizeNumMicroBatchesCalculator
and update_train_iters, transcribed in test_rampup.py) and megatron-core 0.18+ (the alternative,
--step-batch-size-schedule, transcribed below from the 0.19.2 wheel on PyPI)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.engine.grad_accum import Options
from tests.unit.test_framework_configs import parse_shell, scenario
from tests.unit.test_rampup import (
    MegatronRampup,
    megatron_steps_for_budget,
    megatron_update_train_iters,
)


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


def check_ramp_snippets(p, train_tokens: int):
    mg = megatron_snippets(p)
    seq_len = p.inputs.seq_len
    budget_samples = -(-train_tokens // seq_len)

    # Up to megatron-core 0.17: --rampup-batch-size and --train-samples.
    flags = parse_shell(mg.text)
    start, incr, ramp = (int(v) for v in flags["--rampup-batch-size"])
    gbs, mbs_dp = one(flags, "--global-batch-size"), one(flags, "--micro-batch-size")
    mbs_dp *= data_parallel(flags)
    expected = megatron_steps_for_budget(gbs, mbs_dp, start, incr, ramp, budget_samples)
    train_samples = one(flags, "--train-samples")
    assert megatron_update_train_iters(gbs, mbs_dp, start, incr, ramp, train_samples) == expected
    assert p.ramp_budget.optimizer_steps == expected

    # The budget ends inside the ramp when its last step trains below the global batch.
    calc, consumed, batches = MegatronRampup(gbs, mbs_dp, start, incr, ramp), 0, []
    for _ in range(expected):
        calc.update(consumed, consistency_check=True)
        batches.append(calc.current)
        consumed += calc.current
    warnings = [n.text for n in mg.notes if n.kind == "warning"]
    inside = [t for t in warnings if "ends inside the batch ramp-up" in t]
    if batches[-1] < gbs:
        (note,) = inside
        assert f"--rampup-batch-size {start} {incr} {ramp}" in note
        assert f"the last at {batches[-1]:,}" in note
        assert f"--train-samples is {train_samples:,}" in note
    else:
        assert not inside
    (deprecated,) = [t for t in warnings if "0.18.0 and later" in t and "ignored" in t]
    assert "the alternative below" in deprecated

    # megatron-core 0.18+: the same ramp as --step-batch-size-schedule.
    (alt,) = mg.alternatives
    assert "0.18" in alt.label and "--step-batch-size-schedule" in alt.label
    alt_flags = parse_shell(alt.text)
    # arguments.py 0.19.2: 'Cannot specify both --step-batch-size-schedule and
    # --global-batch-size'; --rampup-batch-size would be ignored.
    assert "--global-batch-size" not in alt_flags and "--rampup-batch-size" not in alt_flags
    (schedule,) = alt_flags["--step-batch-size-schedule"]
    step = MegatronStepSchedule(schedule, one(alt_flags, "--seq-length"), mbs_dp)
    assert step.global_batch_size == gbs
    alt_samples = one(alt_flags, "--train-samples")
    assert step_schedule_train_iters(step, alt_samples) == expected
    # Both calculators give the same batch at every step, through the ramp and past it.
    ramp_calc, consumed = MegatronRampup(gbs, mbs_dp, start, incr, ramp), 0
    for _ in range(expected + 3):
        ramp_calc.update(consumed, consistency_check=True)
        step.update(consumed, consistency_check=True)
        assert step.current == ramp_calc.current
        consumed += ramp_calc.current
    return expected


def test_the_experts_budget_ends_inside_the_ramp():
    # ?train_tokens=4e9&rampup_start=32&rampup_increment=32&rampup_samples=2000000
    p = scenario(options=Options(train_tokens=4 * 10**9, rampup=(32, 32, 2_000_000)))
    assert check_ramp_snippets(p, 4 * 10**9) == 6_709  # Megatron's own loop, transcribed
    flags = parse_shell(megatron_snippets(p).text)
    assert flags["--train-samples"] == ["976563"]  # 4e9 / 4096, rounded up


ramp_budgets = st.tuples(
    st.sampled_from([(8, 1), (16, 2), (64, 2)]),  # gpus, tp
    st.integers(1, 4),  # start, in micro-steps
    st.integers(1, 3),  # increment, in micro-steps
    st.integers(10, 5_000),  # ramp samples
    st.integers(1, 40_000),  # budget in sequences
)


@settings(max_examples=40, deadline=None)
@given(ramp_budgets)
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


def test_no_schedule_alternative_past_the_entry_limit():
    p = scenario(options=Options(train_tokens=10**9, rampup=(32, 32, 100_000)))
    assert len(megatron_snippets(p).alternatives) == 1  # 32 entries
    # 4, 8, ..., 1,024 is 256 batches: too long a flag to be a usable snippet.
    p = scenario(micro_batch=1, gpus=4, options=Options(train_tokens=10**9, rampup=(4, 4, 10**6)))
    mg = megatron_snippets(p)
    assert mg.alternatives == []
    (note,) = [n.text for n in mg.notes if "0.18.0 and later" in n.text]
    assert "alternative below" not in note and "256 entries" in note
