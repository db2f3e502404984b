"""Megatron-LM's batch-size ramp-up (--rampup-batch-size START INCREMENT SAMPLES).

Follows megatron/core/num_microbatches_calculator.py (RampupBatchsizeNumMicroBatchesCalculator)
and update_train_iters in megatron/training/training.py, as in megatron-core 0.16.1 (the last
release for Python 3.11) and up to core_v0.17.1. From 0.18.0 Megatron accepts the flag but
ignores it; the same ramp is written there as --step-batch-size-schedule
(calculators/catalog/framework_configs.py).
- num_increments = (GBS - start) // increment; samples_per_increment = SAMPLES / num_increments
  (a float division, kept as a float here so stage boundaries match Megatron's exactly);
- at `consumed` samples the batch is GBS once consumed > SAMPLES, else
  start + int(consumed / samples_per_increment) * increment;
- every batch actually trained at must be divisible by micro-batch x data-parallel size
  (asserted in update() during training).
Megatron's own refusals are raised as InputError with its reason.
"""

from dataclasses import dataclass

from calculators.kit.errors import InputError

MAX_STAGES = 10_000  # our display limit, not Megatron's


@dataclass(frozen=True)
class Stage:
    global_batch: int
    accumulation_steps: int  # num_microbatches at this batch
    optimizer_steps: int  # iterations Megatron runs at this batch during the ramp
    first_sample: int  # consumed samples when this batch starts
    samples: int  # samples consumed at this batch


@dataclass(frozen=True)
class Rampup:
    start: int
    increment: int
    ramp_samples: int
    global_batch: int
    num_increments: int
    samples_per_increment: float
    stages: list[Stage]  # batches actually trained at during the ramp, in order
    ramp_iterations: int  # iterations that start at consumed <= ramp_samples
    ramp_consumed: int  # samples consumed by those iterations


def check_megatron_rampup(start: int, increment: int, ramp_samples: int, gbs: int) -> int:
    """Megatron's constructor assertions; returns the number of increments."""
    if start > gbs:
        raise InputError(
            "rampup_start",
            f"Megatron requires the start batch ({start:,}) to be at most the global batch "
            f"({gbs:,}): 'expected global batch size to be greater than or equal to start "
            "batch size'.",
        )
    diff = gbs - start
    if diff % increment:
        raise InputError(
            "rampup_increment",
            f"Megatron requires global batch - start ({gbs:,} - {start:,} = {diff:,}) to be "
            f"divisible by the increment ({increment:,}): 'expected global batch size interval "
            f"({diff}) to be divisible by global batch size increment ({increment})'.",
        )
    if diff == 0:
        raise InputError(
            "rampup_start",
            f"The start batch equals the global batch ({gbs:,}), so there is nothing to ramp, "
            "and Megatron divides the ramp-up samples by zero increments. Lower the start or "
            "leave the ramp-up empty.",
        )
    if ramp_samples == 0:
        raise InputError(
            "rampup_samples",
            "Ramp-up samples of 0 make Megatron's samples per increment 0, and its first update "
            "divides by it. Give at least 1 sample, or leave the ramp-up empty.",
        )
    increments = diff // increment
    if increments + 1 > MAX_STAGES:
        raise InputError(
            "rampup_increment",
            f"This ramp has {increments + 1:,} batch sizes; the calculator lists at most "
            f"{MAX_STAGES:,}. Use a larger increment.",
        )
    return increments


def megatron_batch_at(consumed: int, rampup: "Rampup") -> int:
    """Megatron's current global batch after `consumed` samples (update(), verbatim logic)."""
    if consumed > rampup.ramp_samples:
        return rampup.global_batch
    steps = int(consumed / rampup.samples_per_increment)
    return rampup.start + steps * rampup.increment


def _first_consumed_reaching(index: int, spi: float, lower: int) -> int:
    """Smallest integer c >= lower with int(c / spi) >= index (float division, as Megatron)."""
    guess = max(lower, int(index * spi) - 1)
    while int(guess / spi) >= index and guess > lower:
        guess -= 1
    while int(guess / spi) < index:
        guess += 1
    return guess


