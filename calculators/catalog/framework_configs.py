"""Ready-to-paste configuration for eight training frameworks, each in its own semantics.

Every snippet reproduces the scenario's achieved global batch (not the raw target, which a
framework may refuse) and carries notes: what the framework checks, what it would reject, and
what it cannot run at all. Key names were checked against each framework's source
(see framework_rules.py and the page's references).
"""

import math
from dataclasses import dataclass, field

import orjson

from . import framework_rules as rules

FRAMEWORKS = (
    "deepspeed",
    "hf_trainer",
    "accelerate",
    "lightning",
    "megatron",
    "torchtitan",
    "nanogpt",
    "axolotl",
)
TITLES = {
    "deepspeed": "DeepSpeed (ds_config.json)",
    "hf_trainer": "Hugging Face Trainer (TrainingArguments)",
    "accelerate": "Hugging Face Accelerate",
    "lightning": "PyTorch Lightning",
    "megatron": "Megatron-LM (pretrain_gpt.py arguments)",
    "torchtitan": "torchtitan (Python config)",
    "nanogpt": "nanoGPT (config file)",
    "axolotl": "Axolotl (YAML)",
}
FORMATS = {
    "deepspeed": "json",
    "hf_trainer": "python",
    "accelerate": "python",
    "lightning": "python",
    "megatron": "shell",
    "torchtitan": "python",
    "nanogpt": "python",
    "axolotl": "yaml",
}
GPUS_PER_NODE = 8  # for launch lines only; frameworks count total processes


@dataclass(frozen=True)
class Scenario:
    gpus: int
    tp: int
    pp: int
    cp: int
    vpp: int
    dp: int
    micro_batch: int
    accumulation_steps: int
    global_batch: int  # achieved
    seq_len: int
    target_sequences: int | None  # the user's target when it is a whole number of sequences
    optimizer_steps: int | None = None  # from a training budget
    rampup: tuple[int, int, int] | None = None  # start, increment, samples
    megatron_train_samples: int | None = None
    megatron_train_iters: int | None = None
    ramp_microbatches: tuple[int, ...] = ()  # num_microbatches at each ramp stage
    budget_samples: int | None = None  # the training budget in sequences, rounded up
    # (steps, samples consumed, last batch) when the budget ends before the ramp does
    ramp_budget_end: tuple[int, int, int] | None = None
    # (first sample, global batch) of each batch trained at, the full batch last
    ramp_schedule: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Note:
    kind: str  # "rejects": the framework refuses or cannot run this; "warning"; "info"
    text: str


@dataclass(frozen=True)
class Alternative:
    """The same scenario for another version of the framework, labelled."""

    label: str
    text: str


@dataclass
class Snippet:
    framework: str
    text: str  # for the framework's latest release, unless a note says otherwise
    notes: list[Note] = field(default_factory=list)
    alternatives: list[Alternative] = field(default_factory=list)

    @property
    def title(self) -> str:
        return TITLES[self.framework]

    @property
    def format(self) -> str:
        return FORMATS[self.framework]

    @property
    def rejected(self) -> bool:
        return any(n.kind == "rejects" for n in self.notes)


def n(value: int) -> str:
    return f"{value:,}"


def model_parallel(s: Scenario) -> int:
    return s.tp * s.pp * s.cp


def ddp_fallback_lines(s: Scenario, why: str) -> tuple[list[str], int | None]:
    """Comment lines for a framework that cannot run the layout: say so, and name the closest
    layout it can run (every GPU a data-parallel rank). Returns the lines and the accumulation
    that layout needs for the same global batch, or None when no whole number works."""
    lines = [
        f"# Cannot run this layout: {why}",
        "# The closest it can run is plain data parallelism on all GPUs:",
    ]
    per_step = s.micro_batch * s.gpus
    if s.global_batch % per_step == 0:
        steps = s.global_batch // per_step
        lines.append(
            f"# {n(s.micro_batch)} x {n(steps)} x {n(s.gpus)} GPUs = {n(s.global_batch)} "
            "sequences, if the whole model fits on one GPU."
        )
        return lines, steps
    lines.append(
        f"# none at micro-batch {n(s.micro_batch)}: {n(s.global_batch)} is not a multiple of "
        f"{n(s.micro_batch)} x {n(s.gpus)}."
    )
    return lines, None


def launch_nodes(gpus: int) -> tuple[int, int]:
    """(GPUs per node, nodes) for launch commands: full 8-GPU nodes when possible."""
    if gpus > GPUS_PER_NODE and gpus % GPUS_PER_NODE == 0:
        return GPUS_PER_NODE, gpus // GPUS_PER_NODE
    return gpus, 1


# --- DeepSpeed -------------------------------------------------------------------------------


