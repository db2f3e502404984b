"""Will this model run on this card? Inference memory and decode speed, pure Python.

total = weights on the GPU + KV cache + overhead, all in bytes, against the card's VRAM, as
llama.cpp (commit 0c1e57098, vendored in llama-cpp-python 0.3.36) allocates them with every
layer offloaded:
- weights  = every tensor of the GGUF at the type llama.cpp's quantize gives it (gguf.py), less
  token_embd, which llama.cpp keeps in system RAM (the tied output copy stays on the GPU);
- KV cache = 2 (K and V) · kv_heads · head_dim · bytes per element · cells, summed over layers
  (multi-head latent attention: kv_lora_rank + qk_rope_head_dim values, K only, see
  kv_cell_bytes): a full-attention layer has n_ctx = pad(context · sequences, 256) cells, a
  sliding-window or chunked layer min(n_ctx, pad(window · sequences + n_ubatch, 256))
  (llama-context.cpp, llama-kv-cache-iswa.cpp);
- overhead = CUDA context and runtime (fixed) + the compute buffer for one prompt micro-batch.
Decode is bandwidth bound: every generated token streams the active weights in VRAM, one row of
the embedding table and the KV cache; speed.py turns those bytes into tokens per second with
constants calibrated on published llama.cpp runs (measurements.py). Several identical cards split
the layers (llama.cpp's default); a model that does not fit keeps layers, or an MoE model's
experts, in system RAM (offload.py).
"""

import math
from dataclasses import dataclass, fields
from functools import cached_property

from calculators.catalog.gpus import GPU
from calculators.catalog.memory import GIB, MIB, ceil_div
from calculators.catalog.models import (
    BY_ID,
    MODELS,
    Architecture,
    Model,
    active_parameter_count,
    parameter_count,
)
from calculators.kit.errors import InputError

from . import commands, gguf, offload, serving, speed

MAX_CONTEXT = 1_048_576


@dataclass(frozen=True)
class Quant:
    id: str
    label: str
    # File size llama.cpp's quantize tool lists for Llama-3-8B, in GiB (None: exact format).
    gib_at_llama3_8b: float | None
    ppl_increase: float | None  # perplexity added at Llama-3-8B, same table
    mix: str  # which tensors llama_tensor_get_type gives which type (llama-quant.cpp)

    @property
    def bits_per_weight(self) -> float:
        """Whole-file bits per weight, for a model known only by its parameter count. K-quant
        'mixes' keep some tensors (attn_v, ffn_down, output) at higher precision, so this is
        above the block format's nominal rate."""
        if self.gib_at_llama3_8b is None:
            return 16.0  # F16 stores every weight in 2 bytes
        return self.gib_at_llama3_8b * GIB * 8 / LLAMA3_8B_PARAMS


# Llama 3 8B and Llama 3.1 8B share one architecture: 8,030,261,248 parameters.
LLAMA3_8B_PARAMS = BY_ID["llama-3.1-8b"].params

# Best quality first: "the best quantization that fits" is the first that fits.
_MORE_BITS = "the first and last eighth of the layers and every third layer between"
QUANTS: tuple[Quant, ...] = (
    Quant("f16", "F16", None, None, "every weight matrix in F16"),
    Quant("q8_0", "Q8_0", 7.96, 0.0026, "every weight matrix in Q8_0"),
    Quant("q6_k", "Q6_K", 6.14, 0.0217, "Q6_K throughout"),
    Quant(
        "q5_k_m", "Q5_K_M", 5.33, 0.0569,
        f"Q5_K, with attn_v and ffn_down in Q6_K in {_MORE_BITS}, and the output in Q6_K",
    ),
    Quant(
        "q4_k_m", "Q4_K_M", 4.58, 0.1754,
        f"Q4_K, with attn_v and ffn_down in Q6_K in {_MORE_BITS}, and the output in Q6_K",
    ),
    Quant("q4_0", "Q4_0", 4.34, 0.4685, "Q4_0, with the output in Q6_K"),
    Quant(
        "q3_k_m", "Q3_K_M", 3.74, 0.6569,
        "Q3_K, with attn_v in Q5_K in the first two layers and Q4_K after, ffn_down in Q5_K "
        "in the first sixteenth of the layers and Q4_K after, attn_output in Q4_K and the "
        "output in Q6_K",
    ),
    Quant(
        "q2_k", "Q2_K", 2.96, 3.5199,
        "Q2_K, with attn_v in Q4_K (Q3_K with fewer than 4 query heads per KV head), "
        "ffn_down and attn_output in Q3_K and the output in Q6_K",
    ),
)  # fmt: skip
QUANT_BY_ID = {q.id: q for q in QUANTS}


