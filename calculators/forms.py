from dataclasses import asdict, dataclass
from functools import cached_property
from urllib.parse import parse_qsl

from .catalog import gpus
from .catalog.budget import ModelSize, catalog_model_size
from .catalog.models import MODELS
from .diagram import pipeline_layout, step_figure
from .engine import compare
from .engine.grad_accum import AccumulationInput, Options, plan
from .kit.fields import (
    CatalogGpuField,
    DecimalNumberField,
    PlainChoiceField,
    WholeCountField,
    WholeNumberField,
    plain_number,
)
from .kit.forms import CalculatorForm
from .kit.numbers import human as human_count
from .kit.querystrings import query
from .kit.snippets import config_snippets

MAX_GPUS = 1_048_576
MAX_DEGREE = 1024
MAX_PIN_CHARS = 1000  # one pinned scenario's query string; ours are a few hundred at most
PIN_PARAM = "compare"
RAMP_FIELDS = ("rampup_start", "rampup_increment", "rampup_samples")
SHAPE_FIELDS = ("layers", "hidden", "heads", "head_dim")
MODEL_IDS = ", ".join(m.id for m in MODELS)


def missing_peak(gpu: gpus.GPU) -> list[str]:
    """What the time estimate needs of a catalog GPU: its dense BF16 training peak (a consumer
    card's spec sheet gives FP16 rates, not this one)."""
    return [] if gpu.dense_bf16_tflops else ["dense BF16 training peak"]


