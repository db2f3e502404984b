from dataclasses import asdict

from django import forms
from django.utils.html import json_script

from calculators.catalog import gpus
from calculators.catalog.memory import GIB, OPTIMIZERS, PRECISIONS
from calculators.kit import registry
from calculators.kit.fields import (
    CatalogGpuField,
    DecimalNumberField,
    PlainChoiceField,
    WholeNumberField,
    plain_number,
)
from calculators.kit.forms import CalculatorForm
from calculators.kit.memory_bar import memory_bar
from calculators.kit.numbers import exact
from calculators.kit.querystrings import query

from . import agreement, presets
from .engine import Hardware, Scenario, fit


def missing_memory(gpu: gpus.GPU) -> list[str]:
    """What this calculator needs of a catalog GPU: its total memory as nvidia-smi reports it.
    PyTorch sees a little less; the reserve below covers that and the CUDA context."""
    return [] if gpu.smi_memory_mib else ["nvidia-smi memory total"]


MAX_DEGREE = 1024
# What the preset script copies into the fields (the no-JS path applies presets server-side).
PRESET_FIELDS = presets.FIELDS
# The presets as the page's script reads them: the same on every page, so written once per
# process (serialising and escaping them cost 80 to 200 µs a page, timeit).
PRESET_FIELDS_SCRIPT = json_script(PRESET_FIELDS, "preset-fields")
# Where each preset's numbers come from, for the references: the same on every page.
PRESET_SOURCES = "; ".join(f"{p.name} ({p.source})" for p in presets.PRESETS)
# This page's own scenarios, written as its permalinks are (the kit's query writer).
PAPER_RUN_LINKS = [
    (name, "?" + query([(k, plain_number(v)) for k, v in values.items()]))
    for name, values in presets.paper_run_queries()
]


class IntChoiceField(forms.TypedChoiceField):
    """A select whose values are small integers (0/1 switches, ZeRO stages)."""

    def __init__(self, *, label, choices, **kwargs):
        super().__init__(
            label=label, choices=[(str(v), t) for v, t in choices], coerce=int, **kwargs
        )
        names = ", ".join(str(v) for v, _ in choices)
        message = f"{label} must be one of: {names}."
        self.error_messages = {"required": message, "invalid_choice": message}


def whole(label, unit, lo, hi, initial, help_text):
    return WholeNumberField(
        label=label, unit=unit, min_value=lo, max_value=hi, initial=initial, help_text=help_text
    )


