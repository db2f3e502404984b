"""Every snippet parses in its own format, and applying that framework's own batch rule to the
parsed values reproduces the scenario's global batch (or the snippet says the framework refuses).
"""

import ast
import json
import re
import shlex

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.catalog import framework_rules as rules
from calculators.catalog.framework_configs import FRAMEWORKS
from calculators.engine.grad_accum import AccumulationInput, Options, plan
from tests.gradient_accumulation.test_engine_rampup import (
    MegatronRampup,
    MegatronStepSchedule,
    assert_schedule_follows_ramp,
    megatron_batch_arguments,
)


def scenario(**kw):
    options = kw.pop("options", None)
    base = {"global_batch": 1024, "micro_batch": 4, "gpus": 8, "seq_len": 4096}
    return plan(AccumulationInput(**{**base, **kw}), options=options)


def parse_shell(text: str) -> dict[str, list[str]]:
    tokens = shlex.split(text.replace("\\\n", " "))
    flags: dict[str, list[str]] = {}
    current = None
    for token in tokens:
        if token.startswith("--"):
            name, _, value = token.partition("=")
            current = flags.setdefault(name, [])
            if value:  # --flag=value takes nothing more
                current.append(value)
                current = None
        elif current is not None:
            current.append(token)
    return flags


def python_calls(text: str) -> dict[str, dict]:
    """Keyword arguments of every call in the snippet, by the called name."""
    calls = {}
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            calls[name] = {
                k.arg: ast.literal_eval(k.value)
                for k in node.keywords
                if k.arg and not isinstance(k.value, ast.Call)  # nested calls are read on their own
            }
    return calls


def python_assignments(text: str) -> dict[str, object]:
    values = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign):
            target = ast.unparse(node.targets[0])
            values[target] = ast.literal_eval(node.value)
    return values


def launch_world(text: str) -> int:
    nodes, per_node = re.search(r"--nnodes=(\d+) --nproc_per_node=(\d+)", text).groups()
    return int(nodes) * int(per_node)


def check_deepspeed(p, text):
    config = json.loads(text)
    i, a = p.inputs, p.accumulation
    # With an mpu (Megatron-DeepSpeed, PipelineModule) DeepSpeed's world size is the DP size.
    resolved = rules.deepspeed_resolve(
        config["train_batch_size"],
        config["train_micro_batch_size_per_gpu"],
        config["gradient_accumulation_steps"],
        a.data_parallel_size,
    )
    if i.tp * i.pp == 1:  # no mpu needed: processes / sequence_parallel_size is the DP size
        assert i.gpus // config.get("sequence_parallel_size", 1) == a.data_parallel_size
    return resolved.train_batch_size


def transformers_total_train_batch_size(
    per_device_train_batch_size, gradient_accumulation_steps, world_size, tp_size, cp_size, sp_size
):
    """Trainer.get_total_train_batch_size, transcribed from Transformers 5.24.0
    (src/transformers/trainer.py), with TrainingArguments.train_batch_size =
    per_device_train_batch_size * max(1, n_gpu) and n_gpu = 1 under torchrun."""
    train_batch_size = per_device_train_batch_size * max(1, 1)
    dp_world_size = world_size // tp_size // cp_size // sp_size
    return train_batch_size * gradient_accumulation_steps * dp_world_size


def check_hf_trainer(p, text):
    kwargs = python_calls(text)["TrainingArguments"]
    world = launch_world(text)
    # The snippet runs the scenario's TP and CP (through Accelerate's ParallelismConfig),
    # except under PP, where it falls back to plain data parallelism on every process.
    tp, cp = (1, 1) if p.inputs.pp > 1 else (p.inputs.tp, p.inputs.cp)
    total = transformers_total_train_batch_size(
        kwargs["per_device_train_batch_size"],
        kwargs["gradient_accumulation_steps"],
        world,
        tp,
        cp,
        1,
    )
    assert kwargs.get("max_steps") == expected_steps(p)
    return total


def check_accelerate(p, text):
    calls = python_calls(text)
    steps = calls["Accelerator"]["gradient_accumulation_steps"]
    batch = calls["DataLoader"]["batch_size"]
    processes = int(re.search(r"--num_processes (\d+)", text).group(1))
    dp = (
        processes
        if p.inputs.tp * p.inputs.cp == 1 or p.inputs.pp > 1
        else (p.accumulation.data_parallel_size)
    )
    return batch * dp * steps  # dataloader batch x num_processes x N (split_batches=False)


