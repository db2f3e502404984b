"""Megatron-LM, DeepSpeed and torchtitan settings for the chosen plan.

The batch and parallelism part is the flagship's own snippet code (calculators/catalog/
framework_configs.py: each framework's semantics, checked against its source, with its notes);
this module adds what the plan chose beyond it: sequence parallelism, recomputation, the ZeRO
stage and the communication overlap the time model assumes. Flag names were checked against
Megatron-LM's megatron/training/arguments.py and core TransformerConfig (recompute_granularity,
recompute_method, recompute_num_layers, sequence_parallel), DeepSpeed's zero_optimization and
activation_checkpointing config keys, and torchtitan's trainer config (activation_checkpoint:
FullAC / SelectiveAC / None; parallelism.fsdp_reshard_after_forward).
"""

from dataclasses import replace

from calculators.catalog import framework_configs as fc
from calculators.kit.snippets import config_snippets

FRAMEWORKS = ("megatron", "deepspeed", "torchtitan")


def scenario(result, plan) -> fc.Scenario:
    run = result.run
    return fc.Scenario(
        gpus=result.cluster.gpus,
        tp=plan.tp,
        pp=plan.pp,
        cp=plan.cp,
        vpp=plan.vpp,
        dp=plan.dp,
        micro_batch=plan.micro_batch,
        accumulation_steps=plan.accumulation_steps,
        global_batch=run.global_batch,
        seq_len=run.seq_len,
        target_sequences=None,
        optimizer_steps=plan.optimizer_steps,
    )


def with_args(text: str, args: list[str]) -> str:
    """A torchrun command with more arguments, in the same layout."""
    return text.rstrip("\n") + "".join(f" \\\n    {a}" for a in args) + "\n"


def megatron(s: fc.Scenario, plan) -> fc.Snippet:
    snippet = fc.megatron(s)
    args = ["--bf16"]
    if plan.tp > 1:
        args.append("--sequence-parallel")
    if plan.recompute == "full":
        args += [
            "--recompute-granularity full",
            "--recompute-method uniform",
            "--recompute-num-layers 1",
        ]
    elif plan.recompute == "selective":
        args.append("--recompute-granularity selective")
    notes = list(snippet.notes)
    if plan.zero_stage == 1:
        args += ["--use-distributed-optimizer", "--overlap-grad-reduce", "--overlap-param-gather"]
    elif plan.zero_stage in (2, 3):
        strategy = "optim_grads" if plan.zero_stage == 2 else "optim_grads_params"
        args += [
            "--use-megatron-fsdp",
            f"--data-parallel-sharding-strategy {strategy}",
            "--overlap-grad-reduce",
            "--overlap-param-gather",
        ]
        notes.append(
            fc.Note(
                "warning",
                f"ZeRO-{plan.zero_stage} is Megatron FSDP's {strategy} sharding; check that your "
                "Megatron-LM release supports it with the tensor and pipeline parallelism "
                "above (PyTorch FSDP2, --use-torch-fsdp2, refuses pipeline parallelism).",
            )
        )
    else:
        args.append("--overlap-grad-reduce")
    notes.append(
        fc.Note(
            "info",
            "The planner's time assumes the data-parallel gradient reduction overlaps with the "
            "backward pass (--overlap-grad-reduce) and, with a sharded optimizer, the weight "
            "gather with the forward (--overlap-param-gather).",
        )
    )
    return replace_snippet(snippet, with_args(snippet.text, args), notes)


def deepspeed(s: fc.Scenario, plan) -> fc.Snippet:
    config, notes = fc.deepspeed_config(s)
    config["bf16"] = {"enabled": True}
    config["zero_optimization"] = {"stage": plan.zero_stage, "overlap_comm": True}
    if plan.recompute != "none":
        config["activation_checkpointing"] = {"partition_activations": plan.tp > 1}
        notes.append(
            fc.Note(
                "info",
                "DeepSpeed checkpoints the layers your model wraps in "
                "deepspeed.checkpointing.checkpoint (or, with Hugging Face models, "
                "model.gradient_checkpointing_enable()): wrap every transformer layer for "
                f"{plan.recompute} recomputation.",
            )
        )
    if plan.pp > 1 and plan.zero_stage > 1:
        notes.append(
            fc.Note(
                "rejects",
                "DeepSpeed's pipeline engine refuses ZeRO-2 and ZeRO-3 (they are incompatible "
                "with pipeline parallelism there); use ZeRO-1 or no pipeline.",
            )
        )
    if plan.tp > 1:
        notes.append(
            fc.Note(
                "info",
                "DeepSpeed itself does not split layers: tensor parallelism comes from "
                "Megatron-DeepSpeed's mpu or DeepSpeed AutoTP.",
            )
        )
    return fc.Snippet("deepspeed", fc.json_text(config), notes)


def torchtitan_lines(text: str, plan) -> str:
    """The flagship's parallelism lines with this plan's sharding and recomputation."""
    dp = plan.dp
    if plan.zero_stage == 0:
        text = text.replace(
            "config.parallelism.data_parallel_replicate_degree = 1\n",
            f"config.parallelism.data_parallel_replicate_degree = {dp}  # DDP, no sharding\n",
        ).replace(
            f"config.parallelism.data_parallel_shard_degree = {dp}\n",
            "config.parallelism.data_parallel_shard_degree = 1\n",
        )
    elif plan.zero_stage in (1, 2):
        text = text.replace(
            f"config.parallelism.data_parallel_shard_degree = {dp}\n",
            f"config.parallelism.data_parallel_shard_degree = {dp}\n"
            'config.parallelism.fsdp_reshard_after_forward = "never"'
            "  # keep gathered weights through the backward, as ZeRO-1/2 do\n",
        )
    policy = {"none": None, "selective": "SelectiveAC", "full": "FullAC"}[plan.recompute]
    if policy is None:
        ac = ["config.activation_checkpoint = None  # no recomputation"]
    else:
        ac = [
            f"from torchtitan.distributed.activation_checkpoint import {policy}",
            f"config.activation_checkpoint = {policy}.Config()",
        ]
    return text.rstrip("\n") + "\n" + "\n".join(ac) + "\n"


def torchtitan(s: fc.Scenario, plan) -> fc.Snippet:
    snippet = fc.torchtitan(s)
    notes = list(snippet.notes)
    if plan.zero_stage in (1, 2):
        notes.append(
            fc.Note(
                "info",
                f"torchtitan has no ZeRO-{plan.zero_stage} as such: FSDP shards the weights "
                'too (ZeRO-3\'s memory); with fsdp_reshard_after_forward = "never" it gathers '
                "them once per step, close to ZeRO-1/2's communication.",
            )
        )
    alternatives = [
        fc.Alternative(alt.label, torchtitan_lines(alt.text, plan)) for alt in snippet.alternatives
    ]
    new = replace_snippet(snippet, torchtitan_lines(snippet.text, plan), notes)
    new.alternatives = alternatives
    return new


def replace_snippet(snippet: fc.Snippet, text: str, notes) -> fc.Snippet:
    new = replace(snippet, text=text)
    new.notes = list(notes)
    return new


def snippets(result, plan) -> list[fc.Snippet]:
    s = scenario(result, plan)
    return [megatron(s, plan), deepspeed(s, plan), torchtitan(s, plan)]


def html(result, plan):
    """The three snippets as the flagship writes them (calculators/kit/snippets.py)."""
    return config_snippets(snippets(result, plan))
