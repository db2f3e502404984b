"""Will this model run on this card? Inference memory and decode speed, pure Python.

total = weights on the GPU + KV cache + overhead, all in bytes, against the card's VRAM, as
llama.cpp (commit 0c1e57098, vendored in llama-cpp-python 0.3.36) allocates them with every
layer offloaded:
- weights  = every tensor of the GGUF at the type llama.cpp's quantize gives it (gguf.py), less
  token_embd, which llama.cpp keeps in system RAM (the tied output copy stays on the GPU);
- KV cache = 2 (K and V) · kv_heads · head_dim · bytes per element · cells, summed over layers:
  a full-attention layer has n_ctx = pad(context · sequences, 256) cells, a sliding-window layer
  min(n_ctx, pad(window · sequences + n_ubatch, 256)) (llama-context.cpp, llama-kv-cache-iswa.cpp);
- overhead = CUDA context and runtime (fixed) + the compute buffer for one prompt micro-batch.
Decode is bandwidth bound: every generated token streams the active weights in VRAM, one row of
the embedding table and the KV cache.
"""

import math
from dataclasses import dataclass

from calculators.catalog.gpus import GPU
from calculators.catalog.memory import GIB, MIB, ceil_div
from calculators.catalog.models import (
    BY_ID,
    Architecture,
    Model,
    active_parameter_count,
    parameter_count,
)
from calculators.kit.errors import InputError

from . import gguf

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

# Decode reaches 48-70 % of the card's bandwidth in measured llama.cpp runs, counting the bytes
# each token reads from VRAM (see tests: LLaMA 7B Q4_0 on an RTX 3090 at 48.8 %, F16 at 68.5 %).
EFFICIENCY_LOW, EFFICIENCY_MID, EFFICIENCY_HIGH = 0.48, 0.6, 0.7


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

    def __post_init__(self):
        if self.quant not in QUANT_BY_ID:
            raise InputError("quant", f"Unknown weight format {self.quant!r}.")
        if self.kv_cache not in KV_BY_ID:
            raise InputError("kv_cache", f"Unknown KV-cache format {self.kv_cache!r}.")
        if not 1 <= self.context <= MAX_CONTEXT:
            raise InputError("context", f"Context must be 1 to {MAX_CONTEXT:,} tokens.")
        if self.batch < 1:
            raise InputError("batch", "Concurrent sequences must be at least 1.")


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


def kv_cache_bytes(arch: Architecture, context: int, batch: int, kv_cache: str) -> int:
    full, sliding = kv_cells(arch, context, batch)
    cells = (arch.layers - arch.sliding_layers) * full + arch.sliding_layers * sliding
    return 2 * cells * KV_BY_ID[kv_cache].row_bytes(arch.kv_heads * arch.head_dim)


def compute_buffer_bytes(arch: Architecture | None) -> int:
    if arch is None:
        return MIN_COMPUTE_BYTES
    return max(MIN_COMPUTE_BYTES, UBATCH_TOKENS * arch.vocab * 4)


def overhead_bytes(arch: Architecture | None) -> int:
    return RUNTIME_BYTES + compute_buffer_bytes(arch)


def total_bytes(subject: Subject, context: int, quant: str, kv_cache: str, batch: int) -> int:
    kv = kv_cache_bytes(subject.arch, context, batch, kv_cache) if subject.arch else 0
    return weights(subject, quant).gpu_bytes + kv + overhead_bytes(subject.arch)


def max_context(card: GPU, subject: Subject, quant: str, kv_cache: str, batch: int) -> int:
    """The largest context (up to the model's own limit) whose total fits; 0 if none does."""
    room = card.vram_bytes - weights(subject, quant).gpu_bytes - overhead_bytes(subject.arch)
    return _max_context(subject, room, kv_cache, batch)