class ModelChoiceField(PlainChoiceField):
    """A catalog id (the GPU pages' ids) or empty; empty cleans to None, so it stays out of
    permalinks."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        message = (
            f"{self.label} must be an id of the model catalog, the same ids as the GPU pages "
            f"(/gpus/): {MODEL_IDS}. Leave it empty to give a model size (and shape) instead."
        )
        self.error_messages = {"required": message, "invalid_choice": message}

    def clean(self, value):
        return super().clean(value) or None


@dataclass(frozen=True)
class Comparison:
    columns: list[dict]  # the current scenario first, then each pinned one
    rows: list[dict]  # per metric: its cells (value, change against the current)
    is_pinned: bool
    can_pin: bool
    pin_link: str


class GradAccumForm(CalculatorForm):
    global_batch = WholeNumberField(
        label="Global batch",
        unit="sequences",
        min_value=1,
        max_value=16_777_216,
        initial=1024,
        help_text="Target sequences per optimizer step, all GPUs together.",
    )
    micro_batch = WholeNumberField(
        label="Micro-batch",
        unit="sequences per GPU",
        min_value=1,
        max_value=65_536,
        initial=4,
        help_text="Sequences one GPU runs in each forward/backward pass.",
    )
    gpus = WholeNumberField(
        label="GPUs",
        unit="in total",
        min_value=1,
        max_value=MAX_GPUS,
        initial=8,
        help_text="All GPUs in the job; model parallelism below divides them into replicas.",
    )
    seq_len = WholeNumberField(
        label="Sequence length",
        unit="tokens",
        min_value=1,
        max_value=10_485_760,
        initial=4096,
        help_text="Tokens per sequence (packed).",
    )
    rounding = PlainChoiceField(
        label="Rounding",
        choices=[
            ("nearest", "nearest (ties go up)"),
            ("up", "up (never below target)"),
            ("down", "down (never above target)"),
        ],
        initial="nearest",
        help_text="How to pick whole accumulation steps when the target is not a clean multiple.",
    )
    tp = WholeNumberField(
        label="Tensor parallel (TP)",
        unit="GPUs",
        min_value=1,
        max_value=MAX_DEGREE,
        initial=1,
        help_text="GPUs sharing each layer's matrices.",
    )
    pp = WholeNumberField(
        label="Pipeline parallel (PP)",
        unit="stages",
        min_value=1,
        max_value=MAX_DEGREE,
        initial=1,
        help_text="Pipeline stages per model replica.",
    )
    cp = WholeNumberField(
        label="Context parallel (CP)",
        unit="GPUs",
        min_value=1,
        max_value=MAX_DEGREE,
        initial=1,
        help_text="GPUs splitting each sequence.",
    )
    vpp = WholeNumberField(
        label="Interleaving (VPP)",
        unit="model chunks per GPU",
        min_value=1,
        max_value=64,
        initial=1,
        help_text="Virtual pipeline stages per GPU (interleaved 1F1B); 1 is plain 1F1B.",
    )
    target_tokens = WholeCountField(
        label="Target tokens per step",
        unit="tokens, optional",
        min_value=1,
        max_value=10**12,
        required=False,
        help_text="E.g. 4e6 for a paper's \u201c4M tokens\u201d; replaces the global batch above, "
        "divided by the sequence length and rounded the same way.",
    )
    train_tokens = WholeCountField(
        label="Training budget",
        unit="tokens, optional",
        min_value=1,
        max_value=10**16,
        required=False,
        help_text="Total tokens to train on, e.g. 2e12; gives the optimizer steps.",
    )
    tokens_per_gpu_s = DecimalNumberField(
        label="Measured throughput",
        unit="tokens/s per GPU, optional",
        min_value=0.001,
        max_value=1e9,
        required=False,
        help_text="From your logs; wins over the estimate below.",
    )
    model = ModelChoiceField(
        label="Model",
        choices=[("", "None: give its size below")] + [(m.id, m.name) for m in MODELS],
        required=False,
        help_text="A catalog model gives N and the attention term (PaLM's 6N + 12\u00b7L\u00b7H"
        "\u00b7Q\u00b7T FLOPs per token); same ids as the GPU pages.",
    )
    params_b = DecimalNumberField(
        label="Model size",
        unit="billion parameters, optional",
        min_value=0.001,
        max_value=100_000.0,
        required=False,
        help_text="N, the parameters each token multiplies (leave out an untied input "
        "embedding). Alone it counts 6N only, attention left out; add layers and hidden for it.",
    )
    layers = WholeNumberField(
        label="Layers",
        unit="num_hidden_layers, optional",
        min_value=1,
        max_value=1024,
        required=False,
        help_text="With hidden and the model size: adds attention, 12\u00b7L\u00b7H\u00b7Q"
        "\u00b7T per token.",
    )
    hidden = WholeNumberField(
        label="Hidden",
        unit="hidden_size, optional",
        min_value=1,
        max_value=65_536,
        required=False,
        help_text="Model width; the query width H\u00b7Q unless heads and head dim say otherwise.",
    )
    heads = WholeNumberField(
        label="Heads",
        unit="num_attention_heads, optional",
        min_value=1,
        max_value=1024,
        required=False,
        help_text="Query heads (not key/value heads).",
    )
    head_dim = WholeNumberField(
        label="Head dim",
        unit="head_dim, optional",
        min_value=1,
        max_value=4096,
        required=False,
        help_text="With heads: H\u00b7Q = heads \u00d7 head dim, when that is not hidden "
        "(e.g. Qwen3 32B: 64 \u00d7 128 on 5120).",
    )
    gpu = CatalogGpuField(
        label="GPU",
        missing=missing_peak,
        option_text=lambda g: f"{g.name}, {g.dense_bf16_tflops:g} TFLOPS",
        initial="h100-sxm",
        help_text="Dense BF16 peak per GPU (datasheets print twice this, with sparsity).",
    )
    peak_tflops = DecimalNumberField(
        label="Custom peak",
        unit="dense BF16 TFLOPS per GPU, optional",
        min_value=0.1,
        max_value=1_000_000.0,
        required=False,
        help_text="Overrides the GPU above.",
    )
    mfu = DecimalNumberField(
        label="MFU",
        unit="fraction of peak",
        min_value=0.01,
        max_value=1.0,
        initial=0.4,
        help_text="Model FLOPs utilization; 0.35\u20130.45 is typical of large dense runs.",
    )
    dataset_sequences = WholeCountField(
        label="Dataset size",
        unit="sequences, optional",
        min_value=1,
        max_value=10**13,
        required=False,
        help_text="Sequences in one epoch; gives steps per epoch and the last partial window.",
    )
    rampup_start = WholeNumberField(
        label="Ramp-up start batch",
        unit="sequences, optional",
        min_value=1,
        max_value=16_777_216,
        required=False,
        help_text="Megatron --rampup-batch-size START.",
    )
    rampup_increment = WholeNumberField(
        label="Ramp-up increment",
        unit="sequences, optional",
        min_value=1,
        max_value=16_777_216,
        required=False,
        help_text="INCREMENT: the batch grows by this much per stage.",
    )
    rampup_samples = WholeCountField(
        label="Ramp-up samples",
        unit="sequences, optional",
        min_value=1,
        max_value=10**13,
        required=False,
        help_text="SAMPLES consumed while ramping to the full global batch.",
    )
    ref_lr = DecimalNumberField(
        label="Recipe learning rate",
        unit="optional",
        min_value=1e-12,
        max_value=10.0,
        required=False,
        help_text="A peak LR known to work, e.g. 3e-4.",
    )
    ref_batch = WholeNumberField(
        label="Recipe global batch",
        unit="sequences, optional",
        min_value=1,
        max_value=16_777_216,
        required=False,
        help_text="The global batch that LR was tuned at.",
    )

    def __init__(self, query=None, *, read_pins: bool = True):
        super().__init__(query)
        self.pins_raw: list[str] = []
        if read_pins and query is not None:
            getlist = getattr(query, "getlist", None)
            self.pins_raw = list(getlist(PIN_PARAM)) if getlist else as_list(query.get(PIN_PARAM))
        self.pins: list[GradAccumForm] = []

    def compute(self, cleaned):
        inp = AccumulationInput(**{f: cleaned[f] for f in AccumulationInput.__dataclass_fields__})
        peak = cleaned["peak_tflops"] or gpus.get(cleaned["gpu"]).dense_bf16_tflops
        ramp = tuple(cleaned[f] for f in RAMP_FIELDS)
        options = Options(
            train_tokens=cleaned["train_tokens"],
            tokens_per_gpu_s=cleaned["tokens_per_gpu_s"],
            params_b=cleaned["params_b"],
            model_size=model_size(cleaned),
            peak_tflops=peak,
            peak_gpu="" if cleaned["peak_tflops"] else cleaned["gpu"],
            mfu=cleaned["mfu"],
            dataset_sequences=cleaned["dataset_sequences"],
            rampup=ramp if all(ramp) else None,
        )
        return plan(inp, cleaned["ref_lr"], cleaned["ref_batch"], options)

    def clean(self):
        cleaned = self.cleaned_data
        self.require_together(("ref_lr", "ref_batch"), "the recipe's LR and its batch")
        self.require_together(RAMP_FIELDS, "start, increment and samples")
        self.check_model()
        super().clean()
        self.clean_pins()
        return cleaned

    def require_together(self, names, what: str):
        given = [n for n in names if self.cleaned_data.get(n) is not None]
        if not given or len(given) == len(names):
            return
        for missing in names:
            if missing not in given and missing not in self.errors:
                label = self.fields[missing].label
                self.add_error(missing, f"{label} is needed too: give {what} together, or none.")

    def check_model(self):
        """A catalog model, or a size with an optional shape: never both, never half a shape."""
        c = self.cleaned_data
        given = [n for n in ("params_b", *SHAPE_FIELDS) if c.get(n) is not None]
        if c.get("model"):
            for name in given:
                label = self.fields[name].label
                self.add_error(
                    name,
                    f"{label}: leave it empty when a catalog model is chosen (the catalog gives "
                    "N and the shape), or set Model to none.",
                )
            return
        shape = [n for n in SHAPE_FIELDS if n in given]
        if not shape:
            return
        for name in ("layers", "hidden"):
            if name not in given and name not in self.errors:
                self.add_error(
                    name,
                    f"{self.fields[name].label} is needed too: the attention term needs layers "
                    "and hidden (heads and head dim are optional).",
                )
        if "head_dim" in given and "heads" not in given and "heads" not in self.errors:
            self.add_error(
                "heads", "Heads is needed with head dim: H\u00b7Q = heads \u00d7 head dim."
            )
        if "params_b" not in given and "params_b" not in self.errors:
            self.add_error(
                "params_b",
                "Model size is needed with a shape: the shape gives the attention term, 6N "
                "needs N.",
            )

    # A scenario with every optional section open, for the API description's result keys.
    API_EXAMPLE = {
        "pp": "2",
        "train_tokens": "2e12",
        "model": "llama-3.1-8b",
        "dataset_sequences": "1000000",
        "rampup_start": "64",
        "rampup_increment": "64",
        "rampup_samples": "1000000",
        "ref_lr": "3e-4",
        "ref_batch": "512",
        "compare": "micro_batch=8",
    }

    sections = {
        "target": ("target_tokens",),
        "parallel": ("tp", "pp", "cp", "vpp"),
        "budget": (
            "train_tokens",
            "tokens_per_gpu_s",
            "model",
            "params_b",
            *SHAPE_FIELDS,
            "gpu",
            "peak_tflops",
            "mfu",
        ),
        "dataset": ("dataset_sequences",),
        "rampup": RAMP_FIELDS,
        "lr": ("ref_lr", "ref_batch"),
    }

    def extra_context(self) -> dict:
        plan = self.result
        if plan is None or self.errors:  # a bad pin leaves the scenario computed but invalid
            # The pinned scenarios stay removable from a link whose inputs are wrong.
            return {"unpin_links": self.unpin_links() if self.pins_raw else ()}
        return {
            "unpin_links": (),
            "compare": self.comparison,
            # The preset GPU behind an estimate (None when a custom peak overrides it).
            "gpu_peak": gpus.get(plan.options.peak_gpu) if plan.options.peak_gpu else None,
            "configs": config_snippets(plan.snippets),
            "steps_figure": step_figure(plan),
            "pipeline": pipeline_layout(plan) if plan.pipeline.enabled else None,
        }

    def hidden_pins(self) -> list[str]:
        """The compare= values to carry through the form's own submissions."""
        if self.is_bound and not self.errors:
            return self.pinned_queries()
        return self.pins_raw

    # --- Compare: pinned scenarios ride along in the permalink as repeated compare= values ---

    def clean_pins(self):
        """Each compare= value is the query string of a scenario's own permalink."""
        problems = []
        if len(self.pins_raw) > compare.MAX_PINNED:
            problems.append(
                f"Compare holds at most {compare.MAX_PINNED} pinned scenarios; this link has "
                f"{len(self.pins_raw)}. Unpin one."
            )
        else:
            seen = set()
            for number, raw in enumerate(self.pins_raw, start=1):
                pinned, problem = parse_pin(raw, number)
                if problem:
                    problems.append(problem)
                elif pinned.pin_query() not in seen:
                    seen.add(pinned.pin_query())
                    self.pins.append(pinned)
        if problems:
            # compare is not a field (it repeats), so its errors are filed by hand.
            self._errors[PIN_PARAM] = self.error_class(problems)

    def pin_query(self) -> str:
        """This scenario as a compact query: only the values that differ from the defaults."""
        return self.compact_query

    @cached_property
    def compact_query(self) -> str:
        pairs = []
        for name, value in self.inputs_without_pins().items():
            initial = self.fields[name].initial
            if value is None or value == initial:  # most inputs keep their default
                continue
            if plain_number(value) != plain_number(initial):
                pairs.append((name, plain_number(value)))
        return query(pairs)

    def inputs_without_pins(self) -> dict:
        return super().inputs()

    def inputs(self) -> dict:
        return {**super().inputs(), PIN_PARAM: [p.pin_query() for p in self.pins]}

    def query_string(self, **overrides) -> str:
        if not overrides:  # asked several times a page; kept as the kit's form keeps it
            if "_query_string" not in self.__dict__:
                self._query_string = self._pinned_query({})
            return self._query_string
        return self._pinned_query(overrides)

    def _pinned_query(self, overrides: dict) -> str:
        values = {**self.inputs_without_pins(), **overrides}
        pairs = [(k, plain_number(v)) for k, v in values.items() if v is not None]
        pairs += [(PIN_PARAM, p.pin_query()) for p in self.pins]
        return query(pairs)

    def pinned_queries(self) -> list[str]:
        return [p.pin_query() for p in self.pins]

    def unpin_links(self) -> list[tuple[int, str]]:
        """(pin number, permalink without that pin), for valid and invalid forms alike."""
        if self.is_bound and not self.errors:
            base = self.inputs_without_pins()
            pins = self.pinned_queries()
        else:
            base = {k: v for k, v in self.data.items() if k != PIN_PARAM}
            pins = self.pins_raw[: compare.MAX_PINNED * 4]
        links = []
        for index in range(len(pins)):
            kept = pins[:index] + pins[index + 1 :]
            pairs = [(k, plain_number(v)) for k, v in base.items() if v is not None]
            links.append((index + 1, query(pairs + [(PIN_PARAM, q) for q in kept])))
        return links

    @cached_property
    def comparison(self) -> Comparison:
        """The current scenario and each pinned one, with its deltas against the current:
        computed once for the page, the fragment and the JSON. Without pins there is no table
        (`columns` and `rows` are empty), only the offer to pin."""
        this_query = self.pin_query()
        pinned = self.pinned_queries()
        columns, rows = [], []
        if self.pins:
            current = compare.metrics_of(self.result)
            columns.append(
                {"label": "Current", "query": this_query, "metrics": current, "delta": {}}
            )
            unpin = dict(self.unpin_links())
            for number, pin in enumerate(self.pins, start=1):
                values = compare.metrics_of(pin.result)
                columns.append(
                    {
                        "label": f"Pinned {number}",
                        "query": pin.pin_query(),
                        "unpin": unpin[number],  # the permalink without this pin
                        "metrics": values,
                        "delta": compare.deltas(current, values),
                    }
                )
            for metric in compare.METRICS:
                cells = [(c["metrics"][metric.key], c["delta"].get(metric.key)) for c in columns]
                if any(value is not None for value, _ in cells):  # rows nobody has are left out
                    rows.append({"metric": metric, "cells": cells})
        is_pinned = this_query in pinned
        return Comparison(
            columns=columns,
            rows=rows,
            is_pinned=is_pinned,
            can_pin=len(self.pins) < compare.MAX_PINNED and not is_pinned,
            # The permalink with this scenario added to the compared ones.
            pin_link=self.query_string() + "&" + query([(PIN_PARAM, this_query)]),
        )

    def summary(self) -> str:
        """One sentence with this scenario's answer, for search results and link unfurls."""
        if not self.result:
            return (
                "Accumulation steps from global batch, micro-batch and GPUs, with the batch "
                "actually achieved and tokens per optimizer step."
            )
        i, a = self.result.inputs, self.result.accumulation
        target = (
            f"A {human_count(i.target_tokens)}-token target"
            if a.target_is_tokens
            else f"{i.global_batch:,} sequences"
        )
        return (
            f"{target} on {i.gpus:,} GPUs at {i.micro_batch:,} per GPU: "
            f"{a.accumulation_steps:,} accumulation steps, {a.effective_global_batch:,} sequences "
            f"and {human_count(a.tokens_per_step)} tokens ({a.tokens_per_step:,}) "
            "per optimizer step."
        )

    def result_json(self) -> dict:
        return {**plan_json(self.result), "compare": self.compare_json()}

    def headline_answer(self) -> dict:
        # The accumulation and the layout are all the headline reads: plan_json's copy of
        # every number (recipes, snippets, budget) was 1.1 M of a page's 9.1 M CPU
        # instructions (callgrind), this 0.2 M.
        p = self.result
        return {**asdict(p.accumulation), "decomposition": p.decomposition}

    def compare_json(self) -> list[dict]:
        columns = self.comparison.columns[1:]
        return [
            {
                "query": column["query"],
                "inputs": pinned.inputs_without_pins(),
                "metrics": column["metrics"],
                "delta": column["delta"],
            }
            for column, pinned in zip(columns, self.pins, strict=True)
        ]