def check_lightning(p, text):
    calls = python_calls(text)
    trainer = calls["Trainer"]
    devices = trainer["devices"] * trainer["num_nodes"]
    assert devices == p.inputs.gpus
    dp = calls.get("ModelParallelStrategy", {}).get("data_parallel_size", devices)
    assert trainer.get("max_steps") == expected_steps(p)
    return calls["DataLoader"]["batch_size"] * dp * trainer["accumulate_grad_batches"]


def check_megatron(p, text):
    flags = parse_shell(text)
    one = {k: int(v[0]) for k, v in flags.items() if len(v) == 1 and v[0].isdigit()}
    world = one["--nnodes"] * one["--nproc_per_node"]
    model_parallel = (
        one["--tensor-model-parallel-size"]
        * one["--pipeline-model-parallel-size"]
        * one["--context-parallel-size"]
    )
    assert world % model_parallel == 0
    dp = world // model_parallel
    micro = one["--micro-batch-size"]
    if p.rampup:
        # megatron-core 0.19.2 (the latest release): the ramp as a step schedule whose last
        # batch is the global batch, and no --global-batch-size (validate_args refuses both).
        assert "--rampup-batch-size" not in flags  # accepted but ignored since 0.18
        megatron_batch_arguments(flags, dp)
        (schedule,) = flags["--step-batch-size-schedule"]
        step = MegatronStepSchedule(schedule, one["--seq-length"], micro * dp)
        assert_schedule_follows_ramp(
            step, MegatronRampup(step.global_batch_size, micro * dp, *p.options.rampup)
        )
        global_batch = step.global_batch_size
    else:
        global_batch = one["--global-batch-size"]
    m = rules.megatron_num_microbatches(global_batch, micro, dp)
    assert m == p.accumulation.accumulation_steps
    if p.inputs.vpp > 1:
        group = one.get("--microbatch-group-size-per-virtual-pipeline-stage")
        if m >= p.inputs.pp:
            rules.megatron_interleaving(p.inputs.pp, p.inputs.vpp, m, group)
    return global_batch


# The fields of torchtitan's config dataclasses (slots=True: assigning any other name raises
# AttributeError), read in torchtitan/config/configs.py of the 0.3.0 wheel from PyPI and of main
# at b5bcd76 (after PR #4121, "fold batch dim"). Only the ones a snippet may set are listed.
TORCHTITAN_FIELDS = {
    "0.3.0": {
        "training": {"local_batch_size", "global_batch_size", "seq_len", "steps"},
        "parallelism": {
            "data_parallel_replicate_degree",
            "data_parallel_shard_degree",
            "tensor_parallel_degree",
            "context_parallel_degree",
            "pipeline_parallel_degree",
            "pipeline_parallel_schedule",
            "pipeline_parallel_microbatch_size",
        },
    },
    "main": {
        "training": {
            "num_tokens_per_microbatch_per_dp_rank",
            "num_tokens_per_train_step",
            "max_context_length",
            "steps",
        },
        "parallelism": {
            "data_parallel_replicate_degree",
            "data_parallel_shard_degree",
            "tensor_parallel_degree",
            "context_parallel_degree",
            "pipeline_parallel_degree",
            "pipeline_parallel_schedule",
            "num_pp_microbatches",
        },
    },
}


def torchtitan_config(text: str, version: str) -> dict[str, dict[str, object]]:
    """The snippet's assignments as {section: {field: value}}, each field one that version has."""
    config: dict[str, dict[str, object]] = {"training": {}, "parallelism": {}}
    for target, value in python_assignments(text).items():
        root, section, name = target.split(".")
        assert root == "config" and name in TORCHTITAN_FIELDS[version][section], (version, name)
        config[section][name] = value
    return config


def torchtitan_world(par) -> tuple[int, int]:
    """ParallelDims._validate (both versions): world = dp_replicate x dp_shard x cp x tp x pp;
    the batch degree is dp_replicate x dp_shard."""
    dp = par["data_parallel_replicate_degree"] * par["data_parallel_shard_degree"]
    pp = par["pipeline_parallel_degree"]
    return dp * par["context_parallel_degree"] * par["tensor_parallel_degree"] * pp, dp