def _max_context(subject: Subject, room: int, kv_cache: str, batch: int) -> int:
    """The largest context whose KV cache fits in `room` bytes, capped at the model's limit.

    Solved, not searched (a binary search over the context cost a GPU page most of its time):
    the cache is 2 · row bytes · cells over the layers, with n = pad(context · batch) cells in
    each full layer and min(n, W) in each sliding one, W = pad(window · batch + n_ubatch). So the
    largest n (a multiple of 256) whose cells fit the room's cell budget gives the context
    n // batch, since pad(x) <= n exactly when x <= n for such an n. A model without a known
    shape has no KV cache to size: 0.
    """
    a = subject.arch
    if a is None:
        return 0
    budget = room // (2 * KV_BY_ID[kv_cache].row_bytes(a.kv_heads * a.head_dim))
    full, sliding = a.layers - a.sliding_layers, a.sliding_layers
    window = pad_cells(a.sliding_window * batch + UBATCH_TOKENS) if sliding else 0
    if budget < 0:
        return 0
    if sliding and budget >= a.layers * window:
        # Past the window only the full layers grow; with none, any context fits.
        if not full:
            return subject.max_context
        cells = (budget - sliding * window) // full
    else:
        cells = budget // a.layers
    cells -= cells % KV_PAD
    return min(subject.max_context, cells // batch)


def best_quant(card: GPU, subject: Subject, s: Scenario) -> str | None:
    a = subject.arch
    kv = kv_cache_bytes(a, s.context, s.batch, s.kv_cache) if a else 0
    return _best_quant(subject, card.vram_bytes - kv - overhead_bytes(a))


def _best_quant(subject: Subject, room: int) -> str | None:
    """The best-quality format whose weights fit in `room` bytes (None: not even the smallest)."""
    a = subject.arch
    if a is not None and subject.tensor_layout:
        layouts = gguf.layouts(a)
        return next((q.id for q in QUANTS if layouts[q.id].gpu_bytes <= room), None)
    return next((q.id for q in QUANTS if weights_bytes(subject.params, q.id) <= room), None)


@dataclass(frozen=True)
class DecodeSpeed:
    """Tokens per second for each sequence; the batch as a whole makes `batch` times as many."""

    low: float
    mid: float
    high: float


def decode_speed(card: GPU, bytes_per_step: int) -> DecodeSpeed:
    ceiling = card.bandwidth_gb_s * 1e9 / bytes_per_step
    return DecodeSpeed(*(ceiling * e for e in (EFFICIENCY_LOW, EFFICIENCY_MID, EFFICIENCY_HIGH)))


def bytes_per_step(w: Weights, kv_bytes: int, batch: int) -> int:
    """What one decode step reads: the active VRAM weights, one embedding row for each
    sequence's new token (llama.cpp's get_rows, not the whole table) and the KV cache."""
    return w.active_gpu_bytes + batch * w.embedding_row_bytes + kv_bytes


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
    fits: bool
    headroom_bytes: int  # VRAM left over; negative when it does not fit
    max_context: int
    best_quant: str | None
    decode_tokens_per_s: float  # mid estimate per sequence, 0 when it does not fit
    decode_tokens_per_s_low: float
    decode_tokens_per_s_high: float
    model_max_context: int
    beyond_model_context: bool  # the chosen context is longer than the model was built for
    kv_cache_counted: bool  # False for a custom model given only as a parameter count
    is_moe: bool
    file_bytes: int  # the GGUF's tensor data; the download adds a few MB of metadata
    cpu_weights_bytes: int  # token_embd, which llama.cpp keeps in system RAM


def fit(card: GPU, subject: Subject, s: Scenario) -> ModelFit:
    return _fit(card, subject, s, _need(subject, s))


def _need(subject: Subject, s: Scenario) -> tuple[Weights, int, int, int]:
    """What the model needs in this scenario on any card: its weights, KV-cache bytes, overhead
    bytes and the bytes one decode step reads. Worked out once per model, not once per card:
    /gpus/ fits the whole catalog on six cards on each keystroke."""
    a = subject.arch
    w = weights(subject, s.quant)
    kv = kv_cache_bytes(a, s.context, s.batch, s.kv_cache) if a else 0
    return w, kv, overhead_bytes(a), bytes_per_step(w, kv, s.batch)


def _fit(card: GPU, subject: Subject, s: Scenario, need: tuple) -> ModelFit:
    a = subject.arch
    w, kv, overhead, step = need
    vram = card.vram_bytes
    total = w.gpu_bytes + kv + overhead
    fits = total <= vram
    # decode_speed(card, step), without building its object for every cell of the matrix.
    ceiling = card.bandwidth_gb_s * 1e9 / step if fits else 0.0
    return ModelFit(
        id=subject.id,
        name=subject.name,
        params=subject.params,
        active_params=subject.active_params,
        weights_bytes=w.gpu_bytes,
        kv_cache_bytes=kv,
        overhead_bytes=overhead,
        total_bytes=total,
        fits=fits,
        headroom_bytes=vram - total,
        max_context=_max_context(subject, vram - w.gpu_bytes - overhead, s.kv_cache, s.batch),
        best_quant=_best_quant(subject, vram - kv - overhead),
        decode_tokens_per_s=ceiling * EFFICIENCY_MID,
        decode_tokens_per_s_low=ceiling * EFFICIENCY_LOW,
        decode_tokens_per_s_high=ceiling * EFFICIENCY_HIGH,
        model_max_context=subject.max_context,
        beyond_model_context=a is not None and s.context > subject.max_context,
        kv_cache_counted=a is not None,
        is_moe=a is not None and a.is_moe,
        file_bytes=w.file_bytes,
        cpu_weights_bytes=w.cpu_bytes,
    )


@dataclass(frozen=True)
class CardFit:
    card: GPU
    scenario: Scenario
    models: tuple[ModelFit, ...]

    @property
    def fitting(self) -> int:
        return sum(m.fits for m in self.models)


def fit_card(card: GPU, subjects: list[Subject], s: Scenario) -> CardFit:
    return fit_cards((card,), subjects, s)[0]


def fit_cards(cards: tuple[GPU, ...], subjects: list[Subject], s: Scenario) -> tuple[CardFit, ...]:
    """Every model on every card; what a model needs is worked out once for all the cards."""
    needs = [(subject, _need(subject, s)) for subject in subjects]
    return tuple(
        CardFit(card, s, tuple(_fit(card, subject, s, need) for subject, need in needs))
        for card in cards
    )


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
    decode: DecodeSpeed
    efficiency_low: float = EFFICIENCY_LOW
    efficiency_high: float = EFFICIENCY_HIGH


def explain(card: GPU, subject: Subject, s: Scenario) -> Explanation:
    a = subject.arch
    sliding = a.sliding_layers if a else 0
    full_cells, sliding_cells = kv_cells(a, s.context, s.batch) if a else (0, 0)
    wanted = a.sliding_window * s.batch + UBATCH_TOKENS if sliding else 0
    w = weights(subject, s.quant)
    result = fit(card, subject, s)
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
        kv_row_bytes=kv.row_bytes(a.kv_heads * a.head_dim) if a else 0,
        runtime_bytes=RUNTIME_BYTES,
        compute_bytes=compute_buffer_bytes(a),
        bytes_per_step=step,
        decode=decode_speed(card, step),
    )