@dataclass(frozen=True)
class KVFormat:
    id: str
    label: str
    block_bytes: int  # ggml stores `block_elements` values in `block_bytes` bytes
    block_elements: int

    @property
    def bytes_per_element(self) -> float:
        return self.block_bytes / self.block_elements

    def row_bytes(self, elements: int) -> int:
        return ceil_div(elements * self.block_bytes, self.block_elements)


KV_FORMATS: tuple[KVFormat, ...] = (
    KVFormat("f16", "F16", 2, 1),
    KVFormat("q8_0", "Q8_0", 34, 32),  # 32 int8 values + one f16 scale
    KVFormat("q4_0", "Q4_0", 18, 32),  # 32 4-bit values + one f16 scale
)
KV_BY_ID = {k.id: k for k in KV_FORMATS}

# llama-context.cpp rounds the context up to a multiple of 256 cells (GGML_PAD(n_ctx, 256)), and
# llama-kv-cache-iswa.cpp pads a sliding-window cache the same way.
KV_PAD = 256

# Overhead. A CUDA context with cuBLAS workspaces takes 300 MiB to 2 GiB depending on driver
# and library; we take 512 MiB. llama.cpp reserves a compute buffer for its worst-case graph,
# one micro-batch of n_ubatch = 512 prompt tokens, whose largest tensor is the f32 logits
# (512 × vocab × 4 bytes); we never take less than 256 MiB for it.
RUNTIME_BYTES = 512 * MIB
UBATCH_TOKENS = 512
MIN_COMPUTE_BYTES = 256 * MIB

MAX_CARDS = 8
MAX_RAM_GB = 4096


@dataclass(frozen=True)
class Subject:
    """A model to fit: a catalog entry or the user's own (whose shape may be unknown)."""

    id: str
    name: str
    params: int
    active_params: int
    arch: Architecture | None  # None: parameter count only, so no KV cache can be computed
    max_context: int
    # True: weights are the GGUF's tensors laid out from `arch`. False: the user gave a
    # parameter count, which sets the weights at whole-file bits per weight.
    tensor_layout: bool = True

    @classmethod
    def from_model(cls, model: Model) -> "Subject":
        a = model.arch
        return cls(model.id, model.name, model.params, model.active_params, a, a.max_context)


@dataclass(frozen=True)
class Scenario:
    context: int
    quant: str
    kv_cache: str
    batch: int
    cards: int = 1  # identical cards of the page's type
    ram_gb: int = speed.DEFAULT_RAM_GB  # system RAM, for what does not fit
    ram_bandwidth_gb_s: float = speed.DEFAULT_RAM_BANDWIDTH_GB_S

    def __post_init__(self):
        if self.quant not in QUANT_BY_ID:
            raise InputError("quant", f"Unknown weight format {self.quant!r}.")
        if self.kv_cache not in KV_BY_ID:
            raise InputError("kv_cache", f"Unknown KV-cache format {self.kv_cache!r}.")
        if not 1 <= self.context <= MAX_CONTEXT:
            raise InputError("context", f"Context must be 1 to {MAX_CONTEXT:,} tokens.")
        if self.batch < 1:
            raise InputError("batch", "Concurrent sequences must be at least 1.")
        if not 1 <= self.cards <= MAX_CARDS:
            raise InputError("cards", f"Cards must be 1 to {MAX_CARDS} identical cards.")
        if not 1 <= self.ram_gb <= MAX_RAM_GB:
            raise InputError("ram_gb", f"System RAM must be 1 to {MAX_RAM_GB:,} GB.")
        if not 1 <= self.ram_bandwidth_gb_s <= 2000:
            raise InputError("ram_bandwidth_gb_s", "RAM bandwidth must be 1 to 2,000 GB/s.")


def weights_bytes(params: int, quant: str) -> int:
    """A model known only by its parameter count: whole-file bits per weight at Llama 3 8B."""
    return math.ceil(params * QUANT_BY_ID[quant].bits_per_weight / 8)


@dataclass(frozen=True)
class Weights:
    file_bytes: int  # the GGUF's tensors (the file adds a few MB of metadata and tokenizer)
    gpu_bytes: int  # what llama.cpp puts in VRAM
    cpu_bytes: int  # token_embd, kept in system RAM
    active_gpu_bytes: int  # of the VRAM weights, what one token reads (routed experts only)
    embedding_row_bytes: int  # one token's row of token_embd
    layout: gguf.Layout | None  # None for a parameter count alone


def weights(subject: Subject, quant: str) -> Weights:
    if subject.arch is not None and subject.tensor_layout:
        lay = gguf.layout(subject.arch, quant)
        return Weights(
            lay.file_bytes,
            lay.gpu_bytes,
            lay.cpu_bytes,
            lay.active_gpu_bytes,
            lay.embedding_row_bytes,
            lay,
        )
    # A parameter count alone cannot say which share is the embedding: all of it on the GPU.
    total = weights_bytes(subject.params, quant)
    active = weights_bytes(subject.active_params, quant)
    return Weights(total, total, 0, active, 0, None)


