"""Each framework's own batch arithmetic, transcribed from its source, including its refusals.

Used to explain what a framework would do with the user's raw target (and to flag it), and by
the snippet generator to check every snippet it emits reproduces the scenario.
Sources (paths in each framework's repository):
- DeepSpeed deepspeed/runtime/config.py: _set_batch_related_parameters, _batch_assertion
- Megatron-LM megatron/core/num_microbatches_calculator.py (ConstantNumMicroBatchesCalculator),
  megatron/training/arguments.py (validate_args) and core/pipeline_parallel/schedules.py, as
  released in megatron-core 0.19.2 (its wheel ships megatron/training)
- nanoGPT train.py (gradient_accumulation_steps divided by the DDP world size)
- torchtitan torchtitan/trainer.py: release 0.3.0 (sequences: local and global batch) and main
  after PR #4121 (tokens)
- Axolotl src/axolotl/utils/config/__init__.py: normalize_config
- Hugging Face Transformers src/transformers/trainer.py: get_total_train_batch_size (5.24.0)
"""

from dataclasses import dataclass


class FrameworkRejects(ValueError):
    """The framework itself would stop with this message."""


@dataclass(frozen=True)
class DeepSpeedBatch:
    train_batch_size: int
    train_micro_batch_size_per_gpu: int
    gradient_accumulation_steps: int


def deepspeed_resolve(
    train: int | None, micro: int | None, gas: int | None, world_size: int
) -> DeepSpeedBatch:
    """DeepSpeed's auto-fill of the missing batch values, then its assertions.

    `world_size` is DeepSpeed's notion: the data-parallel size when an mpu supplies it.
    """
    if train is not None and micro is not None and gas is not None:
        pass
    elif train is not None and micro is not None:
        gas = train // micro
        gas //= world_size
    elif train is not None and gas is not None:
        micro = train // world_size
        micro //= gas
    elif micro is not None and gas is not None:
        train = micro * gas * world_size
    elif train is not None:
        gas = 1
        micro = train // world_size
    elif micro is not None:
        train = micro * world_size
        gas = 1
    else:
        raise FrameworkRejects(
            "Either train_batch_size or train_micro_batch_size_per_gpu needs to be provided"
        )
    if not train > 0:
        raise FrameworkRejects(f"Train batch size: {train} has to be greater than 0")
    if not micro > 0:
        raise FrameworkRejects(f"Micro batch size per gpu: {micro} has to be greater than 0")
    if not gas > 0:
        raise FrameworkRejects(f"Gradient accumulation steps: {gas} has to be greater than 0")
    if train != micro * gas * world_size:
        raise FrameworkRejects(
            "Check batch related parameters. train_batch_size is not equal to "
            "micro_batch_per_gpu * gradient_acc_step * world_size "
            f"{train} != {micro} * {gas} * {world_size}"
        )
    return DeepSpeedBatch(train, micro, gas)


def megatron_num_microbatches(global_batch: int, micro_batch: int, dp: int) -> int:
    """ConstantNumMicroBatchesCalculator without --decrease-batch-size-if-needed."""
    if global_batch % (micro_batch * dp):
        raise FrameworkRejects(
            f"global batch size ({global_batch}) is not divisible by micro batch size "
            f"({micro_batch}) times data parallel size ({dp})"
        )
    count = global_batch // (micro_batch * dp)
    if count < 1:
        raise FrameworkRejects(f"number of micro-batches should be at least 1, got {count}.")
    return count


def megatron_interleaving(
    pp: int, vpp: int, microbatches: int, group: int | None, overlap_p2p_comm: bool = True
) -> None:
    """Megatron's interleaved-schedule checks (megatron-core 0.19.2: training/arguments.py
    validate_args, core/parallel_state.py, core/pipeline_parallel/schedules.py).

    `group` is --microbatch-group-size-per-virtual-pipeline-stage (defaults to PP).
    `overlap_p2p_comm` is on unless --no-overlap-p2p-communication (a store_false) is given;
    only without it does Megatron need PP > 2.
    """
    if vpp <= 1:
        return
    if overlap_p2p_comm and not pp > 1:
        raise FrameworkRejects(
            "When interleaved schedule is used, pipeline-model-parallel size should be greater "
            "than 1"
        )
    if not overlap_p2p_comm and not pp > 2:
        raise FrameworkRejects(
            "When interleaved schedule is used and p2p communication overlap is disabled, "
            "pipeline-model-parallel size should be greater than 2 to avoid having multiple p2p "
            "sends and recvs between same 2 ranks per communication batch"
        )
    group = pp if group is None else group
    if group > microbatches or group < pp:
        raise FrameworkRejects(
            "The number of contiguous micro-batches in a virtual pipeline stage should range "
            f"in [PP={pp} , M={microbatches}]"
        )
    remainder = microbatches % group
    if 0 < remainder < pp:
        raise FrameworkRejects(
            "The remainder of M (the total micro-batches) divided by N (number of contiguous "
            "micro-batches in a virtual pipeline stage) should be 0, or larger than or equal to "
            f"the pipeline-parallel size, but it is {remainder}."
        )


