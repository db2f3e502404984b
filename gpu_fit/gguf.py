"""A model's GGUF file tensor by tensor, as llama.cpp's quantize writes it and llama.cpp loads it.

Pure Python, no Django. The rules are read from llama.cpp commit 0c1e57098 (the copy vendored in
llama-cpp-python 0.3.36 on PyPI):

- ggml's block formats (ggml/src/ggml-common.h; the same table is gguf-py's GGML_QUANT_SIZES);
- the type of each tensor: src/llama-quant.cpp, llama_tensor_get_type and its _impl. A K-quant
  "mix" such as Q4_K_M keeps attn_v and ffn_down at Q6_K in the layers use_more_bits picks, the
  output matrix at Q6_K, and a tensor whose rows are not a multiple of a block (256 values for
  K-quants) falls back to a 32-value format (tensor_type_fallback: Q4_K -> Q5_0, Q6_K -> Q8_0 ...);
- which tensors are quantized at all: 1-D tensors, norms, biases and the MoE router stay F32
  (tensor_allows_quantization; conversion/base.py writes them as F32);
- where each tensor is loaded: src/llama-model.cpp keeps the input layer (token_embd) on the
  CPU ("there is very little benefit to offloading the input layer"); when the output matrix is
  tied to it, the loader duplicates token_embd onto the GPU as the output (TENSOR_DUPLICATED).

Counts come from the catalog's Architecture, laid out as llama.cpp's loaders name the tensors
(src/models/llama.cpp, qwen2.cpp, qwen3.cpp, qwen3moe.cpp, gemma2.cpp, gemma3.cpp, phi3.cpp,
openai-moe.cpp, llama4.cpp, deepseek2.cpp). DeepSeek-V2's attention is laid out as the current
converter writes it (conversion/deepseek.py: kv_b_proj split into attn_k_b and attn_v_b for
multi-head latent attention); GGUFs converted before llama.cpp supported MLA hold one attn_kv_b
instead, the same parameters in rows of another width. Tensors llama-quant.cpp does not single
out (attn_kv_a_mqa, attn_k_b, attn_v_b, the shared experts' gate and up) take the default type;
ffn_down_shexp is an ffn_down to it (its category is found by name).

What the sum leaves out is the file's header: metadata and the tokenizer's
vocabulary (a few MB), and a 256-byte rope_freqs vector some Llama 3 files carry.
"""

from dataclasses import dataclass
from functools import lru_cache

from calculators.catalog.models import Architecture


@dataclass(frozen=True)
class GGMLType:
    name: str
    block_elements: int
    block_bytes: int

    def row_bytes(self, elements: int) -> int:
        return elements // self.block_elements * self.block_bytes

    @property
    def bits_per_weight(self) -> float:
        return self.block_bytes * 8 / self.block_elements


# ggml-common.h: QK_K = 256; each static_assert(sizeof(block_...)) gives the bytes.
F32 = GGMLType("F32", 1, 4)
F16 = GGMLType("F16", 1, 2)
Q4_0 = GGMLType("Q4_0", 32, 18)  # f16 scale + 16 bytes of nibbles
Q4_1 = GGMLType("Q4_1", 32, 20)
Q5_0 = GGMLType("Q5_0", 32, 22)  # f16 scale + 4 bytes of high bits + 16 of nibbles
Q5_1 = GGMLType("Q5_1", 32, 24)
Q8_0 = GGMLType("Q8_0", 32, 34)  # f16 scale + 32 int8
Q2_K = GGMLType("Q2_K", 256, 84)
Q3_K = GGMLType("Q3_K", 256, 110)
Q4_K = GGMLType("Q4_K", 256, 144)
Q5_K = GGMLType("Q5_K", 256, 176)
Q6_K = GGMLType("Q6_K", 256, 210)
TYPES = (F32, F16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K)

# llama_ftype_get_default_type: the type of every tensor the mix does not single out.
DEFAULT_TYPE = {
    "f16": F16,
    "q8_0": Q8_0,
    "q6_k": Q6_K,
    "q5_k_m": Q5_K,
    "q4_k_m": Q4_K,
    "q4_0": Q4_0,
    "q3_k_m": Q3_K,
    "q2_k": Q2_K,
}

# tensor_type_fallback: rows that are not a multiple of 256 cannot hold K-quant blocks.
FALLBACK = {Q2_K: Q4_0, Q3_K: Q4_0, Q4_K: Q5_0, Q5_K: Q5_1, Q6_K: Q8_0}


@dataclass(frozen=True)
class Tensor:
    kind: str  # llama.cpp's name without "blk.N." and ".weight": attn_v, ffn_down_exps, ...
    layer: int | None  # None outside the decoder layers
    row: int  # ne[0]: values per row, what the block size must divide
    rows: int  # ne[1] × ne[2]
    quantizable: bool = True  # False: 1-D tensors, norms, biases, the router (always F32)
    experts: int = 1  # ne[2] of an MoE layer's stacked experts

    @property
    def elements(self) -> int:
        return self.row * self.rows