def rampup(start: int, increment: int, ramp_samples: int, gbs: int, per_micro_step: int) -> Rampup:
    """The stages Megatron trains at, and its ramp-phase iteration count.

    `per_micro_step` is micro-batch x data-parallel size; each stage must be a multiple of it.
    """
    increments = check_megatron_rampup(start, increment, ramp_samples, gbs)
    spi = ramp_samples / increments
    shell = Rampup(start, increment, ramp_samples, gbs, increments, spi, [], 0, 0)
    stages: list[Stage] = []
    consumed = 0
    # Walk stage by stage, not iteration by iteration: a ramp can span billions of samples.
    while consumed <= ramp_samples:
        batch = megatron_batch_at(consumed, shell)
        index = (batch - start) // increment
        if batch % per_micro_step:
            field = "rampup_start" if not stages else "rampup_increment"
            raise InputError(
                field,
                f"Megatron asserts that every batch during the ramp is divisible by micro-batch "
                f"x data-parallel size ({per_micro_step:,}); the ramp would train at {batch:,}: "
                f"'current global batch size ({batch}) is not divisible by micro-batch-size times "
                "data parallel size'. Use a start and an increment that are multiples of "
                f"{per_micro_step:,}.",
            )
        # This batch lasts until consumption reaches the next index, or passes ramp_samples.
        next_boundary = _first_consumed_reaching(index + 1, spi, consumed + 1)
        end = min(next_boundary, ramp_samples + 1)
        iterations = -(-(end - consumed) // batch)
        samples = iterations * batch
        stages.append(Stage(batch, batch // per_micro_step, iterations, consumed, samples))
        consumed += iterations * batch
    return Rampup(
        start,
        increment,
        ramp_samples,
        gbs,
        increments,
        spi,
        stages,
        sum(s.optimizer_steps for s in stages),
        consumed,
    )


def megatron_train_iters(train_samples: int, ramp: Rampup) -> int:
    """update_train_iters with ramp-up (Megatron-LM core_v0.16.1 megatron/training/training.py):
    ramp-phase iterations run while consumed <= ramp samples AND consumed <= train_samples,
    then, only if train_samples is still ahead, the whole batches left (Megatron throws away a
    partial last batch)."""
    if train_samples < ramp.ramp_consumed:
        # The loop stops at the first iteration boundary past train_samples, inside the ramp.
        iterations, _ = steps_to_consume(train_samples + 1, ramp)
        return iterations
    return ramp.ramp_iterations + (train_samples - ramp.ramp_consumed) // ramp.global_batch


def megatron_train_samples(steps: int, consumed: int, budget_samples: int, ramp: Rampup) -> int:
    """--train-samples that makes Megatron's update_train_iters give exactly `steps` iterations,
    the first `steps` that consume at least `budget_samples` (`consumed` samples in all).

    After the ramp, Megatron floors the whole batches left, so it needs all `consumed` samples.
    Inside the ramp its loop runs another iteration whenever consumed <= --train-samples, so
    a value below `consumed` is needed: the budget itself, or one less than `consumed` when
    the budget lands exactly on that step boundary."""
    if steps > ramp.ramp_iterations:
        return consumed
    return min(budget_samples, consumed - 1)


def steps_to_consume(train_samples: int, ramp: Rampup) -> tuple[int, int]:
    """Optimizer steps (and samples consumed) until at least `train_samples` are trained on,
    ramp first, then full batches."""
    steps = 0
    for stage in ramp.stages:
        if train_samples <= stage.first_sample + stage.samples:
            inside = -(-(train_samples - stage.first_sample) // stage.global_batch)
            return steps + inside, stage.first_sample + inside * stage.global_batch
        steps += stage.optimizer_steps
    after = max(0, -(-(train_samples - ramp.ramp_consumed) // ramp.global_batch))
    return steps + after, ramp.ramp_consumed + after * ramp.global_batch


def batch_of_step(step: int, ramp: Rampup) -> int:
    """The global batch of optimizer step number `step` (counting from 1)."""
    for stage in ramp.stages:
        if step <= stage.optimizer_steps:
            return stage.global_batch
        step -= stage.optimizer_steps
    return ramp.global_batch
