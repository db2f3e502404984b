"""The framework settings carry the plan's choices under each framework's own names, and the
interconnect figures are the datasheets' (per direction, per GPU)."""

import json

import pytest

from calculators.catalog import interconnect
from training_plan import configs
from training_plan.engine import Pins, Run, catalog_shape, cluster, plan

RUN = Run(seq_len=8192, global_batch=512, train_tokens=10**12)


def snippets_for(**pins):
    result = plan(catalog_shape("llama-3.1-8b"), cluster("h100-sxm", 64, 8), RUN, Pins(**pins))
    best = result.best
    return best, {s.framework: s for s in configs.snippets(result, best)}


def test_megatron_arguments_for_tp_full_recompute_and_distributed_optimizer():
    best, s = snippets_for(tp=2, pp=2, cp=1, recompute="full", zero=1)
    text = s["megatron"].text
    # Megatron-LM's own flag names (megatron/training/arguments.py, TransformerConfig).
    for flag in (
        "--tensor-model-parallel-size 2",
        "--pipeline-model-parallel-size 2",
        f"--micro-batch-size {best.micro_batch}",
        "--global-batch-size 512",
        "--sequence-parallel",
        "--recompute-granularity full",
        "--recompute-method uniform",
        "--recompute-num-layers 1",
        "--use-distributed-optimizer",
        "--overlap-grad-reduce",
    ):
        assert flag in text
    assert text.endswith("\n") and " \\\n    --bf16" in text


def test_deepspeed_zero_stage_and_the_pipeline_refusal():
    _, s = snippets_for(tp=1, pp=2, cp=1, zero=2, recompute="none")
    config = json.loads(s["deepspeed"].text)
    assert config["zero_optimization"]["stage"] == 2
    assert config["train_batch_size"] == 512
    assert s["deepspeed"].rejected  # DeepSpeed's pipeline engine takes ZeRO-1 at most


@pytest.mark.parametrize(
    "zero, replicate, shard",
    [(0, "dp", "1"), (1, "1", "dp"), (3, "1", "dp")],
)
def test_torchtitan_sharding_follows_the_zero_stage(zero, replicate, shard):
    best, s = snippets_for(tp=2, pp=1, cp=1, zero=zero, recompute="full")
    text = s["torchtitan"].text
    value = {"dp": str(best.dp), "1": "1"}
    assert f"data_parallel_replicate_degree = {value[replicate]}" in text
    assert f"data_parallel_shard_degree = {value[shard]}\n" in text
    assert "config.activation_checkpoint = FullAC.Config()" in text
    assert ('fsdp_reshard_after_forward = "never"' in text) == (zero in (1, 2))
    for alt in s["torchtitan"].alternatives:  # torchtitan main, token-denominated
        assert "config.activation_checkpoint = FullAC.Config()" in alt.text


def test_nvlink_is_half_the_datasheets_both_directions_figure():
    # A100 datasheet: NVLink 600 GB/s; H100 datasheet: 900 GB/s (both directions).
    assert interconnect.get("a100-80gb").intra_gb_s == 300
    assert interconnect.get("h100-sxm").intra_gb_s == 450
    assert interconnect.get("b200").intra_gb_s == 900


def test_network_ports_in_gigabytes_per_second():
    # Selene: one 200 Gb/s HDR port per GPU (Narayanan et al. 2021, section 5) = 25 GB/s;
    # Llama 3: 400 Gb/s between GPUs (Dubey et al. 2024, section 3.3.1) = 50 GB/s.
    assert interconnect.get("a100-80gb").network_gb_s == 200 / 8
    assert interconnect.get("h100-sxm").network_gb_s == 400 / 8
    assert not interconnect.get("rtx-4090-24gb").has_network


def test_every_entry_names_its_sources():
    for slug, link in interconnect.BY_SLUG.items():
        assert link.intra_source[1].startswith("https://"), slug
        if link.has_network:
            assert link.network_source[1].startswith("https://"), slug