def pad_cells(n: int) -> int:
    return ceil_div(n, KV_PAD) * KV_PAD


def kv_cells(arch: Architecture, context: int, batch: int) -> tuple[int, int]:
    """Cells of one full-attention layer and of one sliding-window layer (0 if it has none).

    One cache shared by the sequences (llama-server's unified cache): n_ctx is the context of
    all of them, and a sliding layer keeps each sequence's window plus one micro-batch.
    """
    n_ctx = pad_cells(context * batch)
    if not arch.sliding_layers:
        return n_ctx, 0
    return n_ctx, min(n_ctx, pad_cells(arch.sliding_window * batch + UBATCH_TOKENS))


def kv_cell_bytes(arch: Architecture, kv_cache: str) -> int:
    """One token's K and V in one layer.

    Grouped-query attention: K and V of every KV head, 2 rows of kv_heads × head_dim. Multi-head
    latent attention (DeepSeek-V2): one row of kv_lora_rank + qk_rope_head_dim values, the
    compressed latent and the shared RoPE key, and no V. llama.cpp converts MLA models to one KV
    head with K = latent + RoPE key (conversion/deepseek.py: key_length = kv_lora_rank +
    qk_rope_head_dim, head_count_kv = 1) and since its V-less cache (PR 19067, January 2026;
    llama-kv-cache.cpp: has_v = !is_mla) allocates no V: the graph reads V from the latent in
    the K cache. vLLM's MLA cache (MLAAttentionSpec) holds the same 576 values per token.
    """
    fmt = KV_BY_ID[kv_cache]
    return fmt.row_bytes(arch.k_cache_width) + fmt.row_bytes(arch.v_cache_width)


def kv_cache_bytes(arch: Architecture, context: int, batch: int, kv_cache: str) -> int:
    """Sliding-window and chunked layers (Llama 4: 8,192-token chunks) alike get the smaller
    cache: llama.cpp's iSWA cache sizes LLAMA_SWA_TYPE_CHUNKED layers as it does sliding ones
    (llama-kv-cache-iswa.cpp; src/models/llama4.cpp sets n_swa = 8192, three chunked layers in
    four)."""
    full, sliding = kv_cells(arch, context, batch)
    cells = (arch.layers - arch.sliding_layers) * full + arch.sliding_layers * sliding
    return cells * kv_cell_bytes(arch, kv_cache)


def compute_buffer_bytes(arch: Architecture | None) -> int:
    if arch is None:
        return MIN_COMPUTE_BYTES
    return max(MIN_COMPUTE_BYTES, UBATCH_TOKENS * arch.vocab * 4)


def overhead_bytes(arch: Architecture | None, cards: int = 1) -> int:
    """Every card holds a CUDA context; the compute buffer is counted once (llama.cpp sizes one
    per card for its share of the graph, the largest on the card holding the output layer)."""
    return cards * RUNTIME_BYTES + compute_buffer_bytes(arch)


def total_bytes(subject: Subject, context: int, quant: str, kv_cache: str, batch: int) -> int:
    kv = kv_cache_bytes(subject.arch, context, batch, kv_cache) if subject.arch else 0
    return weights(subject, quant).gpu_bytes + kv + overhead_bytes(subject.arch)


def max_context(
    card: GPU, subject: Subject, quant: str, kv_cache: str, batch: int, cards: int = 1,
    gpu_weight_bytes: int | None = None,
) -> int:  # fmt: skip
    """The largest context (up to the model's own limit) whose total fits; 0 if none does."""
    a = subject.arch
    if a is None:
        return 0
    # Weights and overhead do not depend on the context: only the KV cache must fit the rest.
    if gpu_weight_bytes is None:
        gpu_weight_bytes = weights(subject, quant).gpu_bytes
    room = cards * card.vram_bytes - gpu_weight_bytes - overhead_bytes(a, cards)
    return context_fitting(a, room, kv_cell_bytes(a, kv_cache), batch, subject.max_context)