def torchtitan_030_batches(training, parallelism, batch_degree):
    """torchtitan 0.3.0 torchtitan/trainer.py, transcribed: Trainer.Config.__post_init__
    (local_batch_size divisible by pipeline_parallel_microbatch_size under PP) and
    Trainer.__init__ ("verify batch sizes", gradient accumulation, pipeline micro-batches).
    Returns (gradient_accumulation_steps, num_pipeline_parallel_microbatches)."""
    local_batch_size = training.get("local_batch_size", 8)
    global_batch_size = training.get("global_batch_size", -1)
    pp_microbatch_size = parallelism.get("pipeline_parallel_microbatch_size", 1)
    pp_enabled = parallelism.get("pipeline_parallel_degree", 1) > 1
    assert pp_microbatch_size > 0
    if pp_enabled:
        assert local_batch_size % pp_microbatch_size == 0
    if global_batch_size < 0:
        global_batch_size = local_batch_size * batch_degree
    assert global_batch_size > 0
    assert global_batch_size % (local_batch_size * batch_degree) == 0
    gradient_accumulation_steps = global_batch_size // (local_batch_size * batch_degree)
    assert gradient_accumulation_steps > 0
    n_microbatches = local_batch_size // pp_microbatch_size if pp_enabled else 1
    return gradient_accumulation_steps, n_microbatches


def torchtitan_main_batches(training, parallelism, batch_degree):
    """torchtitan main at b5bcd76 torchtitan/trainer.py (after PR #4121), transcribed.
    Returns (gradient_accumulation_steps, num_pp_microbatches, tokens per micro-batch)."""
    pp_enabled = parallelism.get("pipeline_parallel_degree", 1) > 1
    num_pp_microbatches = parallelism.get("num_pp_microbatches", 1) if pp_enabled else 1
    per_micro = training.get("num_tokens_per_microbatch_per_dp_rank", 16384)
    num_tokens_per_dp_rank = per_micro * num_pp_microbatches
    num_tokens_per_train_step = training.get("num_tokens_per_train_step", -1)
    if num_tokens_per_train_step < 0:
        num_tokens_per_train_step = num_tokens_per_dp_rank * batch_degree
    assert num_tokens_per_train_step % (num_tokens_per_dp_rank * batch_degree) == 0
    steps = num_tokens_per_train_step // (num_tokens_per_dp_rank * batch_degree)
    return steps, num_pp_microbatches, per_micro


def check_torchtitan(p, text):
    """The default snippet is for the release on PyPI (0.3.0); main's is the alternative."""
    (snippet,) = [s for s in p.snippets if s.framework == "torchtitan"]
    assert text == snippet.text
    c = torchtitan_config(text, "0.3.0")
    world, dp = torchtitan_world(c["parallelism"])
    assert world == p.inputs.gpus  # torchtitan asserts this product equals the world size
    steps, pp_micro = torchtitan_030_batches(c["training"], c["parallelism"], dp)
    assert steps * pp_micro == p.accumulation.accumulation_steps
    assert c["training"]["seq_len"] == p.inputs.seq_len
    assert c["training"].get("steps") == expected_steps(p)
    if p.inputs.pp > 1:  # one pipeline flush per step: the micro-batch is the PP micro-batch
        assert c["parallelism"]["pipeline_parallel_microbatch_size"] == p.inputs.micro_batch
    else:
        assert c["training"]["local_batch_size"] == p.inputs.micro_batch
    released = steps * c["training"]["local_batch_size"] * dp

    (alt,) = snippet.alternatives
    assert "main" in alt.label and "4121" in alt.label
    m = torchtitan_config(alt.text, "main")
    world, dp = torchtitan_world(m["parallelism"])
    assert world == p.inputs.gpus
    steps, pp_micro, per_micro = torchtitan_main_batches(m["training"], m["parallelism"], dp)
    assert steps * pp_micro == p.accumulation.accumulation_steps
    assert m["training"]["max_context_length"] == p.inputs.seq_len
    assert per_micro == p.inputs.micro_batch * p.inputs.seq_len
    assert m["training"].get("steps") == expected_steps(p)
    assert steps * pp_micro * per_micro * dp == released * p.inputs.seq_len
    return released


def check_nanogpt(p, text):
    v = python_assignments(text)
    world = launch_world(text)
    per_rank = rules.nanogpt_per_rank(v["gradient_accumulation_steps"], world)
    assert v["block_size"] == p.inputs.seq_len
    assert v.get("max_iters") == expected_steps(p)
    return per_rank * world * v["batch_size"]


