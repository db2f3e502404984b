"""Serving with vLLM: how many sequences of this context fit its paged KV cache, pure Python.

vLLM 0.33.0's own memory rules (the release on PyPI):
- vllm/v1/worker/utils.py, request_memory: requested = ceil(total GPU memory × utilization);
- vllm/v1/worker/gpu_worker.py, determine_available_memory: KV cache = requested − what the
  profile run leaves in use (weights, the peak activations of one max_num_batched_tokens step,
  non-torch memory) − the CUDA graphs' estimate;
- vllm/v1/kv_cache_interface.py: a page holds block_size (16, CacheConfig.DEFAULT_BLOCK_SIZE)
  tokens of one layer: KV heads on this GPU × block × (K + V head size) × dtype bytes;
  vllm/config/model.py, get_num_kv_heads: heads per GPU = max(1, KV heads ÷ TP) (replicated
  below one), and the attention heads must divide by TP;
- vllm/v1/core/kv_cache_utils.py: num_blocks = available // page // layers, and the maximum
  concurrency = num_blocks ÷ the blocks one request of max_model_len holds: cdiv(max_model_len,
  16) for a full-attention layer; for a sliding-window layer (SlidingWindowSpec)
  cdiv(min(window − 1 + tokens in flight, max_model_len), 16) + 1, tokens in flight being two
  batches of 2,048 with async scheduling (vllm/config/vllm.py, max_in_flight_tokens). Models
  mixing the two share one pool of layer-blocks (the hybrid allocator; its grouping pads the
  layers a little, which we leave out).
- vllm/engine/arg_utils.py: `vllm serve` on a card under 70 GiB schedules at most 2,048 tokens
  and 256 sequences per step (default_max_num_batched_tokens, default_max_num_seqs).
What is estimated rather than read: the activation peak and the non-torch and CUDA-graph
memory, about 1 GiB together here.

The total vLLM sees is what CUDA reports, less than the card's chips: an RTX 3090 (24 GiB)
logged total_gpu_memory=23.58GiB in vLLM issue #10517; we take 24 − 23.58 = 0.42 GiB off every
card.
"""

from dataclasses import dataclass

from calculators.catalog.gpus import GPU
from calculators.catalog.memory import GIB, ceil_div
from calculators.catalog.models import Architecture, layer_matrix_params

from . import speed

UTILIZATION = 0.9
BLOCK = 16
MAX_BATCHED_TOKENS = 2048
MAX_SEQS = 256
DRIVER_RESERVE_BYTES = round(0.42 * GIB)
IN_FLIGHT_TOKENS = 2 * MAX_BATCHED_TOKENS
NON_TORCH_BYTES = GIB // 2  # CUDA context, cuBLAS and NCCL workspaces (an estimate)
CUDA_GRAPH_BYTES = GIB // 2  # vLLM's captured decode graphs (an estimate)
# AWQ and GPTQ INT4: 4-bit weights, and per group of 128 weights an FP16 scale and a packed
# 4-bit zero point: 4 + (16 + 4) / 128 = 4.156 bits.
INT4_BITS = 4 + 20 / 128


@dataclass(frozen=True)
class Format:
    id: str
    label: str
    quantization: str | None  # vLLM's --quantization, None for the checkpoint's BF16


FORMATS = (
    Format("bf16", "BF16", None),
    Format("fp8", "FP8 (W8, on the fly)", "fp8"),
    Format("int4", "AWQ/GPTQ INT4, group 128", "awq_marlin"),
)
FORMAT_BY_ID = {f.id: f for f in FORMATS}


def for_quant(quant: str) -> str:
    """The vLLM format nearest a GGUF format: 16-bit, 8-bit or 4-bit class."""
    if quant == "f16":
        return "bf16"
    return "fp8" if quant in ("q8_0", "q6_k", "q5_k_m") else "int4"


def weight_bytes(a: Architecture, params: int, fmt: str) -> int:
    """Layer matrices in the format; embeddings, output layer and norms stay BF16."""
    if fmt == "bf16":
        return 2 * params
    matrices = layer_matrix_params(a)
    rest = params - matrices
    per = 1 if fmt == "fp8" else INT4_BITS / 8
    return round(matrices * per) + 2 * rest


def tp_problem(a: Architecture, tp: int) -> str | None:
    if a.heads % tp:
        return f"{a.heads} attention heads do not divide by a tensor-parallel size of {tp}."
    if a.kv_heads % tp and tp % a.kv_heads:
        return f"{a.kv_heads} KV heads do not split evenly over {tp} cards."
    return None


@dataclass(frozen=True)
class Serving:
    format: str
    label: str
    tensor_parallel: int
    weights_per_gpu_bytes: int
    kv_cache_per_gpu_bytes: int  # what is left for the paged cache on each card
    kv_blocks: int
    tokens_in_cache: int
    max_sequences: int  # sequences of this context that fit at once (vLLM's max concurrency)
    max_sequences_fp8_kv: int  # the same with --kv-cache-dtype fp8
    aggregate_tokens_per_s: float  # decode, all sequences together (mid estimate)
    per_sequence_tokens_per_s: float  # each of them, at that concurrency
    problem: str | None  # why vLLM cannot serve it this way (None: it can)
    # A single sequence with the cache filled to the context: tensor parallelism adds the
    # cards' bandwidths, less two all-reduces per layer over PCIe (mid, low, high).
    one_sequence_tokens_per_s: float = 0.0
    one_sequence_tokens_per_s_low: float = 0.0
    one_sequence_tokens_per_s_high: float = 0.0


