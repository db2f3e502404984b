"""Will LoRA or QLoRA fine-tuning of a model fit on one card? A simple estimate, pure Python.

total = frozen base weights + adapters (weights, gradients, Adam states) + activations + runtime

- LoRA (Hu et al. 2021, arXiv:2106.09685) freezes the model and trains, beside each adapted
  matrix W (d_out × d_in), two small ones of rank r: r·(d_in + d_out) parameters. We adapt every
  linear layer of attention and MLP (q, k, v, o, gate, up, down; every expert's for MoE models),
  as the QLoRA paper recommends and PEFT's target_modules="all-linear" does.
- LoRA keeps the frozen base in 16 bits (2 bytes a parameter). QLoRA (Dettmers et al. 2023,
  arXiv:2305.14314) stores the layers' matrices in 4-bit NormalFloat with double quantization:
  4 bits, plus an 8-bit scale per 64 weights, plus a 32-bit scale per 256 of those scales,
  4 + 8/64 + 32/(64·256) ≈ 4.127 bits. Embeddings, output layer and norms stay in 16 bits.
- Adapters train with Adam: 16 bytes a parameter (the memory kit's mixed-precision figure,
  2 + 2 + 12, the same total as fp32 adapters, 4 + 4 + 8).
- Activations are an ESTIMATE, for one sequence of `seq_len` tokens with gradient checkpointing
  (every fine-tuning recipe turns it on): each layer's 16-bit input is kept (Korthikanti et al.
  2022, Table 2, full recomputation: 2·s·h bytes a layer); during the backward one layer at a
  time is rebuilt, holding what Hugging Face's Llama code saves for it; at the loss, the logits
  over the vocabulary in fp32 with their gradient.
"""

from dataclasses import dataclass

from calculators.catalog.gpus import GPU
from calculators.catalog.memory import ceil_div, state_bytes_per_param
from calculators.catalog.models import Architecture, layer_matrix_params

from .engine import RUNTIME_BYTES, Subject

METHODS = ("lora", "qlora")
BASE_BYTES = 2  # bf16 / fp16
# NF4 with double quantization, per 64 x 256 = 16,384 weights: 8,192 bytes of 4-bit codes,
# 256 one-byte block scales and one 4-byte scale of those scales.
NF4_BLOCK_WEIGHTS, NF4_BLOCK_BYTES = 16_384, 8_192 + 256 + 4
NF4_BITS = NF4_BLOCK_BYTES * 8 / NF4_BLOCK_WEIGHTS  # 4.127, QLoRA section 3
ADAPTER_BYTES_PER_PARAM = state_bytes_per_param("mixed", "adam").total  # 16
MAX_SEQ_LEN = 131_072
MAX_RANK = 1024
# At the loss, per token and vocabulary entry: the fp32 log-probabilities kept for the
# backward (4), their gradient and the input's gradient in fp32 (8), and the 16-bit logits
# still held (2).
LOSS_BYTES_PER_LOGIT = 14


@dataclass(frozen=True)
class Activations:
    checkpoints_bytes: int  # every layer's input, kept through the forward pass
    layer_bytes: int  # one layer rebuilt during its backward
    loss_bytes: int  # logits over the vocabulary at the loss
    total_bytes: int


@dataclass(frozen=True)
class FineTuneFit:
    method: str  # "lora" or "qlora"
    base_weights_bytes: int
    adapter_params: int
    adapter_bytes: int  # adapter weights, gradients and Adam states
    activations: Activations
    overhead_bytes: int
    total_bytes: int
    fits: bool
    headroom_bytes: int


@dataclass(frozen=True)
class FineTuning:
    id: str
    lora: FineTuneFit
    qlora: FineTuneFit


def adapter_params(a: Architecture, rank: int) -> int:
    """r·(d_in + d_out) for each stored matrix: q, k, v, o and each expert's gate, up and down
    (Phi-3 stores one qkv_proj and one gate_up_proj, so it has fewer, wider matrices)."""
    h, q, kv, f = a.hidden, a.q_dim, a.kv_dim, a.ffn_hidden
    experts = a.experts if a.is_moe else 1
    if a.is_mla or a.shared_ffn_hidden or a.dense_layers:
        return rank * _adapter_dims_mla_moe(a)
    if a.fused_projections:
        per_layer = (h + q + 2 * kv) + (q + h) + (h + 2 * f) + (f + h)
    else:
        per_layer = (h + q) + 2 * (h + kv) + (q + h) + experts * 3 * (h + f)
    return rank * a.layers * per_layer


