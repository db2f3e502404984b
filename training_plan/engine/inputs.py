"""What a plan is made for: the model's shape, the cluster and the run, and the choices a person
pins. Pure Python; impossible input raises InputError naming the parameter to change."""

from dataclasses import dataclass
from functools import cache

from calculators.catalog import gpus as gpu_catalog
from calculators.catalog import interconnect
from calculators.catalog import models as model_catalog
from calculators.catalog.activation import Scenario, param_count
from calculators.catalog.budget import FlopsPerToken, ModelSize, catalog_model_size, flops_per_token
from calculators.kit.errors import InputError

RECOMPUTES = ("none", "selective", "full")
ZERO_STAGES = (0, 1, 2, 3)


@dataclass(frozen=True)
class Shape:
    """A decoder-only transformer as the memory and time models need it.

    `arch` is the activation engine's block: "gpt" (LayerNorm, GeLU MLP of ffn_hidden, dropout:
    the block of Korthikanti et al. and of the Megatron-LM paper's GPT models) or "llama"
    (RMSNorm, SwiGLU MLP, grouped-query attention, no dropout)."""

    layers: int
    hidden: int
    heads: int
    kv_heads: int
    ffn_hidden: int
    vocab: int
    arch: str = "llama"
    head_dim: int = 0  # 0: hidden / heads
    tied: bool = False
    name: str = "Custom model"
    model_id: str | None = None
    sliding_layers: int = 0
    sliding_window: int = 0

    @property
    def q_dim(self) -> int:
        return self.heads * (self.head_dim or self.hidden // self.heads)

    @property
    def kv_dim(self) -> int:
        return self.kv_heads * (self.head_dim or self.hidden // self.heads)

    def scenario(self, **values) -> Scenario:
        """The activation engine's scenario for this shape."""
        fields = {
            "arch": self.arch,
            "hidden": self.hidden,
            "layers": self.layers,
            "heads": self.heads,
            "kv_heads": self.kv_heads,
            "ffn_hidden": self.ffn_hidden,
            "vocab": self.vocab,
            "head_dim": self.head_dim,
            "tied": int(self.tied),
            "attention": "flash",
        }
        return Scenario(**{**fields, **values})


def block_of(hidden: int, heads: int, kv_heads: int, ffn_hidden: int) -> str:
    """The block a custom shape describes: GPT's GeLU MLP when the MLP is 4 x hidden and every
    head has its own K and V; SwiGLU with grouped-query attention (Llama) otherwise."""
    return "gpt" if ffn_hidden == 4 * hidden and kv_heads == heads else "llama"


def custom_shape(layers, hidden, heads, kv_heads, ffn_hidden, vocab, tied=False) -> Shape:
    if hidden % heads:
        raise InputError(
            "heads", f"Hidden size {hidden:,} must be a multiple of the {heads:,} heads."
        )
    if kv_heads > heads or heads % kv_heads:
        raise InputError(
            "kv_heads",
            f"KV heads must divide the {heads:,} attention heads (each KV head serves a whole "
            "number of query heads).",
        )
    arch = block_of(hidden, heads, kv_heads, ffn_hidden)
    return Shape(layers, hidden, heads, kv_heads, ffn_hidden, vocab, arch, tied=tied)


def planner_models() -> list[model_catalog.Model]:
    """Catalog models the planner takes: the dense ones (a mixture of experts needs expert
    parallelism, which this planner does not model)."""
    return [m for m in model_catalog.MODELS if not m.arch.is_moe]


def catalog_shape(model_id: str) -> Shape:
    m = model_catalog.BY_ID.get(model_id)
    if m is None or m.arch.is_moe:
        raise InputError(
            "model",
            f"Unknown model {model_id!r}: choose one of the catalog's dense models, or custom.",
        )
    a = m.arch
    return Shape(
        a.layers,
        a.hidden,
        a.heads,
        a.kv_heads,
        a.ffn_hidden,
        a.vocab,
        "llama",  # every catalog model has a gated (SwiGLU/GeGLU) MLP
        head_dim=a.head_dim,
        tied=a.tied_embeddings,
        name=m.name,
        model_id=m.id,
        sliding_layers=a.sliding_layers,
        sliding_window=a.sliding_window,
    )


def model_size(shape: Shape) -> ModelSize:
    """N and the attention shape for the flagship's model-FLOPs count (PaLM's 6N + 12·L·H·Q·T)."""
    if shape.model_id:
        return catalog_size(shape.model_id)
    pc = param_count(shape.scenario())
    # N is every weight a token is multiplied by: all but the input embedding, a lookup (a tied
    # matrix counts once, as the output layer).
    params = pc.total - (0 if shape.tied else pc.embedding)
    return ModelSize(params=params, layers=shape.layers, attention_width=shape.q_dim)


@cache
def catalog_size(model_id: str) -> ModelSize:
    """A catalog model's size, a constant of the catalog: worked out once per process."""
    return catalog_model_size(model_id)


def model_flops(shape: Shape, seq_len: int) -> FlopsPerToken:
    return flops_per_token(model_size(shape), seq_len)


@dataclass(frozen=True)
class Cluster:
    gpu: str  # slug of the GPU catalog
    name: str
    capacity_bytes: int
    peak_flops: float  # dense 16-bit tensor FLOP/s
    link: interconnect.Interconnect
    gpus: int
    gpus_per_node: int

    @property
    def nodes(self) -> int:
        return -(-self.gpus // self.gpus_per_node)


def gpu_capacity_bytes(g: gpu_catalog.GPU) -> int | None:
    if g.smi_memory_mib:
        return g.smi_memory_bytes
    if g.vram_gib:
        return g.vram_bytes
    return None


def gpu_peak_tflops(g: gpu_catalog.GPU) -> float | None:
    """Dense 16-bit tensor throughput with FP32 accumulation, what training runs at."""
    return g.dense_bf16_tflops or g.fp16_fp32acc_tflops


def planner_gpus() -> list[gpu_catalog.GPU]:
    """GPUs of the one catalog with everything a plan needs: memory, peak and interconnect."""
    return [
        g
        for g in gpu_catalog.GPUS
        if gpu_capacity_bytes(g) and gpu_peak_tflops(g) and interconnect.get(g.slug)
    ]


def missing_figures(g: gpu_catalog.GPU) -> list[str]:
    missing = []
    if not gpu_capacity_bytes(g):
        missing.append("memory capacity")
    if not gpu_peak_tflops(g):
        missing.append("training peak FLOP/s")
    if not interconnect.get(g.slug):
        missing.append("interconnect figures")
    return missing


def cluster(gpu: str, gpus: int, gpus_per_node: int) -> Cluster:
    g = gpu_catalog.BY_ID.get(gpu)
    if g is None:
        offered = ", ".join(x.slug for x in planner_gpus())
        raise InputError("gpu", f"Unknown GPU {gpu!r}: choose one of {offered}.")
    capacity, peak, link = gpu_capacity_bytes(g), gpu_peak_tflops(g), interconnect.get(g.slug)
    if not capacity or not peak or link is None:  # what missing_figures lists
        offered = ", ".join(x.slug for x in planner_gpus())
        raise InputError(
            "gpu",
            f"The GPU catalog has no {' or '.join(missing_figures(g))} for {g.name} yet, so it "
            f"cannot be planned; choose one of {offered}.",
        )
    if gpus > gpus_per_node and not link.has_network:
        raise InputError(
            "gpus",
            f"{g.name} has no reference network between nodes in our sources: plan at most one "
            f"node (GPUs ≤ GPUs per node = {gpus_per_node}).",
        )
    if gpus > gpus_per_node and gpus % gpus_per_node:
        raise InputError(
            "gpus",
            f"GPUs ({gpus:,}) must fill whole nodes of {gpus_per_node}: use a multiple of "
            f"{gpus_per_node}, or fewer than one node.",
        )
    return Cluster(
        g.slug,
        g.name,
        capacity,
        peak * 1e12,
        link,
        gpus,
        gpus_per_node,
    )


@dataclass(frozen=True)
class Run:
    seq_len: int
    global_batch: int  # sequences per optimizer step
    train_tokens: int
    precision: str = "mixed"
    optimizer: str = "adam"
    reserve_pct: float = 10.0

    @property
    def tokens_per_step(self) -> int:
        return self.seq_len * self.global_batch


@dataclass(frozen=True)
class Pins:
    """Choices a person fixed; None leaves the search free."""

    tp: int | None = None
    pp: int | None = None
    cp: int | None = None
    vpp: int | None = None
    micro_batch: int | None = None
    recompute: str | None = None
    zero: int | None = None
