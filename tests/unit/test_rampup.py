"""Megatron's batch ramp-up against its documented example and a literal transcription of its
calculator and training loop (num_microbatches_calculator.py, training.py)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.engine.rampup import megatron_train_iters, rampup, steps_to_consume
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
    """RampupBatchsizeNumMicroBatchesCalculator, transcribed (no decrease_batch_size flag)."""

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
    calc = MegatronRampup(gbs, mbs_dp, start, incr, ramp)
    iterations = consumed = 0
    while consumed <= ramp:
        calc.update(consumed, consistency_check=False)
        consumed += calc.current
        iterations += 1
    return iterations + (train_samples - consumed) // gbs


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
    for train_samples in (1, ramp_samples, r.ramp_consumed, r.ramp_consumed + 5 * gbs + 1):
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
