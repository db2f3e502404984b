"""Model FLOPs per token against PaLM's own figures and Megatron-LM's released FLOP count.

PaLM (Chowdhery et al. 2022, arXiv 2204.02311), Appendix B: model FLOPs per token
    6N + 12·L·H·Q·T
for N parameters, L layers, H heads, Q head dim, T sequence length. The formula is written out
in each test, never taken from the code under test.
"""

import pytest

from calculators.catalog import models as catalog
from calculators.catalog.budget import (
    ModelSize,
    catalog_model_size,
    flops_per_token,
    throughput,
)

# PaLM 540B as the paper states it: Table 1 (118 layers, 48 heads, d_model 18,432, 540.35B
# parameters; attention head size 256 for every size), training sequence length 2,048, and the
# training-efficiency section: 238.3K tokens/s on 6,144 TPU v4 chips (275 TFLOP/s bf16 peak
# each) is 46.2 % MFU.
PALM_N = 540.35e9
PALM_L, PALM_H, PALM_Q, PALM_T = 118, 48, 256, 2048
PALM_D_MODEL, PALM_VOCAB = 18_432, 256_000  # "256k" SentencePiece vocabulary, tied embeddings
PALM_TOKENS_PER_S, PALM_CHIPS, TPU_V4_PEAK = 238.3e3, 6144, 275e12


def palm_mfu(flops_per_token: float) -> float:
    return PALM_TOKENS_PER_S * flops_per_token / (PALM_CHIPS * TPU_V4_PEAK)


def test_palm_540b_mfu_of_46_2_percent_needs_the_attention_term():
    palm = 6 * PALM_N + 12 * PALM_L * PALM_H * PALM_Q * PALM_T
    assert round(palm_mfu(palm), 3) == 0.462
    assert round(palm_mfu(6 * PALM_N), 3) == 0.457  # 6N alone does not give PaLM's figure
    # ...nor does a non-embedding N: PaLM counts its tied embedding matrix (the output layer).
    assert round(palm_mfu(palm - 6 * PALM_VOCAB * PALM_D_MODEL), 3) == 0.458

    size = ModelSize(PALM_N, layers=PALM_L, attention_width=PALM_H * PALM_Q)
    f = flops_per_token(size, PALM_T)
    assert f.total == pytest.approx(palm, rel=1e-12)
    assert f.weights == 6 * PALM_N and f.attention == 12 * PALM_L * PALM_H * PALM_Q * PALM_T
    # The same MFU through the calculator's measured-throughput path.
    rate = throughput(
        4_194_304,
        1,
        PALM_CHIPS,
        measured_tokens_per_gpu_s=PALM_TOKENS_PER_S / PALM_CHIPS,
        flops=f,
        peak_tflops=TPU_V4_PEAK / 1e12,
    )
    assert round(rate.mfu, 3) == 0.462


def test_palm_540b_step_time_from_its_mfu():
    # Inverting the paper: at 46.2 % MFU the cluster trains ~238.3K tokens/s, so a batch of
    # 2,048 sequences of 2,048 tokens takes 4,194,304 / 238.3K = 17.6 s.
    f = flops_per_token(ModelSize(PALM_N, PALM_L, PALM_H * PALM_Q), PALM_T)
    rate = throughput(2048 * 2048, 1, PALM_CHIPS, flops=f, peak_tflops=275, mfu=0.462)
    assert rate.cluster_tokens_per_s == pytest.approx(PALM_TOKENS_PER_S, rel=1e-3)
    assert rate.seconds_per_step == pytest.approx(2048 * 2048 / PALM_TOKENS_PER_S, rel=1e-3)


def megatron_flops_per_token(arch: catalog.Architecture, seq_len: int) -> tuple[float, float]:
    """Megatron-LM core_v0.19.0, megatron/training/training.py, num_floating_point_operations
    (transformer_flops, MHA/GQA branch, SwiGLU, no MTP), for one sequence of seq_len tokens,
    divided by its tokens. Returns (token-linear FLOPs, core-attention FLOPs) per token.

        forward_backward_expansion_factor = 3; fma_expansion_factor = 2; ffn_expansion_factor = 3
        standard_self_attn_term = 3 * 2 * (hidden * (q + k + v) + q * hidden)
        standard_self_attn_core_term = 3 * 2 * q / 2 * 2   # "causal mask (only half ...)"
        total = tokens * (3 * 2 * hidden * (ffn * 3 * dense + moe_ffn * topk * 3 * moe)
                          + self_attn_term * layers + 3 * 2 * hidden * padded_vocab)
              + seqlen_squared_sum * core_term * layers
    """
    q = arch.heads * arch.head_dim  # kv_channels * num_attention_heads
    kv = arch.kv_heads * arch.head_dim  # kv_channels * num_query_groups
    routed = arch.experts_per_token if arch.is_moe else 1
    mlp = 3 * 2 * arch.hidden * (arch.ffn_hidden * routed * 3) * arch.layers
    attn = 3 * 2 * (arch.hidden * (q + kv + kv) + q * arch.hidden) * arch.layers
    logits = 3 * 2 * arch.hidden * arch.vocab  # vocab sizes here are multiples of 128
    core = 3 * 2 * q / 2 * 2 * arch.layers * seq_len  # seqlen_squared_sum / tokens = T
    return mlp + attn + logits, core