def model_size(cleaned) -> ModelSize | None:
    """N and the attention shape for PaLM's count: a catalog model's, or the size and shape
    given. A size alone returns None: the engine then counts 6N only (Options.params_b)."""
    if cleaned["model"]:
        return catalog_model_size(cleaned["model"])
    if cleaned["params_b"] is None or cleaned["layers"] is None:
        return None
    heads, head_dim = cleaned["heads"], cleaned["head_dim"]
    return ModelSize(
        params=cleaned["params_b"] * 1e9,
        layers=cleaned["layers"],
        attention_width=heads * head_dim if head_dim else cleaned["hidden"],
        heads=heads,
        head_dim=head_dim,
    )


def as_list(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def parse_pin(raw: str, number: int) -> tuple[GradAccumForm | None, str | None]:
    """A pinned scenario's form, or a message saying what is wrong with it."""
    label = f"Pinned scenario {number} (compare)"
    if len(raw) > MAX_PIN_CHARS:
        return None, f"{label} is too long: at most {MAX_PIN_CHARS:,} characters."
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, max_num_fields=60)
    except ValueError:
        return None, f"{label} has too many parameters: at most 60."
    values = {k: v for k, v in pairs if k in GradAccumForm.base_fields}  # last value wins
    pinned = GradAccumForm(values, read_pins=False)
    if not pinned.is_valid():
        messages = [m for ms in pinned.errors.values() for m in ms]
        return None, f"{label}: " + " ".join(messages)
    return pinned, None


