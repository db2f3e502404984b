from django import forms

from calculators.catalog import gpus as gpu_catalog
from calculators.catalog.memory import OPTIMIZERS, PRECISIONS
from calculators.kit import registry
from calculators.kit.fields import (
    CatalogGpuField,
    DecimalNumberField,
    PlainChoiceField,
    WholeCountField,
    WholeNumberField,
    takes,
)
from calculators.kit.forms import CalculatorForm

from . import configs, once, result_html
from .chart import memory_bar
from .engine import (
    Pins,
    Run,
    calibration,
    catalog_shape,
    cluster,
    custom_shape,
    missing_figures,
    plan,
    planner_models,
)

DEFAULT_MODEL = "llama-3.1-8b"
CUSTOM = "custom"
SHAPE_FIELDS = ("layers", "hidden", "heads", "kv_heads", "ffn_hidden", "vocab", "tied")
PIN_FIELDS = ("tp", "pp", "cp", "vpp", "micro_batch", "recompute", "zero")
SHOWN = 4  # plans side by side


def whole(label, unit, lo, hi, initial, help_text, required=True):
    return WholeNumberField(
        label=label,
        unit=unit,
        min_value=lo,
        max_value=hi,
        initial=initial,
        help_text=help_text,
        required=required,
    )


def pin(label, hi, help_text):
    return whole(label, "blank = search", 1, hi, None, help_text, required=False)


def unverified_time(gpu_slug: str) -> bool:
    """Its step times are the Hopper-fitted efficiency curve scaled by peak (timing.py), with no
    published training measurement of a Blackwell GPU to compare them with."""
    return gpu_catalog.get(gpu_slug).architecture == "Blackwell"