@pytest.mark.parametrize(
    "model_id",
    [
        "llama-3.2-1b",  # tied embeddings: the shared matrix is Megatron's logit layer
        "llama-3.1-8b",
        "mistral-nemo-12b",  # head_dim 128 with hidden 5120: q width 4096
        "qwen2.5-7b",
        "qwen3-32b",  # q width 8192 on a 5120-wide model
        "phi-4",
        "mixtral-8x7b",  # 2 of 8 experts per token
    ],
)
@pytest.mark.parametrize("seq_len", [2048, 8192])
def test_weights_term_matches_megatron_and_attention_is_twice_its_causal_half(model_id, seq_len):
    linear, core = megatron_flops_per_token(catalog.BY_ID[model_id].arch, seq_len)
    f = flops_per_token(catalog_model_size(model_id), seq_len)
    # Megatron counts the matmul weights (output layer, not the input embedding) 6 times; our
    # N also holds norm weights, biases and the MoE router (Mixtral: 1.3M of 12.7B, 1e-4).
    assert f.weights == pytest.approx(linear, rel=1.5e-4)
    # PaLM counts the full T x T score matrix, Megatron (since core_v0.12.0) its causal half.
    assert f.attention == 2 * core


def test_n_is_every_weight_but_the_input_embedding():
    # Transformers' own count of Llama 3.1 8B (validation/gpu_fit/transformers_counts.json):
    # 8,030,261,248, of which the untied input embedding is 128,256 x 4,096.
    size = catalog_model_size("llama-3.1-8b")
    assert size.params == 8_030_261_248 - 128_256 * 4096
    # Llama 3.2 1B ties its embeddings: all 1,235,814,400 count (once, as the output layer).
    assert catalog_model_size("llama-3.2-1b").params == 1_235_814_400


def test_issue_figures_for_a_7b_model_16_and_32_percent():
    # Llama 2 7B (Touvron et al. 2023): 32 layers of 32 heads x 128, 6,738,415,616 parameters
    # with an untied 32,000 x 4,096 input embedding. The issue's +16 % and +32 % take N as the
    # whole 6.74B (15.9 %, 31.9 %); without the input embedding it is 16.2 % and 32.5 %.
    n = 6_738_415_616 - 32_000 * 4096
    for seq_len, share in ((4096, 0.16), (8192, 0.32)):
        f = flops_per_token(ModelSize(n, layers=32, attention_width=32 * 128), seq_len)
        assert f.attention / f.weights == pytest.approx(share, abs=0.006)
        whole = 12 * 32 * 32 * 128 * seq_len / (6 * 6_738_415_616)
        assert whole == pytest.approx(share, abs=0.002)
        assert f.attention / f.weights == (12 * 32 * 4096 * seq_len) / (6 * n)


def test_page_figures_for_llama_3_1_8b_14_and_29_percent():
    # The formula text quotes these; N from Transformers' count (see above).
    n = 8_030_261_248 - 128_256 * 4096
    assert round(100 * 12 * 32 * 4096 * 4096 / (6 * n)) == 14
    assert round(100 * 12 * 32 * 4096 * 8192 / (6 * n)) == 29
    f = flops_per_token(catalog_model_size("llama-3.1-8b"), 8192)
    assert round(100 * f.attention / f.weights) == 29


def test_size_alone_counts_6n_and_says_attention_is_left_out():
    f = flops_per_token(ModelSize(8e9), 4096)
    assert f.total == f.weights == 48e9 and f.attention is None and not f.includes_attention
    rate = throughput(4_194_304, 32, 64, params=8e9, peak_tflops=989, mfu=0.40)
    assert rate.flops_per_token == 48e9 and not rate.flops.includes_attention


def test_sliding_window_layers_attend_to_the_window_only():
    # Gemma 2 9B (config.json): 42 layers, 16 heads x 256, every other layer a 4,096 window.
    size = catalog_model_size("gemma-2-9b")
    assert (size.layers, size.attention_width, size.sliding_layers) == (42, 16 * 256, 21)
    short = flops_per_token(size, 4096)  # within the window: PaLM's term unchanged
    assert short.attention == 12 * 42 * 16 * 256 * 4096
    long = flops_per_token(size, 8192)
    assert long.attention == 12 * 16 * 256 * (21 * 8192 + 21 * 4096)


def test_grouped_query_attention_uses_the_query_width():
    # Qwen3 32B: 64 query heads x 128 = 8,192 on hidden 5,120, 8 KV heads.
    size = catalog_model_size("qwen3-32b")
    assert size.attention_width == 64 * 128
    assert flops_per_token(size, 4096).attention == 12 * 64 * 64 * 128 * 4096