def plan_json(p) -> dict:
    """Every number of a Plan as plain JSON values."""
    pipe = p.pipeline
    return {
        **asdict(p.accumulation),
        "exact_micro_batches": [asdict(s) for s in p.exact_micro_batches],
        "recipes": [asdict(r) for r in p.recipes],
        "linear_lr": p.linear_lr,
        "sqrt_lr": p.sqrt_lr,
        "decomposition": p.decomposition,
        "pipeline_bubble_fraction": pipe.bubble_fraction,
        "pipeline": asdict(pipe),
        "throughput": asdict(p.throughput) if p.throughput else None,
        "budget": asdict(p.budget) if p.budget else None,
        "epoch": epoch_json(p),
        "rampup": ramp_json(p),
        "configs": {s.framework: s.text for s in p.snippets},
        "config_notes": {
            s.framework: {
                "title": s.title,
                "format": s.format,
                "rejected": s.rejected,
                "notes": [asdict(note) for note in s.notes],
                "alternatives": [asdict(alt) for alt in s.alternatives],
            }
            for s in p.snippets
        },
    }


def epoch_json(p) -> dict | None:
    if not p.epoch:
        return None
    e = p.epoch
    return {
        **asdict(e),
        "has_partial_window": e.has_partial_window,
        "window_shortfall": e.window_shortfall,
        "partial_gradient_scale": e.partial_gradient_scale,
        "epochs_in_budget": p.epochs_in_budget,
    }


def ramp_json(p) -> dict | None:
    if not p.rampup:
        return None
    data = asdict(p.rampup)
    data["budget"] = asdict(p.ramp_budget) if p.ramp_budget else None
    return data