def check_axolotl(p, text):
    config = yaml.safe_load(text)
    assert config["sequence_len"] == p.inputs.seq_len
    assert config.get("max_steps") == expected_steps(p)
    return rules.axolotl_batch_size(
        config["micro_batch_size"],
        config["gradient_accumulation_steps"],
        p.inputs.gpus,
        config.get("tensor_parallel_size", 1),
        config.get("context_parallel_size", 1),
    )


CHECKS = {
    "deepspeed": check_deepspeed,
    "hf_trainer": check_hf_trainer,
    "accelerate": check_accelerate,
    "lightning": check_lightning,
    "megatron": check_megatron,
    "torchtitan": check_torchtitan,
    "nanogpt": check_nanogpt,
    "axolotl": check_axolotl,
}
PARSERS = {"json": json.loads, "yaml": yaml.safe_load, "python": ast.parse, "shell": parse_shell}


def expected_steps(p):
    if p.ramp_budget:
        return p.ramp_budget.optimizer_steps
    return p.budget.optimizer_steps if p.budget else None


def has_code(text: str) -> bool:
    return any(line and not line.startswith("#") for line in text.splitlines())


def check_all(p):
    assert [s.framework for s in p.snippets] == list(FRAMEWORKS)
    for s in p.snippets:
        PARSERS[s.format](s.text)  # every snippet parses in its own format
        if not has_code(s.text):  # only comments: the framework has no layout for this
            assert s.rejected
            continue
        assert CHECKS[s.framework](p, s.text) == p.accumulation.effective_global_batch, s.framework


