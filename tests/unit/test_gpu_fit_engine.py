"""Inference memory and decode speed against llama.cpp's block formats and measured sizes,
published per-token KV figures, NVIDIA's spec arithmetic and measured decode speeds."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.catalog.models import BY_ID, MODELS, Architecture
from calculators.kit.errors import InputError
from gpu_fit import engine
from gpu_fit.cards import BY_SLUG, CARDS
from gpu_fit.engine import (
    QUANT_BY_ID,
    QUANTS,
    Scenario,
    Subject,
    custom_subject,
    decode_speed,
    fit,
    kv_cache_bytes,
    max_context,
    total_bytes,
    weights_bytes,
)

GIB = 2**30
KIB = 2**10


def subject(model_id):
    return Subject.from_model(BY_ID[model_id])


# --- KV cache -----------------------------------------------------------------------------


def test_llama_3_1_8b_at_8k_in_f16_is_exactly_one_gib():
    # 2 · 32 layers · 8 KV heads · 128 · 8192 tokens · 1 sequence · 2 bytes = 2^30
    assert kv_cache_bytes(BY_ID["llama-3.1-8b"].arch, 8192, 1, "f16") == GIB


def test_grouped_query_attention_is_a_quarter_of_the_naive_multi_head_figure():
    a = BY_ID["llama-3.1-8b"].arch
    naive = 2 * a.layers * a.hidden * 8192 * 2  # using hidden size, the common mistake
    assert naive == 4 * kv_cache_bytes(a, 8192, 1, "f16")


# Full-attention F16 KV per token (KiB) from our research notes' table, computed there from
# each config by hand; at one token no sliding window has started to bite.
PER_TOKEN_KIB = {
    "llama-3.1-8b": 128, "llama-3.3-70b": 320, "llama-3.2-1b": 32, "llama-3.2-3b": 112,
    "mistral-7b-v0.3": 128, "mistral-nemo-12b": 160, "qwen2.5-7b": 56, "qwen2.5-14b": 192,
    "qwen2.5-32b": 256, "qwen2.5-72b": 320, "qwen3-4b": 144, "qwen3-8b": 144, "qwen3-14b": 160,
    "qwen3-32b": 256, "qwen3-30b-a3b": 96, "gemma-2-2b": 104, "gemma-2-9b": 336,
    "gemma-2-27b": 368, "gemma-3-1b": 26, "gemma-3-4b": 136, "gemma-3-12b": 384,
    "gemma-3-27b": 496, "phi-3-mini-4k": 384, "phi-4": 200, "mixtral-8x7b": 128,
    "gpt-oss-20b": 48, "gpt-oss-120b": 72,
}  # fmt: skip


@pytest.mark.parametrize("model_id, kib", PER_TOKEN_KIB.items())
def test_kv_per_token_matches_research_table(model_id, kib):
    assert kv_cache_bytes(BY_ID[model_id].arch, 1, 1, "f16") == kib * KIB


def test_gemma_2_sliding_layers_are_capped_at_their_window():
    a = BY_ID["gemma-2-9b"].arch  # 42 layers, 21 of them local with a 4096-token window
    per_layer_token = 2 * 8 * 256 * 2
    expected = per_layer_token * (21 * 8192 + 21 * 4096)
    assert kv_cache_bytes(a, 8192, 1, "f16") == expected
    assert expected < 42 * per_layer_token * 8192  # the uncapped figure


@pytest.mark.parametrize("model_id", ["gemma-2-9b", "gemma-3-27b", "gpt-oss-20b"])
def test_beyond_the_window_only_full_layers_grow(model_id):
    a = BY_ID[model_id].arch
    per_layer_token = 2 * a.kv_heads * a.head_dim * 2
    ctx = a.sliding_window + 100
    growth = kv_cache_bytes(a, ctx + 1, 1, "f16") - kv_cache_bytes(a, ctx, 1, "f16")
    assert growth == (a.layers - a.sliding_layers) * per_layer_token
    below = kv_cache_bytes(a, 11, 1, "f16") - kv_cache_bytes(a, 10, 1, "f16")
    assert below == a.layers * per_layer_token


def test_gemma_3_at_128k_needs_a_fraction_of_the_uncapped_cache():
    a = BY_ID["gemma-3-27b"].arch  # 62 layers: 10 global, 52 local with 1024 tokens
    capped = kv_cache_bytes(a, 131072, 1, "f16")
    assert capped == 2 * 16 * 128 * 2 * (10 * 131072 + 52 * 1024)
    assert capped < 0.2 * 62 * 2 * 16 * 128 * 2 * 131072


def test_quantized_kv_formats_follow_ggml_block_sizes():
    a = BY_ID["qwen2.5-7b"].arch
    f16 = kv_cache_bytes(a, 4096, 2, "f16")
    # Q8_0: 32 int8 values + one f16 scale = 34 bytes; Q4_0: 16 bytes of nibbles + scale = 18.
    assert kv_cache_bytes(a, 4096, 2, "q8_0") * 64 == f16 * 34
    assert kv_cache_bytes(a, 4096, 2, "q4_0") * 64 == f16 * 18


def test_batch_multiplies_the_cache():
    a = BY_ID["mistral-7b-v0.3"].arch
    assert kv_cache_bytes(a, 2048, 4, "f16") == 4 * kv_cache_bytes(a, 2048, 1, "f16")


# --- Weights ------------------------------------------------------------------------------


def test_bits_per_weight_come_from_llama_cpp_sizes_at_llama_3_8b():
    assert QUANT_BY_ID["f16"].bits_per_weight == 16
    # Q8_0 has no mixing: every tensor is 34 bytes per 32 weights = 8.5 bits. The table's
    # 7.96 GiB (rounded to 0.01) reproduces that to 0.2 %.
    assert QUANT_BY_ID["q8_0"].bits_per_weight == pytest.approx(8.5, rel=0.002)
    # Mixes weigh at least their base block format (ggml: Q4_K 144 B, Q4_0 18 B per 32, ...).
    nominal = {"q6_k": 6.5625, "q5_k_m": 5.5, "q4_k_m": 4.5, "q4_0": 4.5, "q3_k_m": 3.4375}
    for quant, bits in {**nominal, "q2_k": 2.625}.items():
        assert QUANT_BY_ID[quant].bits_per_weight > bits
    sizes = [q.bits_per_weight for q in QUANTS]
    assert sizes == sorted(sizes, reverse=True)  # best quality first


def test_weights_match_sizes_llama_cpp_and_ollama_reported():
    # llama.cpp log, Meta-Llama-3-8B-Instruct Q8_0: "model size = 7.95 GiB (8.50 BPW)"
    # (argilla-io/distilabel issue #593).
    assert weights_bytes(BY_ID["llama-3.1-8b"].params, "q8_0") / GIB == pytest.approx(
        7.95, rel=0.003
    )
    # llama.cpp log, Phi-3-mini Q4_K_M: "model size = 2.16 GiB (4.85 BPW)" (PR #5021).
    assert weights_bytes(BY_ID["phi-3-mini-4k"].params, "q4_k_m") / GIB == pytest.approx(
        2.16, rel=0.02
    )
    # Ollama log, Llama 3.1 70B Q4_0: 37.22 GiB (ollama PR #6279). Larger models keep a
    # smaller share of tensors at high precision, so our 8B-derived rate is a little high.
    w70 = weights_bytes(BY_ID["llama-3.3-70b"].params, "q4_0") / GIB
    assert 37.22 < w70 < 37.22 * 1.03


# --- Overhead, totals, fit ------------------------------------------------------------------


def test_overhead_is_runtime_plus_the_larger_of_floor_and_logits_buffer():
    llama = BY_ID["llama-3.1-8b"].arch  # 512 x 128256 x 4 B = 250.5 MiB < 256 MiB floor
    assert engine.overhead_bytes(llama) == 512 * 2**20 + 256 * 2**20
    gemma = BY_ID["gemma-3-12b"].arch  # 512 x 262208 x 4 B = 512.1 MiB
    assert engine.overhead_bytes(gemma) == 512 * 2**20 + 512 * 262208 * 4


def test_total_is_the_sum_and_fit_compares_with_vram():
    card = BY_SLUG["rtx-4090-24gb"]
    r = fit(card, subject("llama-3.1-8b"), Scenario(8192, "q4_k_m", "f16", 1))
    assert r.total_bytes == r.weights_bytes + r.kv_cache_bytes + r.overhead_bytes
    assert r.kv_cache_bytes == GIB and r.fits
    assert r.headroom_bytes == 24 * GIB - r.total_bytes
    big = fit(card, subject("llama-3.3-70b"), Scenario(8192, "q4_k_m", "f16", 1))
    assert not big.fits and big.headroom_bytes < 0 and big.decode_tokens_per_s == 0


def test_moe_memory_counts_every_expert_and_speed_only_the_active_ones():
    card = BY_SLUG["rtx-a6000-48gb"]
    s = Scenario(4096, "q4_k_m", "f16", 1)
    m = BY_ID["mixtral-8x7b"]
    r = fit(card, Subject.from_model(m), s)
    assert r.weights_bytes == weights_bytes(m.params, "q4_k_m")  # 46.7B
    read = weights_bytes(m.active_params, "q4_k_m") + r.kv_cache_bytes  # 12.9B
    assert r.decode_tokens_per_s == pytest.approx(0.6 * 768e9 / read)


def test_known_fits_on_the_cards():
    s = Scenario(8192, "q4_k_m", "f16", 1)
    # OpenAI: gpt-oss-20b runs within 16 GB; 120b needs an 80 GB GPU.
    assert fit(BY_SLUG["rtx-4060-ti-16gb"], subject("gpt-oss-20b"), s).fits
    assert not fit(BY_SLUG["rtx-a6000-48gb"], subject("gpt-oss-120b"), s).fits
    # 70B at 4-bit on one 48 GB card, the usual single-card choice for it.
    assert fit(BY_SLUG["rtx-a6000-48gb"], subject("llama-3.3-70b"), s).fits
    assert not fit(BY_SLUG["rtx-5090-32gb"], subject("llama-3.3-70b"), s).fits


# --- Longest context and best quantization ------------------------------------------------

cards = st.sampled_from(CARDS)
models = st.sampled_from(MODELS)
quants = st.sampled_from([q.id for q in QUANTS])
kvs = st.sampled_from(["f16", "q8_0", "q4_0"])


@settings(max_examples=150, deadline=None)
@given(cards, models, quants, kvs, st.integers(1, 8))
def test_max_context_is_the_exact_edge(card, model, quant, kv, batch):
    sub = Subject.from_model(model)
    ctx = max_context(card, sub, quant, kv, batch)
    assert 0 <= ctx <= model.arch.max_context
    if ctx:
        assert total_bytes(sub, ctx, quant, kv, batch) <= card.vram_bytes
    if ctx < model.arch.max_context:
        assert total_bytes(sub, ctx + 1, quant, kv, batch) > card.vram_bytes


@settings(max_examples=150, deadline=None)
@given(cards, models, st.integers(1, 131072), kvs)
def test_best_quant_is_the_first_that_fits(card, model, context, kv):
    sub = Subject.from_model(model)
    best = engine.best_quant(card, sub, Scenario(context, "q4_k_m", kv, 1))
    order = [q.id for q in QUANTS]
    better = order if best is None else order[: order.index(best)]
    for q in better:
        assert total_bytes(sub, context, q, kv, 1) > card.vram_bytes
    if best:
        assert total_bytes(sub, context, best, kv, 1) <= card.vram_bytes


@settings(max_examples=100, deadline=None)
@given(models, st.integers(1, 500_000), st.integers(1, 1000), kvs)
def test_memory_never_shrinks_with_more_context(model, context, more, kv):
    sub = Subject.from_model(model)
    assert total_bytes(sub, context, "q4_k_m", kv, 1) <= total_bytes(
        sub, context + more, "q4_k_m", kv, 1
    )


# --- Decode speed against measurements ----------------------------------------------------


def test_measured_decode_speeds_sit_in_the_efficiency_range():
    rtx3090, rtx5090 = BY_SLUG["rtx-3090-24gb"], BY_SLUG["rtx-5090-32gb"]
    # llama.cpp PR #4766, RTX 3090, LLaMA 7B tg128: F16 (12.55 GiB) 48.5 t/s, Q4_0 (3.56 GiB)
    # 121.8 t/s. These two measurements are the top and the bottom of our range.
    assert decode_speed(rtx3090, 12.55 * GIB, 0).high == pytest.approx(48.5, rel=0.01)
    assert decode_speed(rtx3090, 3.56 * GIB, 0).low == pytest.approx(121.8, rel=0.01)
    # CambrianTech/continuum PR #1627: RTX 5090, Qwen3 8B Q4_K_M, 221.7 t/s, with our weights.
    weights = weights_bytes(BY_ID["qwen3-8b"].params, "q4_k_m")
    speed = decode_speed(rtx5090, weights, 0)
    assert speed.low < 221.7 < speed.high


def test_decode_reads_the_kv_cache_too():
    card = BY_SLUG["rtx-4090-24gb"]
    sub = subject("llama-3.1-8b")
    short = fit(card, sub, Scenario(1024, "q4_k_m", "f16", 1)).decode_tokens_per_s
    long = fit(card, sub, Scenario(65536, "q4_k_m", "f16", 1)).decode_tokens_per_s
    assert long < short


# --- Cards --------------------------------------------------------------------------------


@pytest.mark.parametrize("card", CARDS, ids=[c.slug for c in CARDS])
def test_bandwidth_is_bus_width_times_data_rate(card):
    assert card.bandwidth_gb_s == card.bus_bits / 8 * card.data_rate_gbps


def test_tensor_throughput_matches_nvidia_figures():
    published = {  # dense FP16 with FP16 accumulate, from the whitepapers / NVIDIA's spec
        "rtx-3090-24gb": 142.0,  # GA102 whitepaper Appendix A (284 sparse)
        "rtx-4090-24gb": 330.3,  # Ada whitepaper Appendix A (660.6 sparse)
        "rtx-a6000-48gb": 154.8,  # GA102 whitepaper Appendix C (309.7 sparse)
        "rtx-5090-32gb": 838 / 2,  # NVIDIA: 838 TFLOPS with sparsity
    }
    for slug, tflops in published.items():
        card = BY_SLUG[slug]
        assert card.derived_fp16_tflops == pytest.approx(tflops, rel=0.003)
        assert card.fp16_tensor_tflops == pytest.approx(tflops, rel=0.003)
    # GeForce Ampere/Ada halve the rate with FP32 accumulation; the pro A6000 does not.
    assert BY_SLUG["rtx-3090-24gb"].fp16_fp32acc_tflops == 71.0
    assert BY_SLUG["rtx-4090-24gb"].fp16_fp32acc_tflops == 165.2
    assert BY_SLUG["rtx-a6000-48gb"].fp16_fp32acc_tflops == 154.8


def test_vram_is_in_binary_gibibytes():
    assert BY_SLUG["rtx-4090-24gb"].vram_bytes == 24 * 2**30


# --- Custom model and input checks --------------------------------------------------------


def llama_fields(**over):
    fields = dict(layers=32, hidden=4096, heads=32, kv_heads=8, ffn_hidden=14336, vocab=128256)
    return {**fields, **over}


def test_custom_architecture_is_counted_like_transformers_counts_llama():
    # Llama 3.1 8B's fields give the 8,030,261,248 parameters Transformers builds.
    custom = custom_subject(llama_fields())
    assert custom.params == 8_030_261_248 and custom.arch.head_dim == 128
    assert kv_cache_bytes(custom.arch, 8192, 1, "f16") == GIB


def test_custom_parameter_count_alone_has_no_kv_cache():
    custom = custom_subject({"params_b": 7.0})
    assert custom.params == 7_000_000_000 and custom.arch is None
    r = fit(BY_SLUG["rtx-3060-12gb"], custom, Scenario(8192, "q4_k_m", "f16", 1))
    assert r.kv_cache_bytes == 0 and not r.kv_cache_counted and r.max_context == 0


def test_custom_parameter_count_overrides_the_computed_one():
    custom = custom_subject({**llama_fields(), "params_b": 8.5})
    assert custom.params == 8_500_000_000 and custom.arch.layers == 32


def test_no_custom_fields_means_no_custom_row():
    assert custom_subject({}) is None


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"layers": 32}, "hidden"),
        (llama_fields(kv_heads=48), "kv_heads"),
        (llama_fields(kv_heads=5), "kv_heads"),
        (llama_fields(hidden=4000, heads=48, kv_heads=8), "head_dim"),
    ],
)
def test_custom_shape_errors_name_the_field(fields, field):
    with pytest.raises(InputError) as error:
        custom_subject(fields)
    assert error.value.field == field


def test_scenario_rejects_unknown_formats():
    with pytest.raises(InputError):
        Scenario(8192, "q9_9", "f16", 1)
    with pytest.raises(InputError):
        Scenario(8192, "q4_k_m", "q2_k", 1)


def test_explicit_head_dim_custom():
    custom = custom_subject(llama_fields(hidden=5120, heads=32, head_dim=128))
    assert isinstance(custom.arch, Architecture) and custom.arch.head_dim == 128