class ActivationMemoryForm(CalculatorForm):
    preset = PlainChoiceField(
        label="Model preset",
        choices=[(p.id, p.name) for p in presets.PRESETS] + [("custom", "Custom (fields below)")],
        initial=presets.DEFAULT.id,
        help_text="Fills the architecture fields with the model's published configuration.",
    )
    arch = PlainChoiceField(
        label="Block type",
        choices=[
            ("llama", "Llama-style: RMSNorm, SwiGLU, grouped-query attention, no dropout"),
            ("gpt", "GPT-style (the paper's): LayerNorm, GeLU MLP, dropout"),
        ],
        initial="llama",
        help_text="Which tensors a layer keeps for the backward pass.",
    )
    hidden = whole("Hidden size", "h", 8, 131_072, 4096, "Model width (hidden_size).")
    layers = whole("Layers", "L", 1, 1024, 32, "Transformer layers (num_hidden_layers).")
    heads = whole("Attention heads", "a", 1, 1024, 32, "Query heads (num_attention_heads).")
    kv_heads = whole(
        "KV heads", "Llama-style", 1, 1024, 32, "num_key_value_heads; fewer than heads = GQA."
    )
    head_dim = whole(
        "Head dimension",
        "0 = hidden ÷ heads",
        0,
        4096,
        0,
        "Set only when heads × head_dim ≠ hidden.",
    )
    ffn_hidden = whole(
        "MLP width", "f", 1, 524_288, 11008, "intermediate_size (GPT-3 style: 4 × hidden)."
    )
    vocab = whole("Vocabulary", "v", 1, 1_048_576, 32000, "vocab_size; sets the logits' size.")
    tied = IntChoiceField(
        label="Output layer",
        choices=[(0, "separate matrix (untied)"), (1, "tied to the embedding")],
        initial=0,
        help_text="Only the parameter count changes.",
    )
    seq_len = whole("Sequence length", "tokens", 1, 1_048_576, 4096, "Tokens per sequence.")
    micro_batch = whole(
        "Micro-batch", "sequences per GPU", 1, 65_536, 2, "Sequences per forward/backward."
    )
    attention = PlainChoiceField(
        label="Attention kernel",
        choices=[
            ("flash", "flash (SDPA / FlashAttention: no s×s matrix)"),
            ("eager", "eager (stores the s×s scores)"),
        ],
        initial="flash",
        help_text="Eager attention keeps softmax scores for every head and token pair.",
    )
    recompute = PlainChoiceField(
        label="Recomputation",
        choices=[
            ("none", "none"),
            ("selective", "selective (attention core only)"),
            ("full", "full (gradient checkpointing per layer)"),
        ],
        initial="none",
        help_text="What the backward pass rebuilds instead of storing.",
    )
    dtype_bytes = IntChoiceField(
        label="Activation precision",
        choices=[(2, "2 bytes (bf16/fp16)"), (4, "4 bytes (fp32)")],
        initial=2,
        help_text="Bytes per stored activation element.",
    )
    tp = whole("Tensor parallel (TP)", "t", 1, MAX_DEGREE, 1, "GPUs sharing each layer.")
    sp = IntChoiceField(
        label="Sequence parallel",
        choices=[(0, "off"), (1, "on (shards norms and dropout by TP)")],
        initial=0,
        help_text="Megatron's sequence parallelism, used with TP.",
    )
    pp = whole("Pipeline parallel (PP)", "p", 1, MAX_DEGREE, 1, "Pipeline stages (1F1B).")
    vpp = whole("Interleaved chunks", "m", 1, 64, 1, "Virtual stages per GPU; 1 = not interleaved.")
    accumulation_steps = WholeNumberField(
        label="Accumulation steps",
        unit="n, optional",
        min_value=1,
        max_value=1_000_000,
        required=False,
        help_text="Micro-batches each pipeline runs per optimizer step (Megatron's "
        "num_microbatches). Blank assumes at least PP; fewer fill the first stage less.",
    )
    gpus = whole(
        "GPUs", "in total", 1, 1_048_576, 8, "Data-parallel size = GPUs ÷ (TP × PP) for ZeRO."
    )
    zero = IntChoiceField(
        label="ZeRO stage",
        choices=[
            (0, "0: plain data parallel"),
            (1, "1: shard optimizer states"),
            (2, "2: + gradients"),
            (3, "3: + weights (FSDP full shard)"),
        ],
        initial=3,
        help_text="Shards model states over the data-parallel GPUs.",
    )
    precision = PlainChoiceField(
        label="Training precision", choices=list(PRECISIONS.items()), initial="mixed"
    )
    optimizer = PlainChoiceField(
        label="Optimizer", choices=list(OPTIMIZERS.items()), initial="adam"
    )
    gpu = CatalogGpuField(
        label="GPU",
        missing=missing_memory,
        extra_choices=(("custom", "Custom capacity (GiB below)"),),
        initial="h100-sxm",
        help_text="Capacity as nvidia-smi reports it.",
    )
    gpu_gib = DecimalNumberField(
        label="Custom capacity",
        unit="GiB",
        min_value=1,
        max_value=4096,
        initial=48,
        help_text="Used when GPU is Custom. 1 GiB = 2³⁰ bytes.",
    )
    reserve_pct = DecimalNumberField(
        label="Kept free",
        unit="% of capacity",
        min_value=0,
        max_value=90,
        initial=10,
        help_text="CUDA context, communication buffers, allocator fragmentation.",
    )

    def __init__(self, query=None):
        query = query if query is not None else {}
        data = {name: query.get(name) for name in self.base_fields if name in query}
        chosen = presets.BY_ID.get(query.get("preset", ""))
        if chosen:
            # A preset fills the architecture fields the query leaves out; the no-JS "Apply
            # preset" button (apply=preset) makes it overwrite them all.
            overwrite = query.get("apply") == "preset"
            for name, value in presets.FIELDS[chosen.id].items():
                if overwrite or name not in query:
                    data[name] = str(value)
        super().__init__(data)
        if "preset" not in query or chosen:
            # The select shows the preset the fields actually describe (or Custom).
            values = {n: self.data.get(n) for n in presets.ARCHITECTURE_FIELDS}
            self.data["preset"] = presets.matching(values)

    sections = {
        "architecture": ("head_dim", "tied"),
        "parallel": ("tp", "sp", "pp", "vpp", "accumulation_steps"),
    }

    def extra_context(self) -> dict:
        page = {
            "preset_fields": PRESET_FIELDS,
            "preset_fields_script": PRESET_FIELDS_SCRIPT,
            "presets": presets.PRESETS,
            "preset_sources": PRESET_SOURCES,
            "paper_runs": PAPER_RUN_LINKS,
            "agreement": agreement.summary(),
        }
        if self.result is None:
            return page
        # The result block prints the inputs from the result (result.scenario, .hardware),
        # as the engine took them: nothing here passes the form's own values on.
        return {
            **page,
            "accumulation_link": self.accumulation_link(),
            "bar": self.bar(),
            # The worked example's "one layer = a + b + ...": joined here, not in a template
            # loop, which asked for loop.last on each of a dozen terms (0.14 M of the
            # fragment's 1.4 M CPU instructions, callgrind; a map/join filter chain, 0.23 M).
            "layer_sum": " + ".join(exact(t.bytes) for t in self.result.activation.layer_terms),
        }

    def bar(self):
        need = self.result.need
        parts = [
            ("weights", "Weights", need.states.weights_bytes),
            ("gradients", "Gradients", need.states.gradients_bytes),
            ("optimizer", "Optimizer states", need.states.optimizer_bytes),
            ("activations", "Activations", need.activations_bytes),
            ("working", "Recompute and loss buffers", need.working_bytes),
        ]
        return memory_bar(parts, self.result.capacity_bytes, self.result.usable_bytes)

    def capacity_bytes(self, cleaned) -> int:
        if cleaned["gpu"] == "custom":
            return int(cleaned["gpu_gib"] * GIB)
        return gpus.get(cleaned["gpu"]).smi_memory_bytes

    def compute(self, cleaned):
        scenario = Scenario(**{f: cleaned[f] for f in SCENARIO_FIELDS})
        hardware = Hardware(
            capacity_bytes=self.capacity_bytes(cleaned),
            reserve_pct=cleaned["reserve_pct"],
            gpus=cleaned["gpus"],
            zero=cleaned["zero"],
            precision=cleaned["precision"],
            optimizer=cleaned["optimizer"],
            name=self.gpu_name(),
        )
        return fit(scenario, hardware)

    def gpu_name(self) -> str:
        key = self.cleaned_data["gpu"]
        if key == "custom":
            return f"a {self.cleaned_data['gpu_gib']:g} GiB GPU"
        return gpus.get(key).name

    def preset_name(self) -> str:
        chosen = presets.BY_ID.get(self.cleaned_data.get("preset", ""))
        return chosen.name if chosen else "Custom model"

    def accumulation_link(self) -> str | None:
        """The Gradient Accumulation Calculator with the largest micro-batch that fits."""
        r, c = self.result, self.cleaned_data
        if not r or r.largest_micro_batch < 1:
            return None
        values = {"micro_batch": r.largest_micro_batch, "seq_len": c["seq_len"], "gpus": c["gpus"]}
        values.update({k: c[k] for k in ("tp", "pp") if c[k] > 1})
        flagship = registry.find("gradient-accumulation")
        return flagship.link(values) if flagship else None

    def shared_values(self) -> dict:
        values = super().shared_values()
        if values.get("head_dim") == 0:
            # Here 0 means hidden ÷ heads; the GPU pages leave the field blank for that and
            # refuse 0.
            values["head_dim"] = None
        return values

    def summary(self) -> str:
        if not self.result:
            return (
                "Activation memory per layer and in total for transformer training, with "
                "weights, gradients, optimizer states and the largest micro-batch that fits."
            )
        r, c = self.result, self.cleaned_data
        act = r.activation.total_bytes
        fits = (
            f"the largest micro-batch that fits {self.gpu_name()} is {r.largest_micro_batch:,}"
            if r.largest_micro_batch
            else f"it does not fit {self.gpu_name()} even at micro-batch 1"
        )
        return (
            f"{self.preset_name()}, {c['seq_len']:,} tokens × {c['micro_batch']:,}: "
            f"{act / GIB:,.2f} GiB of activations ({act / 1e9:,.2f} GB); {fits}."
        )

    def result_json(self) -> dict:
        r = self.result
        a = r.activation
        need = r.need
        return {
            "per_layer_bytes": a.per_layer_bytes,
            "layers_bytes": a.layers_bytes,
            "total_bytes": a.total_bytes,
            "embedding_bytes": a.embedding_bytes,
            "output_bytes": a.output_bytes,
            "last_stage_bytes": a.last_stage_bytes,
            "interleave_factor": a.interleave_factor,
            "in_flight_micro_batches": a.in_flight_micro_batches,
            "pipeline_bubble": a.pipeline_bubble,
            "recompute_working_bytes": a.recompute_working_bytes,
            "loss_working_bytes": a.loss_working_bytes,
            "layer_terms": [asdict(t) for t in a.layer_terms],
            "embedding_terms": [asdict(t) for t in a.embedding_terms],
            "output_terms": [asdict(t) for t in a.output_terms],
            "params": r.params.total,
            "bytes_per_param": r.bytes_per_param,
            "data_parallel_size": r.data_parallel_size,
            "stage": need.stage,
            "stage_params": need.params,
            "weights_bytes": need.states.weights_bytes,
            "gradients_bytes": need.states.gradients_bytes,
            "optimizer_bytes": need.states.optimizer_bytes,
            "need_bytes": need.total_bytes,
            "capacity_bytes": r.capacity_bytes,
            "usable_bytes": r.usable_bytes,
            "fits": r.fits,
            "largest_micro_batch": r.largest_micro_batch,
            "accumulation_link": self.accumulation_link(),
        }

    def headline_answer(self) -> dict:
        # The four figures the headline prints: the JSON's copy of every term and its link to
        # the flagship were 0.95 M of a page's 9.4 M CPU instructions (callgrind).
        r = self.result
        return {
            "total_bytes": r.activation.total_bytes,
            "need_bytes": r.need.total_bytes,
            "usable_bytes": r.usable_bytes,
            "largest_micro_batch": r.largest_micro_batch,
        }


SCENARIO_FIELDS = [
    f for f in Scenario.__dataclass_fields__ if f in ActivationMemoryForm.base_fields
]