SCENARIOS = {
    "defaults": {},
    "megatron example": {"global_batch": 512, "micro_batch": 2, "gpus": 64, "tp": 4, "pp": 2},
    "context parallel": {"gpus": 16, "cp": 2},
    "tensor parallel": {"gpus": 16, "tp": 2},
    "not a clean target": {"global_batch": 1000},
    "interleaved, m not a multiple of pp": {
        "global_batch": 12,
        "micro_batch": 1,
        "gpus": 8,
        "pp": 4,
        "vpp": 2,
    },
    "nanogpt default": {"global_batch": 480, "micro_batch": 12, "seq_len": 1024},
    "12 gpus": {"gpus": 12, "global_batch": 960},
    "token target": {"target_tokens": 4_000_000},
    "budget and ramp": {
        "gpus": 32,
        "pp": 4,
        "options": Options(train_tokens=2 * 10**12, rampup=(32, 32, 300_000)),
    },
    "budget": {"options": Options(train_tokens=10**11)},
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_snippet_parses_and_reproduces(name):
    check_all(scenario(**SCENARIOS[name]))


layouts = st.tuples(
    st.sampled_from([1, 2, 4]),  # tp
    st.sampled_from([1, 2, 3, 4]),  # pp
    st.sampled_from([1, 2]),  # cp
    st.integers(1, 16),  # dp
    st.integers(1, 8),  # micro-batch
    st.integers(1, 40),  # accumulation
    st.sampled_from([1, 2]),  # vpp
)


@settings(max_examples=60, deadline=None)
@given(layouts)
def test_random_layouts_reproduce_or_are_refused(layout):
    tp, pp, cp, dp, micro, k, vpp = layout
    vpp = vpp if pp > 1 else 1
    p = scenario(
        global_batch=micro * dp * k,
        micro_batch=micro,
        gpus=tp * pp * cp * dp,
        tp=tp,
        pp=pp,
        cp=cp,
        vpp=vpp,
        seq_len=2048,
    )
    check_all(p)


def notes_of(p, framework, kind):
    (s,) = [s for s in p.snippets if s.framework == framework]
    return [n.text for n in s.notes if n.kind == kind]


def test_flags_what_each_framework_refuses():
    raw = scenario(global_batch=1000)
    (ds,) = notes_of(raw, "deepspeed", "rejects")
    assert "1000 != 4 * 31 * 8" in ds  # DeepSpeed's own assertion on the raw target
    (mg,) = notes_of(raw, "megatron", "rejects")
    assert "global batch size (1000) is not divisible" in mg

    layered = scenario(global_batch=512, micro_batch=2, gpus=64, tp=4, pp=2)
    assert notes_of(layered, "nanogpt", "rejects")  # plain DDP only
    assert notes_of(layered, "lightning", "rejects")  # no pipeline
    assert notes_of(layered, "axolotl", "rejects")
    (no_mpu,) = notes_of(layered, "deepspeed", "warning")
    assert "512 != 2 * 32 * 64" in no_mpu  # raw process count without an mpu

    one_stage = scenario(gpus=16, pp=1, vpp=1)
    assert not notes_of(one_stage, "megatron", "rejects")

    # megatron-core up to 0.17 refuses a ramp without --train-samples; 0.19.2 runs it, so
    # the refusal is about the labelled 0.17 alternative, a warning on the snippet.
    ramp_no_budget = scenario(options=Options(rampup=(32, 32, 10_000)))
    assert not notes_of(ramp_no_budget, "megatron", "rejects")
    (ramp,) = [t for t in notes_of(ramp_no_budget, "megatron", "warning") if "refuses" in t]
    assert "--train-samples" in ramp and "≤ 0.17 alternative" in ramp


def test_interleaved_group_size_is_added_when_needed():
    p = scenario(global_batch=12, micro_batch=1, gpus=8, pp=4, vpp=2)  # m = 6, pp = 4
    (mg,) = [s for s in p.snippets if s.framework == "megatron"]
    flags = parse_shell(mg.text)
    assert flags["--microbatch-group-size-per-virtual-pipeline-stage"] == ["6"]
    assert not mg.rejected


def test_interleaving_with_two_stages_is_accepted_and_names_the_flag_that_refuses_it():
    # The expert's scenario: ?global_batch=1024&micro_batch=4&gpus=64&pp=2&vpp=2 (DP 32, m 8).
    # megatron-core 0.19.2 arguments.py: overlap_p2p_comm is on by default
    # (--no-overlap-p2p-communication is a store_false) and then only PP > 1 is asserted; the
    # PP > 2 assertion is in the branch taken with overlap turned off.
    p = scenario(global_batch=1024, micro_batch=4, gpus=64, pp=2, vpp=2)
    (mg,) = [s for s in p.snippets if s.framework == "megatron"]
    assert not mg.rejected
    flags = parse_shell(mg.text)
    assert flags["--pipeline-model-parallel-size"] == ["2"]
    assert flags["--num-virtual-stages-per-pipeline-rank"] == ["2"]
    assert "--no-overlap-p2p-communication" not in flags
    (why,) = [t for t in notes_of(p, "megatron", "info") if "--no-overlap-p2p-communication" in t]
    assert "greater than 2" in why


def test_two_stage_interleaving_gets_a_group_size_when_m_is_odd():
    # PP = 2, m = 3: the default group (PP = 2) leaves a remainder of 1 < PP, which
    # schedules.py refuses; a group of 3 leaves none.
    p = scenario(global_batch=12, micro_batch=1, gpus=8, pp=2, vpp=2)  # DP 4, m 3
    (mg,) = [s for s in p.snippets if s.framework == "megatron"]
    flags = parse_shell(mg.text)
    assert flags["--microbatch-group-size-per-virtual-pipeline-stage"] == ["3"]
    assert not mg.rejected


@pytest.mark.parametrize(
    "layout", [{}, {"gpus": 16, "tp": 2}, {"gpus": 16, "cp": 2}, {"gpus": 64, "tp": 2, "cp": 2}]
)
def test_trainer_notes_count_data_parallel_ranks_as_transformers_does(layout):
    # Transformers 5.24.0 get_total_train_batch_size divides the world size by TP, CP and SP:
    # every note states the data-parallel size, none the process count as the multiplier.
    p = scenario(**layout)
    (hf,) = [s for s in p.snippets if s.framework == "hf_trainer"]
    texts = [n.text for n in hf.notes] + [hf.text]
    assert not any("world size (processes)" in t for t in texts)
    dp = transformers_total_train_batch_size(1, 1, p.inputs.gpus, p.inputs.tp, p.inputs.cp, 1)
    (total,) = [t for t in texts if "get_total_train_batch_size" in t]
    batch = p.accumulation.effective_global_batch
    assert "data-parallel size" in total
    assert f"x {dp:,} = {batch:,}" in total
    assert f"x {dp:,} data-parallel ranks = {batch:,} sequences" in hf.text