def tensors(a: Architecture) -> tuple[Tensor, ...]:
    """Every tensor of the GGUF, in the order llama.cpp's loader sorts them (by layer)."""
    h, q, kv = a.hidden, a.q_dim, a.kv_dim

    def vector(kind, n, layer):
        return Tensor(kind, layer, n, 1, quantizable=False)

    out = [Tensor("token_embd", None, h, a.vocab), vector("output_norm", h, None)]
    if not a.tied_embeddings:
        out.append(Tensor("output", None, h, a.vocab))
    for i in range(a.layers):
        layer = [vector(f"norm{n}", h, i) for n in range(a.norms_per_layer)]
        if a.is_mla:  # DeepSeek-V2 as conversion/deepseek.py writes it (src/models/deepseek2.cpp)
            r, heads, v_dim = a.kv_lora_rank, a.heads, a.v_head_dim
            layer += [
                Tensor("attn_q", i, h, q),
                Tensor("attn_kv_a_mqa", i, h, r + a.qk_rope_head_dim),
                vector("attn_kv_a_norm", r, i),
                # kv_b_proj split per head for the absorbed MLA graph: K's part transposed
                # ({qk_nope, r, heads}), V's part ({r, v_head_dim, heads}).
                Tensor("attn_k_b", i, a.qk_nope_head_dim, r * heads),
                Tensor("attn_v_b", i, r, v_dim * heads),
            ]
        elif a.fused_projections:  # Phi-3: one attn_qkv, and ffn_up holds gate and up
            layer.append(Tensor("attn_qkv", i, h, q + 2 * kv))
        else:
            layer += [Tensor("attn_q", i, h, q), Tensor("attn_k", i, h, kv)]
            layer.append(Tensor("attn_v", i, h, kv))
        if a.qkv_bias:
            layer += [vector("attn_q_bias", q, i), vector("attn_k_bias", kv, i)]
            layer.append(vector("attn_v_bias", kv, i))
        attn_out_row = a.heads * a.v_head_dim if a.is_mla else q
        layer.append(Tensor("attn_output", i, attn_out_row, h))
        if a.output_bias:
            layer.append(vector("attn_output_bias", h, i))
        if a.qk_norm:
            layer += [vector("attn_q_norm", a.head_dim, i), vector("attn_k_norm", a.head_dim, i)]
        if a.attention_sinks:
            layer.append(vector("attn_sinks", a.heads, i))
        f, e = a.ffn_hidden, a.experts
        if a.is_moe and i < a.dense_layers:  # DeepSeek's leading dense layers
            fd = a.dense_ffn_hidden
            layer += [Tensor("ffn_gate", i, h, fd), Tensor("ffn_up", i, h, fd)]
            layer.append(Tensor("ffn_down", i, fd, h))
        elif a.is_moe:
            layer.append(Tensor("ffn_gate_inp", i, h, e, quantizable=False))
            if a.router_bias:
                layer.append(vector("ffn_gate_inp_bias", e, i))
            layer += [
                Tensor("ffn_gate_exps", i, h, f * e, experts=e),
                Tensor("ffn_up_exps", i, h, f * e, experts=e),
                Tensor("ffn_down_exps", i, f, h * e, experts=e),
            ]
            if a.expert_bias:  # 2-D, but biases: F32
                for kind, n in (("gate", f), ("up", f), ("down", h)):
                    layer.append(Tensor(f"ffn_{kind}_exps_bias", i, n, e, quantizable=False))
            if a.shared_ffn_hidden:  # the always-on shared expert(s), one MLP
                fs = a.shared_ffn_hidden
                layer += [Tensor("ffn_gate_shexp", i, h, fs), Tensor("ffn_up_shexp", i, h, fs)]
                layer.append(Tensor("ffn_down_shexp", i, fs, h))
        elif a.fused_projections:
            layer += [Tensor("ffn_up", i, h, 2 * f), Tensor("ffn_down", i, f, h)]
        else:
            layer += [Tensor("ffn_gate", i, h, f), Tensor("ffn_up", i, h, f)]
            layer.append(Tensor("ffn_down", i, f, h))
        out += layer
    return tuple(out)


def _use_more_bits(i: int, n: int) -> bool:
    """llama-quant.cpp: the first and last eighth of the layers, and every third in between."""
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


def _is_70b(a: Architecture) -> bool:
    """LLM_TYPE_70B, which gives attn_v one more step: 80-layer Llama with grouped-query
    attention (src/models/llama.cpp) and 80-layer Qwen2 (src/models/qwen2.cpp)."""
    return a.layers == 80 and a.kv_heads < a.heads and not a.is_moe