def _adapter_dims_mla_moe(a: Architecture) -> int:
    """Σ (d_in + d_out) over the layers' matrices for DeepSeek-V2 (latent attention: q_proj,
    kv_a_proj_with_mqa, kv_b_proj, o_proj) and MoE layers with shared experts or leading dense
    layers (Llama 4, DeepSeek). The router is not adapted, as above."""
    h = a.hidden
    if a.is_mla:
        r, rope = a.kv_lora_rank, a.qk_rope_head_dim
        heads_kv = a.heads * (a.qk_nope_head_dim + a.v_head_dim)
        attention = (h + a.q_dim) + (h + r + rope) + (r + heads_kv) + (a.heads * a.v_head_dim + h)
    else:
        attention = (h + a.q_dim) + 2 * (h + a.kv_dim) + (a.q_dim + h)
    moe = a.experts * 3 * (h + a.ffn_hidden)
    if a.shared_ffn_hidden:
        moe += 3 * (h + a.shared_ffn_hidden)
    dense = 3 * (h + a.dense_ffn_hidden)
    return a.layers * attention + a.moe_layers * moe + (a.layers - a.moe_layers) * dense


def base_weights_bytes(params: int, a: Architecture, method: str) -> int:
    if method == "lora":
        return params * BASE_BYTES
    matrices = quantized_params(params, a)
    nf4 = ceil_div(matrices * NF4_BLOCK_BYTES, NF4_BLOCK_WEIGHTS)
    return nf4 + (params - matrices) * BASE_BYTES


def mlp_width(a: Architecture) -> int:
    """The MLP width a token passes through: its routed experts' for an MoE model."""
    return a.ffn_hidden * (a.experts_per_token if a.is_moe else 1)


def quantized_params(params: int, a: Architecture) -> int:
    return min(layer_matrix_params(a), params)  # a user's own count may be below the shape's


def activations(a: Architecture, seq_len: int) -> Activations:
    """One rebuilt layer holds, per token, what Hugging Face's Llama code saves (16-bit
    activations, SDPA or flash attention): two RMSNorms with their fp32 copies 12h + 8, the
    Q/K/V input 2h, Q 2q, K and V 4kv, the fp32 log-sum-exp 4 per head, the o_proj input 2q,
    the MLP input 2h and the SwiGLU gate, SiLU, up and product 8f. The activation-memory
    calculator counts the same tensors, and PyTorch's measured bytes agree with it."""
    h, q, kv, f = a.hidden, a.q_dim, a.kv_dim, mlp_width(a)
    per_token_layer = 16 * h + 4 * q + 4 * kv + 4 * a.heads + 8 * f + 8
    checkpoints = a.layers * 2 * seq_len * h
    layer = seq_len * per_token_layer
    loss = LOSS_BYTES_PER_LOGIT * seq_len * a.vocab
    return Activations(checkpoints, layer, loss, checkpoints + layer + loss)


def fine_tune_fit(card: GPU, subject: Subject, method: str, seq_len: int, rank: int):
    a = subject.arch
    base = base_weights_bytes(subject.params, a, method)
    adapters = adapter_params(a, rank)
    adapter_bytes = adapters * ADAPTER_BYTES_PER_PARAM
    acts = activations(a, seq_len)
    total = base + adapter_bytes + acts.total_bytes + RUNTIME_BYTES
    return FineTuneFit(
        method=method,
        base_weights_bytes=base,
        adapter_params=adapters,
        adapter_bytes=adapter_bytes,
        activations=acts,
        overhead_bytes=RUNTIME_BYTES,
        total_bytes=total,
        fits=total <= card.vram_bytes,
        headroom_bytes=card.vram_bytes - total,
    )


def fine_tuning(card: GPU, subject: Subject, seq_len: int, rank: int) -> FineTuning | None:
    """LoRA and QLoRA for one model; None for a model known only by its parameter count."""
    if subject.arch is None:
        return None
    return FineTuning(
        subject.id,
        fine_tune_fit(card, subject, "lora", seq_len, rank),
        fine_tune_fit(card, subject, "qlora", seq_len, rank),
    )


@dataclass(frozen=True)
class Sizes:
    """A model's LoRA and QLoRA totals as linear functions of the rank and the sequence length:
    total = base + 16 bytes × rank × adapter dims + seq_len × activation bytes per token +
    runtime (fine_tune_fit, summed in another order: the same integers). Worked out once per
    model so that a card page's table of every model costs a few multiplications a row."""

    lora_base_bytes: int
    qlora_base_bytes: int
    adapter_dims: int  # adapter parameters per unit of rank
    activation_bytes_per_token: int


def sizes(subject: Subject) -> Sizes | None:
    a = subject.arch
    if a is None:
        return None
    per_token = activations(a, 1).total_bytes  # checkpoints, one layer and the loss: all × s
    return Sizes(
        base_weights_bytes(subject.params, a, "lora"),
        base_weights_bytes(subject.params, a, "qlora"),
        adapter_params(a, 1),
        per_token,
    )


def totals(z: Sizes, seq_len: int, rank: int) -> tuple[int, int]:
    """(LoRA total, QLoRA total) in bytes, as fine_tune_fit gives them."""
    rest = z.adapter_dims * rank * ADAPTER_BYTES_PER_PARAM
    rest += z.activation_bytes_per_token * seq_len + RUNTIME_BYTES
    return z.lora_base_bytes + rest, z.qlora_base_bytes + rest