def json_text(config: dict) -> str:
    """json.dumps(config, indent=2) and a newline, written by orjson in C: the same text for
    what a config here holds (ASCII keys and names, integers, booleans, nested objects and
    lists; tests/training_plan/test_fast_paths.py compares the two). json.dumps with an indent
    runs the standard library's pure-Python encoder: 0.14M CPU instructions for the planner's
    DeepSpeed config, 0.007M through orjson (callgrind)."""
    return orjson.dumps(config, option=orjson.OPT_INDENT_2).decode() + "\n"


def deepspeed(s: Scenario) -> Snippet:
    config, notes = deepspeed_config(s)
    return Snippet("deepspeed", json_text(config), notes)


def deepspeed_config(s: Scenario) -> tuple[dict, list[Note]]:
    """The ds_config.json object and its notes, for a caller that adds keys (the planner)."""
    config = {
        "train_batch_size": s.global_batch,
        "train_micro_batch_size_per_gpu": s.micro_batch,
        "gradient_accumulation_steps": s.accumulation_steps,
    }
    if s.cp > 1:
        # With no mpu, DeepSpeed divides the process count by this to get its world size.
        config["sequence_parallel_size"] = s.cp
    notes = [
        Note(
            "info",
            "DeepSpeed asserts train_batch_size = micro-batch x accumulation x world size, "
            "where world size is the data-parallel size only when an mpu supplies it "
            "(Megatron-DeepSpeed, a PipelineModule); otherwise it is the number of processes"
            + (" divided by sequence_parallel_size." if s.cp > 1 else "."),
        ),
    ]
    if s.tp * s.pp > 1:
        no_mpu_world = s.gpus // s.cp
        try:
            rules.deepspeed_resolve(
                s.global_batch, s.micro_batch, s.accumulation_steps, no_mpu_world
            )
        except rules.FrameworkRejects as refusal:
            notes.append(
                Note(
                    "warning",
                    f"Without an mpu, DeepSpeed counts {n(no_mpu_world)} processes as "
                    f"data-parallel and stops: '{refusal}'. Pass the mpu (or use a "
                    f"PipelineModule) so it sees the {n(s.dp)} data-parallel ranks.",
                )
            )
    if s.pp > 1:
        notes.append(
            Note(
                "info",
                "DeepSpeed's pipeline engine runs gradient_accumulation_steps micro-batches per "
                f"pipeline flush, so m = {n(s.accumulation_steps)} sets the bubble.",
            )
        )
    if s.target_sequences is not None and s.target_sequences != s.global_batch:
        try:
            rules.deepspeed_resolve(s.target_sequences, s.micro_batch, None, s.dp)
        except rules.FrameworkRejects as refusal:
            derived = (s.target_sequences // s.micro_batch) // s.dp
            notes.append(
                Note(
                    "rejects",
                    f"Your target as train_batch_size ({n(s.target_sequences)}) with only the "
                    f"micro-batch given: DeepSpeed derives accumulation ({n(s.target_sequences)} "
                    f"// {n(s.micro_batch)}) // {n(s.dp)} = {n(derived)} and stops: '{refusal}'. "
                    f"The config uses the achieved {n(s.global_batch)}.",
                )
            )
    return config, notes


# --- Hugging Face Trainer and Accelerate ----------------------------------------------------


def hf_parallelism_notes(s: Scenario, framework: str) -> tuple[list[Note], list[str], int]:
    """Notes and fallback comments for TP/CP/PP under Trainer/Accelerate; returns the
    accumulation to write."""
    notes: list[Note] = []
    if s.pp > 1:
        lines, steps = ddp_fallback_lines(
            s,
            "Accelerate's ParallelismConfig has dp_replicate, dp_shard, tp and cp "
            "dimensions but no pipeline dimension.",
        )
        notes.append(
            Note(
                "rejects",
                f"{TITLES[framework]} cannot run pipeline parallelism (PP = {s.pp}): Accelerate's "
                "ParallelismConfig has no pipeline dimension. Use Megatron-LM, DeepSpeed's "
                "pipeline engine or torchtitan.",
            )
        )
        return notes, lines, steps
    if s.tp * s.cp > 1:
        notes.append(
            Note(
                "warning",
                f"TP = {s.tp} and CP = {s.cp} are set outside this snippet, with Accelerate's "
                f"ParallelismConfig(dp_shard_size={s.dp}, tp_size={s.tp}, cp_size={s.cp}) on "
                "FSDP2. Ranks in one TP/CP group receive the same batch, so the global batch is "
                f"per-device x accumulation x {n(s.dp)} data-parallel ranks, not x {n(s.gpus)} "
                "processes.",
            )
        )
    return notes, [], s.accumulation_steps


def hf_trainer(s: Scenario) -> Snippet:
    notes, fallback, steps = hf_parallelism_notes(s, "hf_trainer")
    per_node, nodes = launch_nodes(s.gpus)
    lines = [*fallback]
    if steps is None:
        return Snippet("hf_trainer", "\n".join(lines) + "\n", notes)
    world = s.gpus if fallback else s.dp
    lines += [
        "from transformers import TrainingArguments",
        "",
        "args = TrainingArguments(",
        '    output_dir="out",',
        f"    per_device_train_batch_size={s.micro_batch},",
        f"    gradient_accumulation_steps={steps},",
        "    average_tokens_across_devices=True,  # token-weighted loss across GPUs",
    ]
    if s.optimizer_steps:
        lines.append(f"    max_steps={s.optimizer_steps},  # optimizer steps, not micro-steps")
    lines += [
        ")",
        f"# torchrun --nnodes={nodes} --nproc_per_node={per_node} train.py",
        f"# global batch = {n(s.micro_batch)} x {n(steps)} x {n(world)} data-parallel ranks = "
        f"{n(s.micro_batch * steps * world)} sequences",
    ]
    if fallback:  # plain data parallelism: every process a replica
        split = f"all {n(world)} processes (no TP or CP)"
        total = rules.hf_total_train_batch_size(s.micro_batch, steps, s.gpus)
    else:
        split = f"world size // (TP x CP x SP) = {n(s.gpus)} // ({s.tp} x {s.cp} x 1) = {n(world)}"
        total = rules.hf_total_train_batch_size(s.micro_batch, steps, s.gpus, s.tp, s.cp)
    notes.append(
        Note(
            "info",
            "The Trainer's total batch (get_total_train_batch_size) is "
            "per_device_train_batch_size x gradient_accumulation_steps x data-parallel size, "
            f"where the data-parallel size is {split}: {n(s.micro_batch)} x {n(steps)} x "
            f"{n(world)} = {n(total)}. "
            "Since Transformers 4.46 the loss is divided by the token count of the whole "
            "accumulated batch; use 4.48 or later (4.47 doubled the loss at accumulation 2).",
        )
    )
    return Snippet("hf_trainer", "\n".join(lines) + "\n", notes)


def accelerate(s: Scenario) -> Snippet:
    notes, fallback, steps = hf_parallelism_notes(s, "accelerate")
    lines = [*fallback]
    if steps is None:
        return Snippet("accelerate", "\n".join(lines) + "\n", notes)
    processes = s.gpus
    lines += [
        "from accelerate import Accelerator",
        "from torch.utils.data import DataLoader",
        "",
        f"accelerator = Accelerator(gradient_accumulation_steps={steps})",
        f"train_loader = DataLoader(train_dataset, batch_size={s.micro_batch}, shuffle=True)",
        "model, optimizer, train_loader = accelerator.prepare(model, optimizer, train_loader)",
        "for batch in train_loader:",
        "    with accelerator.accumulate(model):  # skips the all-reduce until the last micro-step",
        "        loss = model(**batch).loss",
        "        accelerator.backward(loss)  # divides the loss by gradient_accumulation_steps",
        "        optimizer.step()  # a no-op until the accumulation boundary",
        "        optimizer.zero_grad()",
        f"# accelerate launch --num_processes {processes} train.py",
    ]
    notes.append(
        Note(
            "info",
            "Accelerate steps a prepared LR scheduler num_processes times per optimizer step "
            "(split_batches=False): write schedule lengths accordingly, or don't prepare it.",
        )
    )
    return Snippet("accelerate", "\n".join(lines) + "\n", notes)


# --- PyTorch Lightning ----------------------------------------------------------------------


def lightning(s: Scenario) -> Snippet:
    notes: list[Note] = []
    lines: list[str] = []
    steps = s.accumulation_steps
    devices = s.gpus
    if s.pp > 1 or s.cp > 1:
        fallback, steps = ddp_fallback_lines(
            s, "Lightning's ModelParallelStrategy supports data and tensor parallelism only."
        )
        lines += fallback
        notes.append(
            Note(
                "rejects",
                f"Lightning has no pipeline or context parallelism (PP = {s.pp}, CP = {s.cp}): its "
                "ModelParallelStrategy covers data and tensor parallelism (2D) only.",
            )
        )
        if steps is None:
            return Snippet("lightning", "\n".join(lines) + "\n", notes)
    per_node, nodes = launch_nodes(devices)
    use_tp = s.tp > 1 and not lines
    lines += ["import lightning as L"]
    if use_tp:
        lines += ["from lightning.pytorch.strategies import ModelParallelStrategy"]
    lines += [
        "from torch.utils.data import DataLoader",
        "",
        f"train_loader = DataLoader(train_dataset, batch_size={s.micro_batch}, shuffle=True)",
        "trainer = L.Trainer(",
        '    accelerator="gpu",',
        f"    devices={per_node},",
        f"    num_nodes={nodes},",
    ]
    if use_tp:
        lines.append(
            f"    strategy=ModelParallelStrategy(data_parallel_size={s.dp}, "
            f"tensor_parallel_size={s.tp}),"
        )
    lines.append(f"    accumulate_grad_batches={steps},")
    if s.optimizer_steps:
        lines.append(f"    max_steps={s.optimizer_steps},  # optimizer steps")
    lines.append(")")
    notes.append(
        Note(
            "info",
            "Lightning's effective batch is DataLoader batch_size x data-parallel devices x "
            "accumulate_grad_batches; it divides the loss by accumulate_grad_batches and blocks "
            f"the gradient sync on accumulating steps. Launch: {nodes} node(s) x {per_node} GPUs "
            "(adjust devices/num_nodes to your nodes; only their product matters).",
        )
    )
    return Snippet("lightning", "\n".join(lines) + "\n", notes)


# --- Megatron-LM ----------------------------------------------------------------------------


def megatron(s: Scenario) -> Snippet:
    notes: list[Note] = []
    args = [
        ("--tensor-model-parallel-size", s.tp),
        ("--pipeline-model-parallel-size", s.pp),
        ("--context-parallel-size", s.cp),
    ]
    if s.vpp > 1:
        args.append(("--num-virtual-stages-per-pipeline-rank", s.vpp))
        group = None
        if s.accumulation_steps >= s.pp and s.accumulation_steps % s.pp:
            group = rules.megatron_group_size(s.pp, s.accumulation_steps)
            if group is not None:
                args.append(("--microbatch-group-size-per-virtual-pipeline-stage", group))
                notes.append(
                    Note(
                        "info",
                        f"m = {s.accumulation_steps} is not a multiple of PP = {s.pp}, which the "
                        "interleaved schedule's default group size (PP) needs; a group of "
                        f"{group} micro-batches satisfies Megatron's rule (remainder 0 or >= PP).",
                    )
                )
        try:
            rules.megatron_interleaving(s.pp, s.vpp, s.accumulation_steps, group)
        except rules.FrameworkRejects as refusal:
            notes.append(Note("rejects", f"Megatron stops: '{refusal}'."))
        if s.pp == 2:
            try:
                rules.megatron_interleaving(s.pp, s.vpp, s.pp, None, overlap_p2p_comm=False)
            except rules.FrameworkRejects as refusal:
                notes.append(
                    Note(
                        "info",
                        "Interleaving with PP = 2 runs because Megatron overlaps pipeline "
                        "point-to-point communication by default (overlap_p2p_comm); then it "
                        "only needs PP > 1. Adding --no-overlap-p2p-communication would make it "
                        f"stop: '{refusal}'.",
                    )
                )
        for stage_m in s.ramp_microbatches:
            try:
                rules.megatron_interleaving(s.pp, s.vpp, stage_m, group)
            except rules.FrameworkRejects as refusal:
                notes.append(
                    Note(
                        "rejects",
                        f"During the ramp-up, at {stage_m} micro-batches, Megatron's interleaved "
                        f"schedule stops: '{refusal}'. Start the ramp at a batch of at least "
                        f"PP = {s.pp} micro-batches, in multiples of {s.pp}.",
                    )
                )
                break
    args += [
        ("--micro-batch-size", s.micro_batch),
        ("--global-batch-size", s.global_batch),
        ("--seq-length", s.seq_len),
    ]
    alternatives: list[Alternative] = []
    schedule_given = False
    if s.rampup:
        legacy = megatron_legacy_ramp_args(s, args)
        schedule = megatron_step_schedule(s, args)
        schedule_given = isinstance(schedule, list)
        if isinstance(schedule, list):  # the current release's ramp, 0.17's as the alternative
            args = schedule
            alternatives.append(
                Alternative(
                    "megatron-core ≤ 0.17 (--rampup-batch-size; 0.18 and later accept it but "
                    "ignore it and train at --global-batch-size from the first step)",
                    megatron_command(s, legacy),
                )
            )
        else:
            args = legacy
            notes.append(
                Note(
                    "rejects",
                    "megatron-core 0.18 and later (0.19.2 is the latest release) cannot take "
                    f"this ramp: {schedule} These arguments are for megatron-core ≤ 0.17 "
                    "(--rampup-batch-size); 0.18 and later accept that flag but ignore it and "
                    "train at --global-batch-size from the first step.",
                )
            )
        notes += megatron_ramp_notes(s, schedule_given)
    elif s.optimizer_steps:
        args.append(("--train-iters", s.optimizer_steps))
    text = megatron_command(s, args)
    notes.append(
        Note(
            "info",
            f"Megatron computes DP = world / (TP x PP x CP) = {n(s.gpus)} / {n(model_parallel(s))} "
            f"= {n(s.dp)} and num_microbatches = global batch / (micro-batch x DP) = "
            f"{n(s.accumulation_steps)}; run it on {n(s.gpus)} GPUs in total.",
        )
    )
    if s.megatron_train_iters is not None:
        legacy_iters = (
            f"--train-samples {n(s.megatron_train_samples)} and the ramp, megatron-core ≤ 0.17 "
            f"sets train_iters = {n(s.megatron_train_iters)}"
        )
        if schedule_given:
            text_iters = (
                f"With the schedule and --train-samples {n(s.budget_samples)}, megatron-core "
                f"0.19.2 sets train_iters = {n(s.optimizer_steps)}; with the alternative's "
                f"{legacy_iters}."
            )
        else:
            text_iters = f"With {legacy_iters}."
        notes.append(Note("info", text_iters))
    if s.target_sequences is not None and s.target_sequences != s.global_batch:
        try:
            rules.megatron_num_microbatches(s.target_sequences, s.micro_batch, s.dp)
        except rules.FrameworkRejects as refusal:
            notes.append(
                Note(
                    "rejects",
                    f"--global-batch-size {s.target_sequences} (your target) stops Megatron: "
                    f"'{refusal}'. The arguments use the achieved {n(s.global_batch)}.",
                )
            )
    return Snippet("megatron", text, notes, alternatives)


def megatron_command(s: Scenario, args: list[tuple[str, object]]) -> str:
    lines = [f"    {flag} {value}" for flag, value in args]
    per_node, nodes = launch_nodes(s.gpus)
    text = f"torchrun --nnodes={nodes} --nproc_per_node={per_node} pretrain_gpt.py \\\n"
    return text + " \\\n".join(lines) + "\n"


def megatron_legacy_ramp_args(s: Scenario, constant_args) -> list[tuple[str, object]]:
    """The ramp for megatron-core up to 0.17: --rampup-batch-size next to --global-batch-size,
    and the --train-samples its update_train_iters turns into the budget's steps."""
    start, increment, samples = s.rampup
    args = [*constant_args, ("--rampup-batch-size", f"{start} {increment} {samples}")]
    if s.megatron_train_samples is not None:
        args.append(("--train-samples", s.megatron_train_samples))
    return args


def megatron_ramp_notes(s: Scenario, schedule_given: bool) -> list[Note]:
    start, increment, samples = s.rampup
    ramp = f"--rampup-batch-size {start} {increment} {samples}"
    notes = []
    if schedule_given:
        notes.append(
            Note(
                "info",
                f"The ramp ({ramp} in megatron-core ≤ 0.17, the alternative below) is written "
                "for megatron-core 0.18 and later (0.19.2 is the latest release) as "
                "--step-batch-size-schedule: one THRESHOLD:BATCH entry per batch in the ramp "
                f"table above, the threshold its first sample x {n(s.seq_len)} tokens (Megatron "
                "reads thresholds as tokens because --seq-length is given), the last entry the "
                "global batch. Megatron refuses --global-batch-size next to a schedule and then "
                f"sets global_batch_size = micro-batch x DP = {n(s.micro_batch * s.dp)}, which "
                "is also its default evaluation batch; --eval-global-batch-size "
                f"{s.global_batch} evaluates as many sequences per evaluation step as the "
                "constant-batch run does."
                + (
                    " Megatron reads thresholds with float(): those past 2^53 tokens, which a "
                    "double cannot hold exactly, are written as the next whole number it can, "
                    "still within the same sample."
                    if any(
                        step_schedule_threshold(first, s.seq_len) != first * s.seq_len
                        for first, _ in step_schedule_entries(s)
                    )
                    else ""
                ),
            )
        )
    if s.megatron_train_samples is None:
        legacy = (
            "The megatron-core ≤ 0.17 alternative"
            if schedule_given
            else "Megatron up to megatron-core 0.17"
        )
        text = (
            f"{legacy} refuses a ramp with iteration-based training ('expected no "
            "batch-size rampup for iteration-based training'): it needs --train-samples."
        )
        if schedule_given:
            text = (
                "Give the run's length as --train-samples: with --train-iters, megatron-core "
                "0.19.2 sizes the training data as train_iters x global_batch_size, and without "
                f"--global-batch-size that is micro-batch x DP = {n(s.micro_batch * s.dp)} "
                "sequences per step, not the schedule's batches. " + text
            )
        notes.append(
            Note(
                "warning" if schedule_given else "rejects",
                text + " Give a training budget above and the snippet will include it.",
            )
        )
    if s.ramp_budget_end is not None:
        steps, consumed, last_batch = s.ramp_budget_end
        text = (
            f"The training budget ends inside the batch ramp-up: {n(s.budget_samples)} "
            f"sequences (the budget in tokens / {n(s.seq_len)}, rounded up) are used up after "
            f"{n(steps)} optimizer steps at growing batches, the last at {n(last_batch)}, so "
            f"the run never trains at the global batch of {n(s.global_batch)}. "
        )
        if schedule_given:
            text += (
                "megatron-core 0.19.2's update_train_iters runs iterations while the samples "
                "consumed are below --train-samples, so the snippet gives it the budget, "
                f"{n(s.budget_samples)}. Up to 0.17 ({ramp}) "
            )
        else:
            text += f"With {ramp}, "
        text += (
            "Megatron's update_train_iters runs another ramp iteration whenever the samples "
            "consumed are at most --train-samples, so --train-samples is "
            f"{n(s.megatron_train_samples)}"
        )
        if schedule_given:
            text += " in the alternative"
        if consumed <= samples:
            text += f"; giving it the {n(consumed)} samples those steps consume would add a step"
        notes.append(Note("warning", text + "."))
    return notes


# Linux refuses to start a program when one argument string, with its NUL, exceeds
# MAX_ARG_STRLEN = 32 pages (include/uapi/linux/binfmts.h); with 4 KiB pages execve fails
# with E2BIG ("Argument list too long") from 131,072 bytes on. torchrun starts its workers
# with the same arguments.
MAX_ARGUMENT_CHARS = 32 * 4096 - 1


def step_schedule_entries(s: Scenario) -> list[tuple[int, int]]:
    """(first sample, batch) for each batch trained at, without repeats."""
    entries: list[tuple[int, int]] = []
    for first_sample, batch in s.ramp_schedule:
        if not entries or entries[-1][1] != batch:  # the ramp can end at the full batch
            entries.append((first_sample, batch))
    return entries


def step_schedule_threshold(first_sample: int, seq_len: int) -> int | None:
    """A token count Megatron reads back as `first_sample`: it parses a threshold with
    int(float(value)) and divides by seq_length. first_sample x seq_len, unless a double cannot
    hold it (past 2**53); then the next double up, if it still lies within that sample's
    tokens; None if none does."""
    tokens = first_sample * seq_len
    value = float(tokens)
    if int(value) < tokens:
        value = math.nextafter(value, math.inf)
    written = int(value)
    return written if written // seq_len == first_sample else None


def megatron_step_schedule(s: Scenario, constant_args) -> list[tuple[str, object]] | str:
    """The ramp as megatron-core 0.18+'s --step-batch-size-schedule "THRESHOLD:BATCH ...":
    one entry per batch actually trained at, at the sample where it starts, thresholds in
    tokens (the CLI passes --seq-length). Megatron sets no limit on the entries. Returns the
    arguments, or why the schedule cannot be given (a sentence)."""
    entries = step_schedule_entries(s)
    written = []
    for first_sample, batch in entries:
        tokens = step_schedule_threshold(first_sample, s.seq_len)
        if tokens is None:
            return (
                f"its --step-batch-size-schedule would need the batch of {n(batch)} to start "
                f"at sample {n(first_sample)}, {n(first_sample * s.seq_len)} tokens, and "
                "Megatron reads thresholds with float(), which holds no whole number of "
                "tokens between that and the next sample's first token."
            )
        written.append(f"{tokens}:{batch}")
    schedule = " ".join(written)
    if len(schedule) > MAX_ARGUMENT_CHARS:
        return (
            f"its --step-batch-size-schedule would be {n(len(entries))} entries, "
            f"{n(len(schedule))} characters, and Linux refuses to start a program with one "
            f"argument longer than {n(MAX_ARGUMENT_CHARS)} characters (MAX_ARG_STRLEN, 32 "
            "pages of 4 KiB: 'Argument list too long'). A larger increment gives fewer "
            "batches and a shorter schedule, but a different ramp."
        )
    args = [(f, v) for f, v in constant_args if f != "--global-batch-size"]
    args.append(("--step-batch-size-schedule", f'"{schedule}"'))
    args.append(("--eval-global-batch-size", s.global_batch))
    if s.budget_samples is not None:
        # Its update_train_iters counts iterations while consumed < --train-samples.
        args.append(("--train-samples", s.budget_samples))
    return args


# --- torchtitan -----------------------------------------------------------------------------


def torchtitan_parallelism_lines(s: Scenario) -> list[str]:
    return [
        "config.parallelism.data_parallel_replicate_degree = 1",
        f"config.parallelism.data_parallel_shard_degree = {s.dp}",
        f"config.parallelism.tensor_parallel_degree = {s.tp}",
        f"config.parallelism.context_parallel_degree = {s.cp}",
        f"config.parallelism.pipeline_parallel_degree = {s.pp}",
    ]


def torchtitan_main_text(s: Scenario, pp_microbatches: int) -> str:
    """The same scenario in the token-denominated fields of torchtitan's main branch after
    PR #4121 ("fold batch dim"), which no release has yet."""
    lines = [
        "# torchtitan main after PR #4121 (not in a release yet): token-denominated fields in",
        f"# torchtitan/config/configs.py. Launch with NGPU={s.gpus}.",
        f"config.training.max_context_length = {s.seq_len}",
        f"config.training.num_tokens_per_microbatch_per_dp_rank = {s.micro_batch * s.seq_len}"
        f"  # {n(s.micro_batch)} sequences x {n(s.seq_len)}",
        f"config.training.num_tokens_per_train_step = {s.global_batch * s.seq_len}"
        f"  # {n(s.global_batch)} sequences",
        *torchtitan_parallelism_lines(s),
    ]
    if s.pp > 1:
        lines.append(
            f"config.parallelism.num_pp_microbatches = {pp_microbatches}  # m per pipeline flush"
        )
        if s.vpp > 1:
            lines.append('config.parallelism.pipeline_parallel_schedule = "Interleaved1F1B"')
    if s.optimizer_steps:
        lines.append(f"config.training.steps = {s.optimizer_steps}")
    return "\n".join(lines) + "\n"


def torchtitan(s: Scenario) -> Snippet:
    # Under PP all m micro-batches go through one pipeline flush: the local batch is m
    # micro-batches of micro_batch sequences, and there is one accumulation step.
    pp_microbatches = s.accumulation_steps if s.pp > 1 else 1
    local_batch = s.micro_batch * pp_microbatches
    release = rules.torchtitan_release_batch(
        s.global_batch, local_batch, s.micro_batch, s.dp, pp_enabled=s.pp > 1
    )
    lines = [
        "# torchtitan 0.3.0 (the PyPI release): in your config function (returns",
        f"# Trainer.Config); fields from torchtitan/config/configs.py. Launch with NGPU={s.gpus}.",
        f"config.training.seq_len = {s.seq_len}",
    ]
    if s.pp > 1:
        lines.append(
            f"config.training.local_batch_size = {local_batch}"
            f"  # {n(pp_microbatches)} pipeline micro-batches x {n(s.micro_batch)} sequences"
        )
    else:
        lines.append(
            f"config.training.local_batch_size = {local_batch}  # sequences per data-parallel rank"
        )
    lines += [
        f"config.training.global_batch_size = {s.global_batch}  # sequences, all ranks",
        *torchtitan_parallelism_lines(s),
    ]
    if s.pp > 1:
        lines.append(
            f"config.parallelism.pipeline_parallel_microbatch_size = {s.micro_batch}"
            "  # sequences per pipeline micro-batch"
        )
        if s.vpp > 1:
            lines.append('config.parallelism.pipeline_parallel_schedule = "Interleaved1F1B"')
    if s.optimizer_steps:
        lines.append(f"config.training.steps = {s.optimizer_steps}")
    main_steps = rules.torchtitan_accumulation(
        s.global_batch * s.seq_len, s.micro_batch * s.seq_len, pp_microbatches, s.dp
    )
    notes = [
        Note(
            "info",
            "torchtitan 0.3.0 derives gradient accumulation = global_batch_size / "
            f"(local_batch_size x data-parallel degree) = {n(s.global_batch)} / "
            f"({n(local_batch)} x {n(s.dp)}) = {n(release.gradient_accumulation_steps)}"
            + (
                " and pipeline micro-batches = local_batch_size / "
                f"pipeline_parallel_microbatch_size = {n(local_batch)} / {n(s.micro_batch)} = "
                f"{n(release.pipeline_microbatches)}"
                if s.pp > 1
                else ""
            )
            + "; it asserts world = dp_replicate x dp_shard x cp x tp x pp and normalizes the "
            "loss by the global count of valid tokens (an exact token mean).",
        ),
        Note(
            "info",
            "torchtitan's main branch after PR #4121 (the alternative below) counts tokens "
            "instead: training.num_tokens_per_microbatch_per_dp_rank, "
            "training.num_tokens_per_train_step, training.max_context_length and "
            "parallelism.num_pp_microbatches replace local_batch_size, global_batch_size, "
            "seq_len and pipeline_parallel_microbatch_size; gradient accumulation = "
            "num_tokens_per_train_step / (num_tokens_per_microbatch_per_dp_rank x "
            f"num_pp_microbatches x data-parallel degree) = {n(main_steps)}. The release "
            "has none of the new names and main none of the old ones.",
        ),
    ]
    if s.pp > 1:
        if s.vpp > 1:
            notes.append(
                Note(
                    "info",
                    f"Looped schedules infer stages per rank from the split: set "
                    f"pipeline_parallel_layers_per_stage to layers / {s.pp * s.vpp} for "
                    f"{s.vpp} chunks per GPU.",
                )
            )
        notes.append(
            Note(
                "info",
                "All m micro-batches go through one pipeline flush (m = "
                f"{n(pp_microbatches)}) and gradient accumulation is 1, so the bubble is the "
                "one computed above; splitting m into accumulation x smaller flushes adds a "
                "bubble per flush.",
            )
        )
    alternative = Alternative(
        "torchtitan main (after PR #4121, token-denominated)",
        torchtitan_main_text(s, pp_microbatches),
    )
    return Snippet("torchtitan", "\n".join(lines) + "\n", notes, [alternative])


# --- nanoGPT --------------------------------------------------------------------------------


def nanogpt(s: Scenario) -> Snippet:
    notes: list[Note] = []
    lines: list[str] = []
    world, per_rank = s.dp, s.accumulation_steps
    if model_parallel(s) > 1:
        fallback, per_rank = ddp_fallback_lines(
            s, f"nanoGPT is plain DDP; it has no TP, PP or CP (here {model_parallel(s)})."
        )
        lines += fallback
        world = s.gpus
        notes.append(
            Note(
                "rejects",
                "nanoGPT cannot run tensor, pipeline or context parallelism: every GPU is a "
                f"data-parallel rank holding the whole model (TP x PP x CP = {model_parallel(s)} "
                "here).",
            )
        )
        if per_rank is None:
            return Snippet("nanogpt", "\n".join(lines) + "\n", notes)
    per_node, nodes = launch_nodes(world)
    total = per_rank * world
    lines += [
        f"# config/train_scenario.py, run: torchrun --nnodes={nodes} --nproc_per_node={per_node} "
        "train.py config/train_scenario.py",
        f"batch_size = {s.micro_batch}",
        f"block_size = {s.seq_len}",
        f"gradient_accumulation_steps = {total}"
        f"  # all ranks: train.py divides by the world size ({world}) -> {per_rank} per GPU",
    ]
    if s.optimizer_steps:
        lines.append(f"max_iters = {s.optimizer_steps}")
        lines.append(f"lr_decay_iters = {s.optimizer_steps}")
    notes.append(
        Note(
            "info",
            "nanoGPT's gradient_accumulation_steps counts micro-steps over all GPUs: train.py "
            "asserts it is divisible by the world size and divides it, so the per-GPU count is "
            f"{n(total)} / {n(world)} = {n(per_rank)}. It prints tokens per iteration = "
            f"{n(per_rank)} x {n(world)} x {n(s.micro_batch)} x {n(s.seq_len)} = "
            f"{n(per_rank * world * s.micro_batch * s.seq_len)}.",
        )
    )
    return Snippet("nanogpt", "\n".join(lines) + "\n", notes)


# --- Axolotl --------------------------------------------------------------------------------


def axolotl(s: Scenario) -> Snippet:
    notes: list[Note] = []
    lines: list[str] = []
    steps = s.accumulation_steps
    if s.pp > 1:
        fallback, steps = ddp_fallback_lines(s, "Axolotl has no pipeline parallelism.")
        lines += fallback
        notes.append(
            Note(
                "rejects",
                f"Axolotl has no pipeline parallelism (PP = {s.pp}); it shards with FSDP or "
                "DeepSpeed ZeRO and splits with tensor_parallel_size and context_parallel_size.",
            )
        )
        if steps is None:
            return Snippet("axolotl", "\n".join(lines) + "\n", notes)
    keep_model_parallel = not lines
    lines += [
        f"micro_batch_size: {s.micro_batch}",
        f"gradient_accumulation_steps: {steps}",
        f"sequence_len: {s.seq_len}",
    ]
    if keep_model_parallel and s.tp > 1:
        lines.append(f"tensor_parallel_size: {s.tp}")
    if keep_model_parallel and s.cp > 1:
        lines.append(f"context_parallel_size: {s.cp}")
        lines.append("flash_attention: true  # required with context_parallel_size > 1")
        if s.micro_batch > 1:
            notes.append(
                Note(
                    "warning",
                    "With sample_packing: true and context_parallel_size > 1, Axolotl requires "
                    "micro_batch_size: 1 ('micro_batch_size must be set to 1 when sample_packing "
                    "is enabled due to a ring-flash-attn requirement').",
                )
            )
    if s.optimizer_steps:
        lines.append(f"max_steps: {s.optimizer_steps}")
    world_div = s.tp * s.cp if keep_model_parallel else 1
    notes.append(
        Note(
            "info",
            "Axolotl's batch_size is micro_batch_size x gradient_accumulation_steps per GPU, "
            f"times world // CP // TP under DDP/FSDP: {n(s.micro_batch)} x {n(steps)} x "
            f"({n(s.gpus)} // {n(world_div)}) = "
            f"{n(s.micro_batch * steps * (s.gpus // world_div))}. Set these two keys, not "
            "batch_size.",
        )
    )
    return Snippet("axolotl", "\n".join(lines) + "\n", notes)


GENERATORS = {
    "deepspeed": deepspeed,
    "hf_trainer": hf_trainer,
    "accelerate": accelerate,
    "lightning": lightning,
    "megatron": megatron,
    "torchtitan": torchtitan,
    "nanogpt": nanogpt,
    "axolotl": axolotl,
}


def snippets(s: Scenario) -> list[Snippet]:
    return [GENERATORS[name](s) for name in FRAMEWORKS]