def megatron_group_size(pp: int, microbatches: int) -> int | None:
    """The smallest --microbatch-group-size-per-virtual-pipeline-stage Megatron accepts for m
    micro-batches; None when no group size works (m < pp)."""
    for group in range(pp, microbatches + 1):
        remainder = microbatches % group
        if remainder == 0 or remainder >= pp:
            return group
    return None


def nanogpt_per_rank(gradient_accumulation_steps: int, world_size: int) -> int:
    """nanoGPT counts accumulation over all ranks and divides it by the world size."""
    if gradient_accumulation_steps % world_size:
        raise FrameworkRejects(
            f"AssertionError: gradient_accumulation_steps % ddp_world_size == 0 "
            f"({gradient_accumulation_steps} % {world_size} = "
            f"{gradient_accumulation_steps % world_size})"
        )
    return gradient_accumulation_steps // world_size


@dataclass(frozen=True)
class TorchtitanBatch:
    gradient_accumulation_steps: int
    pipeline_microbatches: int  # 1 without pipeline parallelism


def torchtitan_release_batch(
    global_batch_size: int,
    local_batch_size: int,
    pipeline_parallel_microbatch_size: int,
    dp: int,
    pp_enabled: bool,
) -> TorchtitanBatch:
    """torchtitan 0.3.0 (PyPI): Trainer.Config.__post_init__ and Trainer.__init__ in
    torchtitan/trainer.py. `dp` is the batch degree, dp_replicate x dp_shard."""
    if pipeline_parallel_microbatch_size <= 0:
        raise FrameworkRejects(
            "parallelism.pipeline_parallel_microbatch_size must be greater than 0."
        )
    if pp_enabled and local_batch_size % pipeline_parallel_microbatch_size:
        raise FrameworkRejects(
            f"training.local_batch_size ({local_batch_size}) must be evenly divisible by "
            f"parallelism.pipeline_parallel_microbatch_size ({pipeline_parallel_microbatch_size}) "
            "when pipeline parallelism is enabled."
        )
    if global_batch_size < 0:  # -1: one gradient accumulation step
        global_batch_size = local_batch_size * dp
    if global_batch_size % (local_batch_size * dp):
        raise FrameworkRejects(
            "global batch size must be multiple of local batch size times data-parallel degree "
            f"({global_batch_size} % ({local_batch_size} * {dp}) != 0)"
        )
    return TorchtitanBatch(
        global_batch_size // (local_batch_size * dp),
        local_batch_size // pipeline_parallel_microbatch_size if pp_enabled else 1,
    )


def torchtitan_accumulation(
    tokens_per_train_step: int,
    tokens_per_microbatch: int,
    pp_microbatches: int,
    dp: int,
) -> int:
    """torchtitan main after PR #4121 (torchtitan/trainer.py): gradient accumulation from
    token-denominated settings."""
    per_dp_rank = tokens_per_microbatch * pp_microbatches
    if tokens_per_train_step < 0:
        tokens_per_train_step = per_dp_rank * dp
    if tokens_per_train_step % (per_dp_rank * dp):
        raise FrameworkRejects(
            f"training.num_tokens_per_train_step ({tokens_per_train_step}) must be divisible by "
            "the number of tokens processed globally in one gradient accumulation iteration "
            f"({per_dp_rank * dp})."
        )
    return tokens_per_train_step // (per_dp_rank * dp)


def axolotl_batch_size(
    micro_batch_size: int,
    gradient_accumulation_steps: int,
    world_size: int,
    tensor_parallel_size: int = 1,
    context_parallel_size: int = 1,
) -> int:
    """normalize_config: per-GPU batch, then scaled by world // CP // TP under DDP/FSDP."""
    per_gpu = micro_batch_size * gradient_accumulation_steps
    if world_size == 1:
        return per_gpu
    return per_gpu * (world_size // context_parallel_size // tensor_parallel_size)


def hf_total_train_batch_size(
    per_device: int,
    accumulation: int,
    world_size: int,
    tp_size: int = 1,
    cp_size: int = 1,
    sp_size: int = 1,
) -> int:
    """Trainer.get_total_train_batch_size (Transformers 5.24.0): ranks of one TP/CP/SP group
    share a batch, so the total counts data-parallel ranks, world // TP // CP // SP."""
    dp_world_size = world_size // tp_size // cp_size // sp_size
    return per_device * accumulation * dp_world_size
