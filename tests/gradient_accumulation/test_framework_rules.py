"""Each framework's batch arithmetic against that framework's own documented examples."""

import argparse

import pytest

from calculators.catalog.framework_rules import (
    FrameworkRejects,
    axolotl_batch_size,
    deepspeed_resolve,
    hf_total_train_batch_size,
    megatron_group_size,
    megatron_interleaving,
    megatron_num_microbatches,
    nanogpt_per_rank,
    torchtitan_accumulation,
    torchtitan_release_batch,
)


def test_deepspeed_auto_fill_table():
    # _set_batch_related_parameters: each pair of given values derives the third
    assert deepspeed_resolve(1024, 4, None, 8).gradient_accumulation_steps == 32
    assert deepspeed_resolve(1024, None, 32, 8).train_micro_batch_size_per_gpu == 4
    assert deepspeed_resolve(None, 4, 32, 8).train_batch_size == 1024
    only_train = deepspeed_resolve(64, None, None, 8)
    assert (only_train.train_micro_batch_size_per_gpu, only_train.gradient_accumulation_steps) == (
        8,
        1,
    )
    assert deepspeed_resolve(None, 4, None, 8).train_batch_size == 32
    with pytest.raises(FrameworkRejects, match="needs to be provided"):
        deepspeed_resolve(None, None, 8, 8)


def test_deepspeed_assertion_on_a_non_divisible_batch():
    # train=30, micro=4, world=2: gas = (30 // 4) // 2 = 3, then 30 != 4 * 3 * 2 -> error
    with pytest.raises(FrameworkRejects) as err:
        deepspeed_resolve(30, 4, None, 2)
    assert str(err.value).endswith("30 != 4 * 3 * 2")
    with pytest.raises(FrameworkRejects, match="has to be greater than 0"):
        deepspeed_resolve(6, 4, None, 2)  # gas floors to 0


def test_megatron_microbatches():
    # --micro-batch-size 2 --global-batch-size 512 with TP=4, PP=2 on 64 GPUs -> DP 8, m 32
    assert megatron_num_microbatches(512, 2, 64 // (4 * 2)) == 32
    with pytest.raises(FrameworkRejects, match=r"global batch size \(1000\) is not divisible"):
        megatron_num_microbatches(1000, 4, 8)


def megatron_arguments(argv: list[str]) -> argparse.Namespace:
    """The one flag of Megatron's parser that decides the PP rule, declared exactly as in
    megatron-core 0.19.2 megatron/training/arguments.py (_add_distributed_args; the same in
    Megatron-LM tag core_v0.16.1): a store_false, so overlap_p2p_comm is True unless given."""
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--no-overlap-p2p-communication",
        action="store_false",
        help="overlap pipeline parallel communication with forward and backward chunks in 1F1B",
        dest="overlap_p2p_comm",
    )
    return parser.parse_args(argv)


def megatron_validate_interleaved_pp(args, pipeline_model_parallel_size: int) -> None:
    """validate_args with a virtual pipeline size set, transcribed from megatron-core 0.19.2
    megatron/training/arguments.py (lines 966-976 there; lines 573-582 at core_v0.16.1)."""
    if args.overlap_p2p_comm:
        assert pipeline_model_parallel_size > 1, (
            "When interleaved schedule is used, pipeline-model-parallel size should be greater "
            "than 1"
        )
    else:
        assert pipeline_model_parallel_size > 2, (
            "When interleaved schedule is used and p2p communication overlap is disabled, "
            "pipeline-model-parallel size should be greater than 2 to avoid having multiple p2p "
            "sends and recvs between same 2 ranks per communication batch"
        )


@pytest.mark.parametrize("argv", [[], ["--no-overlap-p2p-communication"]])
@pytest.mark.parametrize("pp", [1, 2, 3, 4])
def test_interleaved_pp_rule_is_megatrons_validate_args(argv, pp):
    args = megatron_arguments(argv)
    assert args.overlap_p2p_comm is (argv == [])  # on by default
    try:
        megatron_validate_interleaved_pp(args, pp)
        megatron_refuses = None
    except AssertionError as refusal:
        megatron_refuses = str(refusal).split("\n")[0]  # pytest appends the failed expression
    m = 2 * pp  # a micro-batch count the group-size rules accept
    if megatron_refuses is None:
        megatron_interleaving(pp, 2, m, None, overlap_p2p_comm=args.overlap_p2p_comm)
    else:
        with pytest.raises(FrameworkRejects) as ours:
            megatron_interleaving(pp, 2, m, None, overlap_p2p_comm=args.overlap_p2p_comm)
        assert str(ours.value) == megatron_refuses


