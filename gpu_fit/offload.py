"""When the model does not fit the card(s): what llama.cpp keeps in system RAM, pure Python.

Two ways, as llama.cpp's options give them (common/arg.cpp):
- `-ngl N` (`--n-gpu-layers`): the last N decoder layers, with their KV cache, on the GPU(s);
  the other layers, their KV cache and the output layer in system RAM (llama-model.cpp puts the
  output layer on the GPU only when every layer is there). Each token then reads the RAM part at
  the speed of system memory.
- MoE models, `--n-cpu-moe N` (`-ot "blk\\.(0|1|...)\\.ffn_.*_exps=CPU"`, or `--cpu-moe` /
  `-ot exps=CPU` for all of them): every layer's attention, router, norms and KV cache stay on
  the GPU, and only the routed experts of the first N layers go to system RAM. A token reads k of
  E experts there: gpt-oss-120b reads 4 of 128, so most of its 60 GB is never read per token.
"""

from dataclasses import dataclass
from functools import lru_cache

from calculators.catalog.memory import GIB
from calculators.catalog.models import Architecture

from . import gguf


@dataclass(frozen=True)
class Split:
    """A GGUF's VRAM weights by where they can go (the embedding table is already in RAM)."""

    layer_bytes: int  # all decoder layers (uniform share per layer is taken)
    expert_bytes: int  # of which the routed experts' stacked tensors
    other_bytes: int  # output layer (or the tied copy) and final norm


@lru_cache(maxsize=512)
def split(a: Architecture, quant: str) -> Split:
    layer = expert = 0
    for t in gguf.tensors(a):
        if t.layer is None:
            continue
        size = t.rows * gguf.tensor_type(a, t, quant).row_bytes(t.row)
        layer += size
        if t.experts > 1:
            expert += size
    gpu = gguf.layout(a, quant).gpu_bytes
    return Split(layer, expert, gpu - layer)


@dataclass(frozen=True)
class Plan:
    mode: str  # "gpu": all on the card(s); "experts": MoE experts in RAM; "layers": -ngl;
    # "none": it does not fit the system RAM either (or the shape is unknown)
    layers: int
    gpu_layers: int  # layers on the GPU(s) (all of them in "experts" mode)
    cpu_moe_layers: int  # layers whose experts are in system RAM (--n-cpu-moe)
    gpu_weight_bytes: int  # weights in VRAM
    gpu_kv_bytes: int
    cpu_weight_bytes: int  # weights in system RAM, the embedding table included
    cpu_kv_bytes: int
    read_gpu_bytes: int  # what one token reads from VRAM (weights)
    read_cpu_bytes: int  # ... and from system RAM (weights and KV cache)
    cpu_layers: int  # layers with weights in system RAM
    system_ram_bytes: int  # what system RAM must hold
    ram_fits: bool


def plan(
    a: Architecture,
    quant: str,
    kv_bytes: int,
    embedding_bytes: int,
    embedding_row_bytes: int,
    room: int,
    ram_gb: int,
    batch: int,
    force: int | None = None,
    parts: Split | None = None,
) -> Plan:
    """The plan for a model that does not fit: `room` is the VRAM left for weights and KV cache
    on all cards together (VRAM less the runtime and compute buffers). `force` sets the count
    instead of the fewest that fits: --n-cpu-moe for an MoE model, -ngl for a dense one (how a
    published run was made). `parts` is split(a, quant), when the caller holds it."""
    s = split(a, quant) if parts is None else parts
    n = a.layers
    ram = ram_gb * GIB
    layer_bytes = s.layer_bytes / n
    kv_layer = kv_bytes / n
    per_token_row = batch * embedding_row_bytes
    if a.is_moe:
        expert_layer = s.expert_bytes / n
        gpu_without = s.layer_bytes - s.expert_bytes + s.other_bytes + kv_bytes
        if gpu_without <= room:
            # the fewest layers whose experts must leave for the rest to fit
            k = min(n, max(0, -int(-(gpu_without + s.expert_bytes - room) // expert_layer)))
            k = k if force is None else force
            cpu_experts = round(k * expert_layer)
            read_share = a.experts_per_token / a.experts
            gpu_w = s.layer_bytes + s.other_bytes - cpu_experts
            cpu_w = cpu_experts + embedding_bytes
            return _plan({
                "mode": "experts", "layers": n, "gpu_layers": n, "cpu_moe_layers": k,
                "gpu_weight_bytes": gpu_w, "gpu_kv_bytes": kv_bytes, "cpu_weight_bytes": cpu_w,
                "cpu_kv_bytes": 0,
                "read_gpu_bytes": round((gpu_w - (s.expert_bytes - cpu_experts)) +
                                        (s.expert_bytes - cpu_experts) * read_share),
                "read_cpu_bytes": round(cpu_experts * read_share) + per_token_row,
                "cpu_layers": k,
                "system_ram_bytes": cpu_w,
                "ram_fits": cpu_w <= ram,
            })  # fmt: skip
    g = int(room // (layer_bytes + kv_layer)) if room > 0 else 0
    g = max(0, min(n - 1, g)) if force is None else force
    gpu_w = round(g * layer_bytes)
    gpu_kv = round(g * kv_layer)
    cpu_w = s.layer_bytes - gpu_w + s.other_bytes + embedding_bytes
    cpu_kv = kv_bytes - gpu_kv
    if a.is_moe:  # a token reads only k of E experts, wherever they are
        unread = s.expert_bytes * (a.experts - a.experts_per_token) / a.experts
        read_gpu = round(gpu_w - unread * g / n)
        read_cpu = round(cpu_w - embedding_bytes - unread * (n - g) / n) + cpu_kv + per_token_row
    else:
        read_gpu = gpu_w
        read_cpu = cpu_w - embedding_bytes + cpu_kv + per_token_row
    need = cpu_w + cpu_kv
    return _plan({
        "mode": "layers", "layers": n, "gpu_layers": g, "cpu_moe_layers": 0,
        "gpu_weight_bytes": gpu_w, "gpu_kv_bytes": gpu_kv, "cpu_weight_bytes": cpu_w,
        "cpu_kv_bytes": cpu_kv, "read_gpu_bytes": read_gpu, "read_cpu_bytes": read_cpu,
        "cpu_layers": n - g, "system_ram_bytes": need, "ram_fits": need <= ram,
    })  # fmt: skip


def _plan(values: dict) -> Plan:
    """A Plan from its fields in order, without the frozen dataclass's __init__, which sets each
    of the 13 with object.__setattr__: a card page plans every model that does not fit on each
    recompute (callgrind: 20K instructions a Plan against 8K; 15 on an RTX 3060's page)."""
    plan = object.__new__(Plan)
    object.__setattr__(plan, "__dict__", values)  # a frozen dataclass refuses its own setattr
    return plan