def request_blocks(a: Architecture, context: int) -> int:
    """Blocks one request of `context` tokens holds, summed over the layers."""
    full = ceil_div(context, BLOCK)
    if not a.sliding_layers:
        return a.layers * full
    window = ceil_div(min(a.sliding_window - 1 + IN_FLIGHT_TOKENS, context), BLOCK) + 1
    return (a.layers - a.sliding_layers) * full + a.sliding_layers * window


def activation_bytes(a: Architecture, tp: int) -> int:
    """Peak of a 2,048-token profile step: the MLP's widest intermediate (gate and up, then the
    product) in BF16, plus FP32 logits for 256 sequences. An estimate."""
    ffn = a.ffn_hidden * (a.experts_per_token if a.is_moe else 1) // tp
    return MAX_BATCHED_TOKENS * (3 * ffn + 4 * a.hidden) * 2 + MAX_SEQS * a.vocab * 4


def serve(
    card: GPU, a: Architecture, params: int, active_params: int, kv_f16_per_token: float,
    context: int, fmt: str, tp: int,
) -> Serving:  # fmt: skip
    f = FORMAT_BY_ID[fmt]
    problem = tp_problem(a, tp)
    total = card.vram_bytes - DRIVER_RESERVE_BYTES
    requested = -(-total * 9 // 10)  # ceil(total × 0.9)
    w_all = weight_bytes(a, params, fmt)
    w = w_all // tp
    free = requested - w - activation_bytes(a, tp) - NON_TORCH_BYTES - CUDA_GRAPH_BYTES
    # KV bytes of one token on one GPU, all layers: F16 figure from the catalog's KV rule,
    # split over the cards that hold distinct KV heads.
    # Multi-head latent attention keeps one compressed latent per token, the same on every
    # card (vLLM's get_num_kv_heads returns 1 with use_mla): no split.
    split = 1 if getattr(a, "kv_lora_rank", 0) else min(tp, a.kv_heads)
    per_token = kv_f16_per_token / split
    page = per_token / a.layers * BLOCK  # one layer's block
    blocks = max(0, int(free // page // a.layers)) if free > 0 else 0
    per_request = request_blocks(a, context)  # layer-blocks, over all layers
    seqs = blocks * a.layers // per_request
    seqs8 = 2 * blocks * a.layers // per_request
    if problem is None and seqs < 1:
        problem = (
            f"{f.label} weights and one {context:,}-token sequence do not fit in "
            f"{UTILIZATION:.0%} of {tp} card{'s' if tp > 1 else ''}."
        )
    concurrent = max(1, min(seqs, MAX_SEQS))
    step = _step_seconds(card, a, w_all, active_params, params, tp, concurrent, per_token, context)
    values = {
        "format": fmt, "label": f.label, "tensor_parallel": tp, "weights_per_gpu_bytes": w,
        "kv_cache_per_gpu_bytes": max(0, free), "kv_blocks": blocks,
        "tokens_in_cache": blocks * BLOCK, "max_sequences": seqs, "max_sequences_fp8_kv": seqs8,
        "aggregate_tokens_per_s": 0.0, "per_sequence_tokens_per_s": 0.0, "problem": problem,
        "one_sequence_tokens_per_s": 0.0, "one_sequence_tokens_per_s_low": 0.0,
        "one_sequence_tokens_per_s_high": 0.0,
    }  # fmt: skip
    if problem is None:
        one = speed.decode_tensor_parallel(
            card, tp, a.layers, round(w_all * active_params / params), round(per_token * context)
        )
        values["aggregate_tokens_per_s"] = concurrent / step
        values["per_sequence_tokens_per_s"] = 1 / step
        values["one_sequence_tokens_per_s"] = one.mid
        values["one_sequence_tokens_per_s_low"] = one.low
        values["one_sequence_tokens_per_s_high"] = one.high
    # Built from its fields in order (the JSON's), without the frozen dataclass's __init__,
    # which sets each of the 15 with object.__setattr__ (callgrind: 33K instructions a Serving
    # against 17K; a card page serves its example in three formats on each recompute,
    # its JSON every model).
    serving = object.__new__(Serving)
    object.__setattr__(serving, "__dict__", values)  # a frozen dataclass refuses its setattr
    return serving


def _step_seconds(card, a, w_all, active_params, params, tp, seqs, kv_per_token, context):
    """One decode step of `seqs` sequences, each at half the context on average: the weights once
    (the routed share for MoE), every sequence's KV cache, the per-layer cost and all-reduces;
    and no faster than the tensor cores allow (2 × active parameters per token)."""
    bw = card.bandwidth_gb_s * 1e9
    read = w_all * active_params / params
    memory = (
        a.layers * speed.LAYER_COST_S[1]
        + read / tp / (bw * speed.weight_efficiency(card)[1])
        + seqs * kv_per_token * context / 2 / (bw * speed.KV_EFFICIENCY[1])
        + (2 * a.layers * speed.ALLREDUCE_S[1] if tp > 1 else 0.0)
    )
    if not card.fp16_tensor_tflops:
        return memory
    compute = seqs * 2 * active_params / (tp * card.fp16_tensor_tflops * 1e12 * 0.5)
    return max(memory, compute)