def test_megatron_interleaving_rules():
    megatron_interleaving(2, 2, 32, None)  # PP = 2 with the default overlap_p2p_comm
    with pytest.raises(FrameworkRejects, match="greater than 2 to avoid"):
        megatron_interleaving(2, 2, 32, None, overlap_p2p_comm=False)
    megatron_interleaving(4, 2, 8, None)  # m a multiple of PP: fine
    with pytest.raises(FrameworkRejects, match="range in"):
        megatron_interleaving(4, 2, 3, None)  # fewer micro-batches than PP
    with pytest.raises(FrameworkRejects, match="but it is 2"):
        megatron_interleaving(4, 2, 6, None)  # default group = PP = 4 leaves 2 behind
    assert megatron_group_size(4, 6) == 6
    megatron_interleaving(4, 2, 6, 6)
    assert megatron_group_size(4, 9) == 5  # 9 % 5 = 4 >= PP
    assert megatron_group_size(4, 3) is None


def test_nanogpt_divides_by_world_size():
    # train.py defaults: gradient_accumulation_steps = 5 * 8 on 8 GPUs -> 5 per rank, and
    # tokens per iteration = 5 * 8 * 12 * 1024 = 491,520
    per_rank = nanogpt_per_rank(40, 8)
    assert per_rank == 5 and per_rank * 8 * 12 * 1024 == 491_520
    with pytest.raises(FrameworkRejects):
        nanogpt_per_rank(40, 3)


def test_torchtitan_accumulation_from_tokens():
    # local batch 8 x 8192 tokens, global 256 sequences, 8 data-parallel ranks -> 4 steps
    assert torchtitan_accumulation(256 * 8192, 8 * 8192, 1, 8) == 4
    assert torchtitan_accumulation(-1, 8 * 8192, 1, 8) == 1  # -1: one accumulation step
    assert torchtitan_accumulation(256 * 8192, 8 * 8192, 4, 8) == 1  # PP micro-batches count
    with pytest.raises(FrameworkRejects, match="must be divisible"):
        torchtitan_accumulation(1000 * 8192, 8 * 8192, 1, 8)


def test_torchtitan_release_counts_sequences():
    # torchtitan 0.3.0 trainer.py: accumulation = global // (local x batch degree); under PP
    # the local batch is split into local // pipeline_parallel_microbatch_size micro-batches.
    assert torchtitan_release_batch(256, 8, 1, 8, pp_enabled=False).gradient_accumulation_steps == 4
    assert torchtitan_release_batch(-1, 8, 1, 8, pp_enabled=False).gradient_accumulation_steps == 1
    piped = torchtitan_release_batch(256, 32, 4, 8, pp_enabled=True)
    assert (piped.gradient_accumulation_steps, piped.pipeline_microbatches) == (1, 8)
    # Its own messages (trainer.py, 0.3.0):
    with pytest.raises(FrameworkRejects, match=r"\(1000 % \(8 \* 8\) != 0\)"):
        torchtitan_release_batch(1000, 8, 1, 8, pp_enabled=False)
    with pytest.raises(FrameworkRejects, match="must be evenly divisible by"):
        torchtitan_release_batch(240, 30, 4, 8, pp_enabled=True)


def test_axolotl_and_trainer_totals():
    # normalize_config: per-GPU batch x (world // CP // TP)
    assert axolotl_batch_size(2, 16, 8) == 2 * 16 * 8
    assert axolotl_batch_size(2, 16, 8, tensor_parallel_size=2, context_parallel_size=2) == 64
    assert hf_total_train_batch_size(4, 8, 8) == 256
    # Transformers 5.24.0 get_total_train_batch_size: dp_world_size = world // TP // CP // SP
    assert hf_total_train_batch_size(4, 8, 16, tp_size=2) == 4 * 8 * (16 // 2)
    assert hf_total_train_batch_size(4, 8, 64, tp_size=2, cp_size=2, sp_size=2) == 4 * 8 * 8