def _mix_type(a: Architecture, t: Tensor, quant: str, default: GGMLType) -> GGMLType:
    """llama_tensor_get_type_impl for the formats offered here (no importance matrix)."""
    n = a.layers
    eight_experts = a.experts == 8  # Mixtral's special case in llama-quant.cpp
    if t.kind == "output" or (t.kind == "token_embd" and a.tied_embeddings):
        if t.row % default.block_elements:
            return Q8_0
        return default if default is Q8_0 else Q6_K
    if t.kind == "token_embd":
        return default
    if t.kind in ("attn_v", "attn_qkv"):  # category_is_attn_v takes the fused QKV too
        new = default
        if quant == "q2_k":
            new = Q4_K if a.heads // a.kv_heads >= 4 else Q3_K
        elif quant == "q3_k_m":
            new = Q5_K if t.layer < 2 else Q4_K
        elif quant in ("q4_k_m", "q5_k_m") and _use_more_bits(t.layer, n):
            new = Q6_K
        if _is_70b(a) and new in (Q3_K, Q4_K):
            new = Q5_K
        return Q8_0 if eight_experts else new
    if t.kind == "attn_k":
        return Q8_0 if eight_experts else default
    if t.kind in ("ffn_down", "ffn_down_exps", "ffn_down_shexp"):  # find("ffn_down")
        if quant == "q2_k":
            return Q3_K
        if quant == "q3_k_m":
            return Q5_K if t.layer < n // 16 else Q4_K
        if quant in ("q4_k_m", "q5_k_m") and _use_more_bits(t.layer, n):
            return Q6_K
        return default
    if t.kind == "attn_output":
        if eight_experts:
            return Q5_K if quant in ("q2_k", "q3_k_m", "q4_k_m") else default
        return {"q2_k": Q3_K, "q3_k_m": Q4_K}.get(quant, default)
    return default


def _choose(a: Architecture, t: Tensor, quant: str) -> tuple[GGMLType, bool]:
    """llama_tensor_get_type: the tensor's type, and whether tensor_type_fallback changed it."""
    if not t.quantizable:
        return F32, False
    default = DEFAULT_TYPE[quant]
    if default is F16:
        return F16, False  # not a quantized type: every weight matrix is stored in 16 bits
    new = _mix_type(a, t, quant, default)
    if t.row % new.block_elements == 0:
        return new, False
    new = FALLBACK.get(new, new)
    return (new if t.row % new.block_elements == 0 else F16), True


def tensor_type(a: Architecture, t: Tensor, quant: str) -> GGMLType:
    return _choose(a, t, quant)[0]


@dataclass(frozen=True)
class TypeShare:
    """One row of the breakdown: how many weights a format holds, and their bytes."""

    type: str
    block_elements: int
    block_bytes: int
    tensors: int
    elements: int
    bytes: int


@dataclass(frozen=True)
class Layout:
    """A GGUF's tensors and where llama.cpp keeps them with every layer on the GPU."""

    file_bytes: int  # all tensor data; the file adds its metadata and tokenizer (a few MB)
    gpu_bytes: int  # weights in VRAM
    cpu_bytes: int  # token_embd, kept in system RAM
    embedding_type: str
    embedding_row_bytes: int  # one token's row of token_embd: what decode reads of it
    tied_copy_bytes: int  # tied models: token_embd again on the GPU, as the output matrix
    expert_bytes: int  # MoE: the routed experts' tensors, of which a token reads k of E
    active_gpu_bytes: int  # the VRAM weights one token reads: only k of E experts
    fallback_tensors: int  # tensors whose rows forced a 32-value format (or F16)
    shares: tuple[TypeShare, ...]  # the GPU's weights by format, largest first


@lru_cache(maxsize=512)
def layout(a: Architecture, quant: str) -> Layout:
    totals: dict[GGMLType, list[int]] = {}
    file_bytes = expert_bytes = fallbacks = 0
    embd_type, embd_bytes = F32, 0
    for t in tensors(a):
        ty, fell_back = _choose(a, t, quant)
        size = t.rows * ty.row_bytes(t.row)
        file_bytes += size
        fallbacks += fell_back
        if t.experts > 1:
            expert_bytes += size
        if t.kind == "token_embd":
            embd_type, embd_bytes = ty, size
            if not a.tied_embeddings:
                continue  # only in system RAM
        share = totals.setdefault(ty, [0, 0, 0])
        share[0] += 1
        share[1] += t.elements
        share[2] += size
    gpu = file_bytes if a.tied_embeddings else file_bytes - embd_bytes
    unread = expert_bytes * (a.experts - a.experts_per_token) // a.experts if a.is_moe else 0
    shares = sorted(
        (TypeShare(ty.name, ty.block_elements, ty.block_bytes, *v) for ty, v in totals.items()),
        key=lambda share: -share.bytes,
    )
    return Layout(
        file_bytes=file_bytes,
        gpu_bytes=gpu,
        cpu_bytes=embd_bytes,
        embedding_type=embd_type.name,
        embedding_row_bytes=embd_type.row_bytes(a.hidden),
        tied_copy_bytes=embd_bytes if a.tied_embeddings else 0,
        expert_bytes=expert_bytes,
        active_gpu_bytes=gpu - unread,
        fallback_tensors=fallbacks,
        shares=tuple(shares),
    )


def active_gpu_bytes(a: Architecture, quant: str) -> int:
    return layout(a, quant).active_gpu_bytes


@lru_cache(maxsize=256)
def layouts(a: Architecture) -> dict[str, Layout]:
    """Every format's layout at once: the search for the best one that fits hashes the
    architecture once instead of once per format."""
    return {quant: layout(a, quant) for quant in DEFAULT_TYPE}