def context_fitting(a: Architecture, room: int, cell_bytes: int, batch: int, limit: int) -> int:
    """The largest context, up to `limit`, whose KV cache fits in `room` bytes; 0 if none does.

    Solved, not searched (a binary search over the context took most of a GPU page's time):
    the cache is cell_bytes × (full layers × n + sliding layers × min(n, W)), n = pad(context ×
    batch) and W = pad(window × batch + n_ubatch), which never shrinks as n grows. So the
    largest multiple of 256 cells n whose cache fits the room gives the context n // batch,
    since pad(x) <= n exactly when x <= n for such an n. Past W only the full layers grow: a
    model whose every layer is sliding (or chunked) fits any context once W does.
    """
    if room < 0:
        return 0
    budget = room // cell_bytes  # cells over all layers together
    sliding = a.sliding_layers
    full = a.layers - sliding
    window = pad_cells(a.sliding_window * batch + UBATCH_TOKENS) if sliding else 0
    if sliding and budget >= a.layers * window:
        if not full:
            return limit
        cells = (budget - sliding * window) // full
    else:
        cells = budget // a.layers
    cells -= cells % KV_PAD
    return min(limit, cells // batch)


def best_quant(card: GPU, subject: Subject, s: Scenario) -> str | None:
    a = subject.arch
    kv = kv_cache_bytes(a, s.context, s.batch, s.kv_cache) if a else 0
    room = s.cards * card.vram_bytes - kv - overhead_bytes(a, s.cards)
    return Profile(subject).best_quant(room)


DecodeSpeed = speed.Range  # tokens per second for each sequence: low, mid, high


def bytes_per_step(w: Weights, kv_bytes: int, batch: int) -> int:
    """What one decode step reads: the active VRAM weights, one embedding row for each
    sequence's new token (llama.cpp's get_rows, not the whole table) and the KV cache."""
    return w.active_gpu_bytes + batch * w.embedding_row_bytes + kv_bytes


def prefill_work(subject: Subject, context: int, cpu_weight_bytes: int) -> speed.PrefillWork:
    matmul, attention = _prefill_flops(subject, context)
    return speed.PrefillWork(matmul, attention, context, cpu_weight_bytes)


def _prefill_flops(subject: Subject, context: int) -> tuple[float, float]:
    """Matrix FLOPs per prompt token and attention FLOPs over the whole prompt."""
    a = subject.arch
    if a is None:
        return 2 * subject.active_params, 0.0
    # The input embedding is a lookup and llama.cpp computes logits for the last token only.
    matmul = subject.active_params - a.vocab * a.hidden * (1 if a.tied_embeddings else 2)
    full = a.layers - a.sliding_layers
    attended = full * speed.attended_tokens(context)
    if a.sliding_layers:
        attended += a.sliding_layers * speed.attended_tokens(context, a.sliding_window)
    return 2 * matmul, 4.0 * a.q_dim * attended


def kv_f16_per_token(a: Architecture) -> float:
    """F16 KV bytes per token over all layers (before any sliding window caps it)."""
    return kv_cache_bytes(a, KV_PAD, 1, "f16") / KV_PAD


class Profile:
    """What a model needs whatever the card and the scenario: its weights in each format (and
    which is the best that fits a given room), its KV bytes per cell in each cache format, its
    compute buffer. A GPU page fits every model on every card it shows (/gpus/: 19 cards), so
    these are worked out once per model: once per process for the catalog
    (catalog_profiles), once per request for the user's own model."""

    __slots__ = (
        "subject", "kv_cell", "compute_bytes", "full_layers", "sliding_layers", "window",
        "is_moe", "fit_fields", "_weights", "_splits", "_firsts",
    )  # fmt: skip

    def __init__(self, subject: Subject):
        a = subject.arch
        self.subject = subject
        self.kv_cell = {f.id: kv_cell_bytes(a, f.id) for f in KV_FORMATS} if a else {}
        self.compute_bytes = compute_buffer_bytes(a)
        # The architecture's properties, read once: Need and _fit use them for every model on
        # every recompute.
        self.sliding_layers = a.sliding_layers if a else 0
        self.full_layers = a.layers - self.sliding_layers if a else 0
        self.window = a.sliding_window if a else 0
        self.is_moe = a is not None and a.is_moe
        self.fit_fields = model_fields(subject)  # what _fit copies for each of its fits
        self._weights: dict[str, Weights] = {}
        self._splits: dict[str, offload.Split] = {}
        self._firsts: tuple[tuple[int, str], ...] | None = None

    def weights(self, quant: str) -> Weights:
        w = self._weights.get(quant)
        if w is None:
            w = self._weights[quant] = weights(self.subject, quant)
        return w

    def split(self, quant: str) -> "offload.Split":
        """offload.split for this model, kept here rather than looked up by the architecture
        (whose hash covers every field) each time a model does not fit."""
        parts = self._splits.get(quant)
        if parts is None:
            parts = self._splits[quant] = offload.split(self.subject.arch, quant)
        return parts

    def best_quant(self, room: int) -> str | None:
        """The best-quality format whose VRAM weights fit in `room` bytes (None: none does).

        Only a format smaller than every better one can ever be the first that fits, so those
        are kept, best first; the first of them that fits is the first of all formats that does.
        """
        if self._firsts is None:
            a, firsts, smallest = self.subject.arch, [], None
            layouts = gguf.layouts(a) if a is not None and self.subject.tensor_layout else None
            for q in QUANTS:
                size = (
                    layouts[q.id].gpu_bytes if layouts else weights_bytes(self.subject.params, q.id)
                )
                if smallest is None or size < smallest:
                    firsts.append((size, q.id))
                    smallest = size
            self._firsts = tuple(firsts)
        for size, quant in self._firsts:
            if size <= room:
                return quant
        return None


_CATALOG_PROFILES: tuple[Profile, ...] = ()


def catalog_profiles() -> tuple[Profile, ...]:
    """The catalog's models, each profiled once per process (its weights in a format are
    worked out on first use)."""
    global _CATALOG_PROFILES
    if not _CATALOG_PROFILES:
        _CATALOG_PROFILES = tuple(Profile(Subject.from_model(m)) for m in MODELS)
    return _CATALOG_PROFILES


class Need:
    """What one model needs in this scenario on any card: worked out once per request, then
    set against each card."""

    __slots__ = ("profile", "weights", "kv", "overhead", "total", "prefill")

    def __init__(self, p: Profile, s: Scenario, prefill: bool = True):
        self.profile = p
        self.weights = p.weights(s.quant)
        if p.kv_cell:  # kv_cells and kv_cache_bytes, written out: this runs for every model
            n_ctx = -(-s.context * s.batch // KV_PAD) * KV_PAD
            cells = p.full_layers * n_ctx
            if p.sliding_layers:
                window = -(-(p.window * s.batch + UBATCH_TOKENS) // KV_PAD) * KV_PAD
                cells += p.sliding_layers * min(n_ctx, window)
            self.kv = cells * p.kv_cell[s.kv_cache]
        else:  # no architecture: no KV cache counted
            self.kv = 0
        self.overhead = s.cards * RUNTIME_BYTES + p.compute_bytes
        self.total = self.weights.gpu_bytes + self.kv + self.overhead
        self.prefill = _prefill_flops(p.subject, s.context) if prefill else None


@dataclass(frozen=True)
class ModelFit:
    id: str
    name: str
    params: int
    active_params: int
    weights_bytes: int  # weights in VRAM (token_embd stays in system RAM)
    kv_cache_bytes: int
    overhead_bytes: int
    total_bytes: int
    fits: bool  # everything on the card(s)
    headroom_bytes: int  # VRAM left over; negative when it does not fit
    max_context: int
    best_quant: str | None
    decode_tokens_per_s: float  # mid estimate per sequence; with offload when it does not fit;
    decode_tokens_per_s_low: float  # 0 when it cannot run at all
    decode_tokens_per_s_high: float
    model_max_context: int
    beyond_model_context: bool  # the chosen context is longer than the model was built for
    kv_cache_counted: bool  # False for a custom model given only as a parameter count
    is_moe: bool
    file_bytes: int  # the GGUF's tensor data; the download adds a few MB of metadata
    cpu_weights_bytes: int  # token_embd, which llama.cpp keeps in system RAM
    cards: int = 1
    layers: int | None = None  # decoder layers (None: a parameter count alone)
    gpu_layers: int | None = None  # layers on the GPU(s), all of them when it fits (-ngl)
    cpu_moe_layers: int = 0  # MoE layers whose experts are in system RAM (--n-cpu-moe)
    offload: str = "gpu"  # "gpu", "experts", "layers" or "none" (cannot run)
    system_ram_bytes: int = 0  # what system RAM must hold (the embedding table at least)
    runs: bool = True  # it fits, or runs with offload in the system RAM given
    prefill_tokens_per_s: float | None = None  # prompt processing of the whole context
    prefill_tokens_per_s_low: float | None = None
    prefill_tokens_per_s_high: float | None = None
    ttft_s: float | None = None  # time to first token for a prompt of the whole context
    ttft_s_low: float | None = None
    ttft_s_high: float | None = None
    vllm: dict | None = None  # serving with vLLM, by weight format
    commands: dict | None = None  # llama_cpp, vllm, ollama: the command or None
    commands_notes: dict | None = None  # why a command is None, or what it assumes


def fit(
    card: GPU, subject: Subject, s: Scenario, extras: bool = True, prefill: bool = True
) -> ModelFit:
    """One model on the card(s). `extras` adds vLLM serving and the commands, `prefill` the
    prompt-processing estimate (the index shows neither and skips both)."""
    result = _fit(card, Need(Profile(subject), s, prefill), s)
    if not extras:
        return result
    return with_serving(card, subject, s, result)


def _fit(card: GPU, need: Need, s: Scenario, vram: int | None = None) -> ModelFit:
    """One model on the card(s), `vram` their memory together if the caller has it."""
    profile = need.profile
    subject = profile.subject
    a = subject.arch
    w, kv, overhead, total = need.weights, need.kv, need.overhead, need.total
    if vram is None:
        vram = s.cards * card.vram_bytes
    fits = total <= vram
    room = vram - overhead
    cpu_moe_layers = 0
    if fits:
        layers = a.layers if a else 0
        reads = (layers, w.active_gpu_bytes + s.batch * w.embedding_row_bytes, kv, 0)
        mode, gpu_layers, ram, runs, cpu_copy = "gpu", a.layers if a else None, w.cpu_bytes, True, 0
    elif a is not None and subject.tensor_layout:
        p = offload.plan(
            a, s.quant, kv, w.cpu_bytes, w.embedding_row_bytes, room, s.ram_gb, s.batch,
            parts=profile.split(s.quant),
        )  # fmt: skip
        reads = (a.layers, p.read_gpu_bytes, p.gpu_kv_bytes, p.read_cpu_bytes)
        runs = p.ram_fits
        mode = p.mode if runs else "none"
        gpu_layers, ram = p.gpu_layers, p.system_ram_bytes
        cpu_copy = p.cpu_weight_bytes - w.cpu_bytes
        if runs:
            cpu_moe_layers = p.cpu_moe_layers
    else:
        reads, mode, gpu_layers, ram, runs, cpu_copy = None, "none", None, 0, False, 0
    low = mid = high = 0.0
    if runs:  # speed.decode of these Reads (with no layer's weights counted as CPU layers)
        low, mid, high = speed.decode_ends(card, *reads, s.cards, 0, s.ram_bandwidth_gb_s)
    ttft = None
    if runs and need.prefill is not None:
        work = speed.PrefillWork(*need.prefill, s.context, cpu_copy)
        ttft = speed.prefill_seconds(card, work, s.quant != "f16")
    if a is None:
        longest = 0
    else:
        longest = context_fitting(
            a, room - w.gpu_bytes, profile.kv_cell[s.kv_cache], s.batch, subject.max_context
        )
    # Every field of ModelFit in its order (the JSON's key order): the model's own fields from
    # its profile, each set here, vLLM serving and the commands left out (with_serving adds
    # them). The instance is built without the frozen dataclass's __init__, which sets each of
    # its 37 fields with object.__setattr__ (10 µs a model against 1 µs, timeit; /gpus/'s JSON
    # builds 684), and from a copy of the profile's dict with the scenario's fields set rather
    # than a dict display of all 37 (callgrind: 23K instructions a model against 11K; a card
    # page builds one a model on every recompute).
    values = profile.fit_fields.copy()
    values["weights_bytes"] = w.gpu_bytes
    values["kv_cache_bytes"] = kv
    values["overhead_bytes"] = overhead
    values["total_bytes"] = total
    values["fits"] = fits
    values["headroom_bytes"] = vram - total
    values["max_context"] = longest
    values["best_quant"] = profile.best_quant(room - kv)
    values["decode_tokens_per_s"] = mid
    values["decode_tokens_per_s_low"] = low
    values["decode_tokens_per_s_high"] = high
    values["beyond_model_context"] = a is not None and s.context > subject.max_context
    values["file_bytes"] = w.file_bytes
    values["cpu_weights_bytes"] = w.cpu_bytes
    values["cards"] = s.cards
    values["gpu_layers"] = gpu_layers
    values["cpu_moe_layers"] = cpu_moe_layers
    values["offload"] = mode
    values["system_ram_bytes"] = ram
    values["runs"] = runs
    if ttft:
        values["prefill_tokens_per_s"] = s.context / ttft.mid
        values["prefill_tokens_per_s_low"] = s.context / ttft.high
        values["prefill_tokens_per_s_high"] = s.context / ttft.low
        values["ttft_s"] = ttft.mid
        values["ttft_s_low"] = ttft.low
        values["ttft_s_high"] = ttft.high
    fit = object.__new__(ModelFit)
    object.__setattr__(fit, "__dict__", values)  # a frozen dataclass refuses its own setattr
    return fit


FIT_FIELDS = tuple(f.name for f in fields(ModelFit))


def model_fields(subject: Subject) -> dict:
    """ModelFit's fields in order: those that say which model it is, whatever the card and the
    scenario, and None for the rest (_fit sets them)."""
    a = subject.arch
    values = dict.fromkeys(FIT_FIELDS)
    values["id"] = subject.id
    values["name"] = subject.name
    values["params"] = subject.params
    values["active_params"] = subject.active_params
    values["model_max_context"] = subject.max_context
    values["kv_cache_counted"] = a is not None
    values["is_moe"] = a is not None and a.is_moe
    values["layers"] = a.layers if a else None
    return values


def with_serving(card: GPU, subject: Subject, s: Scenario, r: ModelFit) -> ModelFit:
    """Add vLLM serving and the three commands (card pages: a few microseconds a model)."""
    a = subject.arch
    repo = _repo(subject.id)
    file = commands.gguf_name(subject.name, repo, QUANT_BY_ID[s.quant].label)
    vllm_json, chosen = None, None
    if a is not None:
        per_token = kv_f16_per_token(a)
        rows = {
            f.id: serving.serve(
                card, a, subject.params, subject.active_params, per_token, s.context, f.id,
                s.cards,
            )
            for f in serving.FORMATS
        }  # fmt: skip
        vllm_json = {k: dict(v.__dict__) for k, v in rows.items()}  # flat: asdict deep-copies
        chosen = rows[serving.for_quant(s.quant)]
    cmds = {
        "llama_cpp": commands.llama_cpp(
            file, s.context, s.batch, s.kv_cache, s.cards, r.offload, r.gpu_layers,
            r.cpu_moe_layers,
        ),
        "vllm": commands.vllm(repo, s.context, s.batch, s.kv_cache, s.cards, chosen)
        if chosen
        else commands.Command(None, "vLLM needs the model's architecture and checkpoint."),
        "ollama": commands.ollama(
            file, s.context, s.batch, s.kv_cache, s.cards, r.offload, r.gpu_layers
        ),
    }  # fmt: skip
    # dataclasses.replace would run the frozen __init__, setting each of 37 fields with
    # object.__setattr__: a copy of the instance's dict with three fields set is the same fit
    # (callgrind, a card page's worked example: 0.10M instructions a request; its JSON does it
    # for every model).
    values = {
        **r.__dict__,
        "vllm": vllm_json,
        "commands": {k: c.text for k, c in cmds.items()},
        "commands_notes": {k: c.reason for k, c in cmds.items()},
    }
    fit = object.__new__(ModelFit)
    object.__setattr__(fit, "__dict__", values)
    return fit


def _repo(model_id: str) -> str:
    """The Hugging Face repository a catalog model's config.json is read from."""
    model = BY_ID.get(model_id)
    if model is None:
        return ""
    return model.config_url.split("huggingface.co/", 1)[-1].split("/blob/", 1)[0]


@dataclass(frozen=True)
class CardFit:
    card: GPU
    scenario: Scenario
    models: tuple[ModelFit, ...]

    @cached_property  # the page asks three times; a fit never changes
    def fitting(self) -> int:
        return sum(m.fits for m in self.models)


def fit_card(
    card: GPU, subjects: list[Subject], s: Scenario, extras: bool = True, prefill: bool = True
) -> CardFit:
    fits = fit_cards((card,), [Profile(x) for x in subjects], s, prefill)[0]
    if not extras:
        return fits
    return CardFit(
        card,
        s,
        tuple(with_serving(card, x, s, m) for x, m in zip(subjects, fits.models, strict=True)),
    )


def fit_cards(
    cards: tuple[GPU, ...], profiles: list[Profile], s: Scenario, prefill: bool = True
) -> tuple[CardFit, ...]:
    """Every model on every card (without vLLM serving and the commands); what a model needs
    in the scenario is worked out once for all the cards."""
    needs = [Need(p, s, prefill) for p in profiles]
    return tuple(
        CardFit(card, s, tuple([_fit(card, n, s, s.cards * card.vram_bytes) for n in needs]))
        for card in cards
    )


@dataclass(frozen=True)
class MatrixRow:
    """One model of /gpus/'s table: what it needs, and on each card (in the matrix's order)
    whether that fits, the VRAM left over (negative: missing) and the best format that fits."""

    id: str
    name: str
    params: int
    total_bytes: int
    kv_cache_counted: bool
    cells: tuple[tuple[bool, int, str | None], ...]


@dataclass(frozen=True)
class Matrix:
    """/gpus/'s answer as its page shows it: every model on every card, reduced to what the
    table prints (the JSON answer takes the whole fit, fit_cards)."""

    cards: tuple[GPU, ...]
    scenario: Scenario
    rows: tuple[MatrixRow, ...]
    fitting: tuple[int, ...]  # models that fit, by card


def fit_matrix(cards: tuple[GPU, ...], profiles: list[Profile], s: Scenario) -> Matrix:
    """The same fits, headroom and best formats as fit_cards, without the rest of each fit.

    A cell depends on the card only through its VRAM, and the 20 cards have 8 sizes: each
    model is worked out once per size, and cards of one size share the cell (callgrind, the
    default scenario: 3.26M instructions against 2.50M)."""
    vrams = [s.cards * c.vram_bytes for c in cards]
    sizes = dict.fromkeys(vrams, 0)  # VRAM -> models that fit it
    rows = []
    for p in profiles:
        need = Need(p, s, prefill=False)
        total, fixed = need.total, need.kv + need.overhead
        cell = {}
        for vram in sizes:
            fits = total <= vram
            sizes[vram] += fits
            cell[vram] = (fits, vram - total, p.best_quant(vram - fixed))
        x = p.subject
        cells = tuple([cell[vram] for vram in vrams])
        rows.append(MatrixRow(x.id, x.name, x.params, total, x.arch is not None, cells))
    return Matrix(tuple(cards), s, tuple(rows), tuple([sizes[vram] for vram in vrams]))


# The user's own model: a parameter count, or the architecture fields of its config.json.
CUSTOM_LABELS = {
    "params_b": "Parameters",
    "layers": "Layers",
    "hidden": "Hidden size",
    "heads": "Attention heads",
    "kv_heads": "KV heads",
    "head_dim": "Head dim",
    "ffn_hidden": "FFN size",
    "vocab": "Vocabulary",
}
REQUIRED_SHAPE = ("layers", "hidden", "heads", "kv_heads", "ffn_hidden", "vocab")


def custom_subject(values: dict) -> Subject | None:
    """Build the custom row from whichever fields were given; None when none were."""
    shape = {k: values.get(k) for k in (*REQUIRED_SHAPE, "head_dim")}
    params_b = values.get("params_b")
    if params_b is None and all(v is None for v in shape.values()):
        return None
    if all(v is None for v in shape.values()):
        params = round(params_b * 1e9)
        return Subject("custom", "Your model", params, params, None, MAX_CONTEXT, False)
    for name in REQUIRED_SHAPE:
        if shape[name] is None:
            raise InputError(
                name,
                f"{CUSTOM_LABELS[name]} is needed too: give all of layers, hidden size, "
                "attention heads, KV heads, FFN size and vocabulary (head dim is optional), "
                "or only a parameter count.",
            )
    heads, kv_heads, hidden = shape["heads"], shape["kv_heads"], shape["hidden"]
    if kv_heads > heads or heads % kv_heads:
        raise InputError(
            "kv_heads",
            f"KV heads must divide attention heads evenly ({heads:,} attention heads; "
            f"{kv_heads:,} KV heads given).",
        )
    head_dim = shape["head_dim"]
    if head_dim is None:
        if hidden % heads:
            raise InputError(
                "head_dim",
                f"Head dim is needed: hidden size {hidden:,} is not a multiple of "
                f"{heads:,} attention heads.",
            )
        head_dim = hidden // heads
    arch = Architecture(
        shape["layers"], hidden, heads, kv_heads, head_dim, shape["ffn_hidden"],
        shape["vocab"], tied_embeddings=False, max_context=MAX_CONTEXT,
    )  # fmt: skip
    params = round(params_b * 1e9) if params_b is not None else parameter_count(arch)
    active = params if params_b is not None else active_parameter_count(arch)
    # A count given with the shape is taken as the truth for the weights (it may hold tensors
    # the shape does not describe); the shape still sizes the KV cache.
    return Subject("custom", "Your model", params, active, arch, MAX_CONTEXT, params_b is None)


@dataclass(frozen=True)
class Explanation:
    """The intermediate numbers of one model's fit, for the worked example."""

    fit: ModelFit
    arch: Architecture | None
    quant: Quant
    kv: KVFormat
    scenario: Scenario
    weights: Weights
    full_layers: int
    sliding_layers: int
    full_cells: int  # cells of each full-attention layer: pad(context × sequences, 256)
    sliding_cells: int  # cells of each sliding layer: min(that, pad(window × seqs + 512, 256))
    sliding_wanted: int  # window × sequences + n_ubatch, before the padding
    sliding_padded: int  # and after it
    kv_row_bytes: int  # K (or V) of one cell in one layer
    runtime_bytes: int
    compute_bytes: int
    bytes_per_step: int
    decode: DecodeSpeed | None  # None when it cannot run


def explain(
    card: GPU, subject: Subject, s: Scenario, profile: Profile | None = None
) -> Explanation:
    """The worked example; `profile` is the subject's, when the caller holds it already."""
    a = subject.arch
    sliding = a.sliding_layers if a else 0
    full_cells, sliding_cells = kv_cells(a, s.context, s.batch) if a else (0, 0)
    wanted = a.sliding_window * s.batch + UBATCH_TOKENS if sliding else 0
    p = profile if profile is not None else Profile(subject)
    w = p.weights(s.quant)
    result = with_serving(card, subject, s, _fit(card, Need(p, s), s))
    step = bytes_per_step(w, result.kv_cache_bytes, s.batch)
    kv = KV_BY_ID[s.kv_cache]
    return Explanation(
        fit=result,
        arch=a,
        quant=QUANT_BY_ID[s.quant],
        kv=kv,
        scenario=s,
        weights=w,
        full_layers=(a.layers - sliding) if a else 0,
        sliding_layers=sliding,
        full_cells=full_cells,
        sliding_cells=sliding_cells,
        sliding_wanted=wanted,
        sliding_padded=pad_cells(wanted),
        kv_row_bytes=kv.row_bytes(a.k_cache_width) if a else 0,
        runtime_bytes=s.cards * RUNTIME_BYTES,  # one CUDA context per card
        compute_bytes=compute_buffer_bytes(a),
        bytes_per_step=step,
        decode=DecodeSpeed(
            result.decode_tokens_per_s_low,
            result.decode_tokens_per_s,
            result.decode_tokens_per_s_high,
        )
        if result.runs
        else None,
    )