class TrainingPlanForm(CalculatorForm):
    model = PlainChoiceField(
        label="Model",
        choices=[(m.id, m.name) for m in planner_models()] + [(CUSTOM, "Custom shape (below)")],
        initial=DEFAULT_MODEL,
        help_text="A dense model of the catalog, or custom to use the shape fields.",
    )
    layers = whole("Layers", "L", 1, 1024, 32, "Used when Model is custom.")
    hidden = whole("Hidden size", "h", 64, 131_072, 4096, "Used when Model is custom.")
    heads = whole("Attention heads", "a", 1, 1024, 32, "Used when Model is custom.")
    kv_heads = whole(
        "KV heads", "GQA", 1, 1024, 8, "Fewer than heads: grouped-query attention (SwiGLU block)."
    )
    ffn_hidden = whole(
        "MLP width",
        "f",
        1,
        524_288,
        14336,
        "4 × hidden with KV heads = heads: GPT block (GeLU); otherwise SwiGLU (Llama block).",
    )
    vocab = whole("Vocabulary", "v", 1, 1_048_576, 128_256, "Used when Model is custom.")
    tied = forms.TypedChoiceField(
        label="Output layer",
        choices=[("0", "separate matrix (untied)"), ("1", "tied to the embedding")],
        coerce=int,
        initial=0,
        help_text="Used when Model is custom.",
        error_messages={
            "required": "Output layer must be one of: 0, 1.",
            "invalid_choice": "Output layer must be one of: 0 (untied), 1 (tied).",
        },
    )
    gpu = CatalogGpuField(
        label="GPU",
        missing=missing_figures,
        initial="h100-sxm",
        help_text="Memory, peak FLOP/s and interconnect from the site's GPU catalog.",
    )
    gpus = whole("GPUs", "in total", 1, 131_072, 64, "Whole nodes when more than one node.")
    gpus_per_node = whole(
        "GPUs per node", "NVLink domain", 1, 72, 8, "NVLink inside a node, the network between."
    )
    seq_len = whole("Sequence length", "tokens", 128, 1_048_576, 8192, "Tokens per sequence.")
    global_batch = whole(
        "Global batch", "sequences", 1, 1_048_576, 512, "Sequences per optimizer step."
    )
    train_tokens = WholeCountField(
        label="Training tokens",
        unit="e.g. 1e12",
        min_value=1,
        max_value=10**16,
        initial=1_000_000_000_000,
        help_text="The whole run, for its total time.",
    )
    tp = pin("Tensor parallel (TP)", 1024, "Pin TP, or leave blank to search.")
    pp = pin("Pipeline parallel (PP)", 1024, "Pin pipeline stages, or leave blank.")
    cp = pin("Context parallel (CP)", 1024, "Pin CP, or leave blank.")
    vpp = pin("Interleaved chunks (VPP)", 128, "Virtual stages per GPU, or blank.")
    micro_batch = pin("Micro-batch", 65_536, "Sequences per GPU per micro-step, or blank.")
    recompute = PlainChoiceField(
        label="Recomputation",
        choices=[
            ("", "search (none or full)"),
            ("none", "none"),
            ("selective", "selective (attention scores)"),
            ("full", "full (every layer)"),
        ],
        initial="",
        required=False,
        help_text="Pin what the backward pass rebuilds, or search.",
    )
    zero = whole(
        "ZeRO stage",
        "0–3, blank = search",
        0,
        3,
        None,
        "0 plain data parallel, 1 shards optimizer states, 2 + gradients, 3 + weights (FSDP).",
        required=False,
    )
    precision = PlainChoiceField(
        label="Training precision", choices=list(PRECISIONS.items()), initial="mixed"
    )
    optimizer = PlainChoiceField(
        label="Optimizer", choices=list(OPTIMIZERS.items()), initial="adam"
    )
    reserve_pct = DecimalNumberField(
        label="Kept free",
        unit="% of memory",
        min_value=0,
        max_value=90,
        initial=10,
        help_text="CUDA context, communication buffers, fragmentation.",
    )

    sections = {
        "shape": SHAPE_FIELDS,
        "pins": PIN_FIELDS,
        "training": ("precision", "optimizer", "reserve_pct"),
    }

    def clean_recompute(self):
        return self.cleaned_data["recompute"] or None

    def shape(self, cleaned):
        if cleaned["model"] == CUSTOM:
            return custom_shape(*(cleaned[f] for f in SHAPE_FIELDS[:-1]), bool(cleaned["tied"]))
        return catalog_shape(cleaned["model"])

    def compute(self, cleaned):
        run = Run(
            seq_len=cleaned["seq_len"],
            global_batch=cleaned["global_batch"],
            train_tokens=cleaned["train_tokens"],
            precision=cleaned["precision"],
            optimizer=cleaned["optimizer"],
            reserve_pct=cleaned["reserve_pct"],
        )
        pins = Pins(**{f: cleaned[f] for f in PIN_FIELDS})
        return plan(
            self.shape(cleaned),
            cluster(cleaned["gpu"], cleaned["gpus"], cleaned["gpus_per_node"]),
            run,
            pins,
        )

    # --- What the page shows beyond the result ---------------------------------------------

    def extra_context(self) -> dict:
        page = {"calibration_section": once.calibration_section}
        r = self.result
        if r is None:
            return page
        best = r.best
        # Only the plans shown are worked out in full (the JSON answer lists every one).
        shown = list(zip(r.first(SHOWN), r.first_losses(SHOWN), strict=True))
        context = {
            **page,
            "plan_heads": result_html.plan_heads(shown),
            "plan_rows": result_html.plan_rows(shown),
            "summary_line": result_html.summary_line(r, best),
            "configs": "",
            # Its times rest on the Hopper-fitted efficiency curve: the page says so (timing.py).
            "unverified_time": unverified_time(r.cluster.gpu),
        }
        if best:
            bar = memory_bar(best.memory, r.cluster.capacity_bytes, r.usable_bytes)
            context.update(
                headline=result_html.headline(r, best),
                stats=result_html.stats(r, best),
                bar=bar,
                memory_rows=result_html.memory_rows(r, bar, best.memory),
                time_rows=result_html.time_rows(best.time),
                worked_example=result_html.worked_example(r, best),
                handoffs=result_html.handoffs(self.links(best), r, best),
                configs=configs.html(r, best),
            )
        return context

    def links(self, best) -> dict:
        """The sibling tools with this plan's numbers, each in the target's own terms (the
        registry keeps what the target accepts and writes the query)."""
        r, c = self.result, self.cleaned_data
        s = r.shape
        out = {}
        flagship = registry.find("gradient-accumulation")
        if flagship:
            # The planner's GPU where the flagship's own field takes it (it needs a peak).
            flagship_gpu = c["gpu"] if takes(flagship.form_class, "gpu", c["gpu"]) else None
            out["accumulation"] = flagship.link(
                {
                    "global_batch": c["global_batch"],
                    "micro_batch": best.micro_batch,
                    "gpus": c["gpus"],
                    "seq_len": c["seq_len"],
                    "tp": best.tp,
                    "pp": best.pp,
                    "cp": best.cp,
                    "vpp": best.vpp,
                    "train_tokens": c["train_tokens"],
                    "model": s.model_id,  # None for a custom shape
                    "gpu": flagship_gpu,
                    "mfu": round(best.mfu, 4) if flagship_gpu else None,
                }
            )
        activation = registry.find("activation-memory")
        if activation:
            # Its capacity where the activation page has no nvidia-smi total for the GPU.
            activation_gpu = c["gpu"] if takes(activation.form_class, "gpu", c["gpu"]) else None
            out["activation"] = activation.link(
                {
                    "arch": s.arch,
                    "hidden": s.hidden,
                    "layers": s.layers,
                    "heads": s.heads,
                    "kv_heads": s.kv_heads,
                    "head_dim": s.head_dim,
                    "ffn_hidden": s.ffn_hidden,
                    "vocab": s.vocab,
                    "tied": int(s.tied),
                    # That page has no context parallelism: each GPU holds seq_len ÷ CP tokens.
                    "seq_len": c["seq_len"] // best.cp,
                    "micro_batch": best.micro_batch,
                    "tp": best.tp,
                    "sp": int(best.tp > 1),
                    "pp": best.pp,
                    "vpp": best.vpp,
                    "accumulation_steps": best.accumulation_steps,
                    "recompute": best.recompute,
                    # That page shards ZeRO over gpus ÷ (TP·PP) ranks: here dp·cp, the same.
                    "gpus": c["gpus"],
                    "zero": best.zero_stage,
                    "precision": c["precision"],
                    "optimizer": c["optimizer"],
                    "reserve_pct": c["reserve_pct"],
                    "gpu": activation_gpu or "custom",
                    "gpu_gib": None
                    if activation_gpu
                    else round(r.cluster.capacity_bytes / 2**30, 3),
                }
            )
        lr = registry.find("lr-scaling")
        if lr:
            out["lr"] = lr.link({"new_batch": c["global_batch"]})
        return out

    def shared_values(self) -> dict:
        if not self.is_valid():
            return {}
        c, best = self.cleaned_data, self.result.best
        values = {k: c[k] for k in ("global_batch", "gpus", "seq_len", "train_tokens")}
        values["new_batch"] = c["global_batch"]
        if best:
            # The whole layout: the flagship takes TP, PP, CP and VPP alike, and with TP and
            # PP alone would work out a data-parallel size this plan does not have.
            values.update(
                micro_batch=best.micro_batch, tp=best.tp, pp=best.pp, cp=best.cp, vpp=best.vpp
            )
        return values

    def summary(self) -> str:
        if not self.result:
            return (
                "The fastest layout that fits: tensor, pipeline, context and data parallel, "
                "micro-batch, recomputation and ZeRO stage, with step time, MFU and run time."
            )
        r = self.result
        best = r.best
        if best is None:
            return (
                f"{r.shape.name} on {r.cluster.gpus:,} × {r.cluster.name}: no layout fits in "
                "memory."
            )
        return (
            f"{r.shape.name} on {r.cluster.gpus:,} × {r.cluster.name}: TP {best.tp}, PP "
            f"{best.pp}, CP {best.cp}, DP {best.dp}, micro-batch {best.micro_batch}, "
            f"{best.seconds_per_step:,.2f} s per step, MFU {best.mfu:.0%}."
        )

    def result_json(self) -> dict:
        r = self.result
        return {
            "model": {
                "name": r.shape.name,
                "block": r.shape.arch,
                "layers": r.shape.layers,
                "hidden": r.shape.hidden,
                "heads": r.shape.heads,
                "kv_heads": r.shape.kv_heads,
                "ffn_hidden": r.shape.ffn_hidden,
                "vocab": r.shape.vocab,
            },
            "gpu_name": r.cluster.name,
            "capacity_bytes": r.cluster.capacity_bytes,
            "usable_bytes": r.usable_bytes,
            "peak_tflops": r.cluster.peak_flops / 1e12,
            "flops_per_token": r.flops_per_token,
            "tokens_per_step": r.run.tokens_per_step,
            "fits": r.best is not None,
            "layouts_searched": r.layouts_searched,
            "plans": [plan_json(p, losses) for p, losses in zip(r.plans, r.losses, strict=True)],
            "calibration_worst_ratio": calibration.worst().ratio,
            # True where the step times rest on the efficiency curve fitted to A100 and H100
            # runs with no published measurement of this GPU to check it (Blackwell).
            "time_unverified": unverified_time(r.cluster.gpu),
        }

    def headline_answer(self) -> dict:
        # The headline reads the model, the GPU, whether a plan fits and the first plan: the
        # JSON answer also works out why each of the other plans is slower, 0.6 M of a page's
        # 10 M CPU instructions (callgrind).
        r = self.result
        first = [plan_json(p, x) for p, x in zip(r.first(1), r.first_losses(1), strict=True)]
        return {
            "model": {"name": r.shape.name},
            "gpu_name": r.cluster.name,
            "fits": r.best is not None,
            "plans": first,
        }


def plan_json(p, losses) -> dict:
    t = p.time
    return {
        "tp": p.tp,
        "pp": p.pp,
        "cp": p.cp,
        "dp": p.dp,
        "vpp": p.vpp,
        "micro_batch": p.micro_batch,
        "accumulation_steps": p.accumulation_steps,
        "recompute": p.recompute,
        "zero_stage": p.zero_stage,
        "memory_bytes": {
            "weights": p.memory.weights,
            "gradients": p.memory.gradients,
            "optimizer_states": p.memory.optimizer_states,
            "activations": p.memory.activations,
            "buffers": p.memory.buffers,
            "total": p.memory.total,
        },
        "memory_stage": p.memory.stage,
        "fits": p.fits,
        "seconds_per_step": p.seconds_per_step,
        "tokens_per_s": p.tokens_per_s,
        "tflops_per_gpu": p.tflops_per_gpu,
        "mfu": p.mfu,
        "hardware_tflops_per_gpu": p.hardware_tflops_per_gpu,
        "hfu": p.hfu,
        "pipeline_bubble": p.pipeline_bubble,
        "optimizer_steps": p.optimizer_steps,
        "run_seconds": p.run_seconds,
        "gemm_efficiency": t.efficiency,
        "time_seconds": {
            "compute": t.compute - t.recompute,
            "recompute": t.recompute,
            "bubble": t.bubble,
            "tensor_parallel": t.tensor_parallel,
            "context_parallel": t.context_parallel,
            "pipeline_p2p": t.pipeline_p2p,
            "data_parallel": t.data_parallel,
        },
        "loses_by": [{"kind": x.kind, "seconds": x.seconds} for x in losses],
    }
