"""The KV cache of the two newer attention types, and the new models' GGUF files, against the
runtimes' own rules, the paper's formula, a published measurement and published file sizes.

Rules read in llama.cpp commit 0c1e57098 (vendored in llama-cpp-python 0.3.36):
- conversion/deepseek.py, DeepseekV2Model.set_gguf_parameters: "deepseek2 using MLA converts
  into MQA": head_count_kv = 1, key_length = kv_lora_rank + qk_rope_head_dim, value_length =
  kv_lora_rank (and key_length_mla / value_length_mla for the decompressed heads);
- src/llama-hparams.cpp: n_embd_k_gqa = n_embd_head_k × n_head_kv; is_mla() when the *_mla
  lengths are set;
- src/llama-kv-cache.cpp: has_v = !is_mla, so an MLA layer holds a K tensor of n_embd_k_gqa ×
  kv_size and no V (PR 19067, "kv-cache : support V-less cache", January 2026; before it
  llama.cpp also stored the 512-value latent as V);
- src/models/llama4.cpp: swa_type = LLAMA_SWA_TYPE_CHUNKED, n_swa = 8192, load_swa_pattern(ml, 4)
  ("3 chunked - 1 full"); src/llama-kv-cache-iswa.cpp sizes the chunked layers' cache as
  GGML_PAD(min(n_ctx, n_swa × n_seq + n_ubatch), 256), the sliding-window rule.
vLLM: vllm/v1/kv_cache_interface.py, MLAAttentionSpec: one KV head of head_size =
kv_lora_rank + qk_rope_head_dim per token and layer, no separate V.
"""

import pytest

from calculators.catalog.models import BY_ID, Architecture
from gpu_fit import engine, gguf
from gpu_fit.cards import BY_SLUG

MIB = 2**20
F16 = 2
Q8_0_BLOCK = (32, 34)  # ggml-common.h: 32 int8 values and one f16 scale


def pad256(n):
    return -(-n // 256) * 256


# --- Multi-head latent attention (DeepSeek-V2-Lite) -------------------------------------------


def test_mla_caches_the_latent_and_the_rope_key_as_llama_cpp_does():
    a = BY_ID["deepseek-v2-lite"].arch
    # What conversion/deepseek.py writes for DeepSeek-V2-Lite's config.json:
    kv_lora_rank, qk_rope_head_dim, n_layer = 512, 64, 27
    n_head_kv = 1
    key_length = kv_lora_rank + qk_rope_head_dim  # 576
    n_embd_k_gqa = key_length * n_head_kv
    for context in (1, 4096, 32768):
        kv_size = pad256(context)  # llama-context.cpp: n_ctx padded to 256
        k_bytes = n_layer * n_embd_k_gqa * kv_size * F16
        v_bytes = 0  # has_v = !is_mla
        assert engine.kv_cache_bytes(a, context, 1, "f16") == k_bytes + v_bytes
    # 32,768 tokens: 972 MiB.
    assert engine.kv_cache_bytes(a, 32768, 1, "f16") == 972 * MIB


def test_mla_cache_is_the_papers_d_c_plus_d_r_per_layer():
    # DeepSeek-V2 paper, Table 1: MLA caches (d_c + d_h^R) · l elements per token, against
    # 2 · n_h · d_h · l for multi-head attention; with d_c = 4 d_h and d_h^R = d_h / 2 that is
    # 4.5 d_h · l. V2-Lite: d_h = 128, l = 27, n_h = 16.
    a = BY_ID["deepseek-v2-lite"].arch
    d_h, layers, n_h = 128, 27, 16
    per_token = engine.kv_cache_bytes(a, 256, 1, "f16") // 256
    assert per_token == 4.5 * d_h * layers * F16 == 31_104
    # What a heads × head_dim formula would count: K heads of 192 (128 + 64 RoPE) and V heads
    # of 128 for all 16 heads, the cache llama.cpp falls back to for GGUFs without MLA data.
    per_head_formula = n_h * (192 + 128) * layers * F16
    assert per_head_formula / per_token == pytest.approx(8.89, abs=0.01)


def test_vllm_mla_page_holds_the_same_576_values():
    # MLAAttentionSpec.real_page_size_bytes = block_size × num_kv_heads × head_size × dtype
    # size, with num_kv_heads = 1 and head_size = kv_lora_rank + qk_rope_head_dim, per layer.
    a = BY_ID["deepseek-v2-lite"].arch
    block_size, num_kv_heads, head_size = 16, 1, 512 + 64
    page = block_size * num_kv_heads * head_size * F16
    assert engine.kv_cell_bytes(a, "f16") * block_size == page


def test_mla_cache_matches_a_measured_deepseek_r1_cache():
    # ik_llama.cpp pull request 259 (ubergarm's log): DeepSeek-R1, MLA cache of the latent only,
    # q8_0, n_ctx_slot = 32768: "KV self size = 1166.62 MiB, c^KV (q8_0): 1166.62 MiB,
    # kv^T: not used". DeepSeek-V3/R1's shape: 61 layers, kv_lora_rank 512, qk_rope_head_dim 64.
    r1 = Architecture(
        61, 7168, 128, 128, 192, 2048, 129280, False, 163840,
        kv_lora_rank=512, qk_rope_head_dim=64, v_head_dim=128,
    )  # fmt: skip
    assert round(engine.kv_cache_bytes(r1, 32768, 1, "q8_0") / MIB, 2) == 1166.62
    # The same, written out: 576 values in Q8_0 blocks of 32 per cell and layer.
    values, block_bytes = Q8_0_BLOCK
    assert round(61 * 32768 * 576 // values * block_bytes / MIB, 2) == 1166.62


def test_mla_quantized_cache_and_worked_example_rows():
    a = BY_ID["deepseek-v2-lite"].arch
    assert engine.kv_cell_bytes(a, "q8_0") == 576 // 32 * 34 == 612
    assert engine.kv_cell_bytes(a, "q4_0") == 576 // 32 * 18
    s = engine.Scenario(context=8192, quant="q4_k_m", kv_cache="f16", batch=1)
    subject = engine.Subject.from_model(BY_ID["deepseek-v2-lite"])
    x = engine.explain(BY_SLUG["rtx-3060-12gb"], subject, s)
    assert x.kv_row_bytes == 576 * F16 and x.fit.kv_cache_bytes == 27 * 8192 * 576 * F16


def test_grouped_query_models_keep_two_rows_of_kv_heads():
    # Unchanged for every other model: K and V, kv_heads × head_dim each (Llama 3.1 8B at
    # 8,192 tokens in F16 is exactly 1 GiB: 2 × 32 layers × 8 × 128 × 8,192 × 2 bytes).
    a = BY_ID["llama-3.1-8b"].arch
    assert engine.kv_cell_bytes(a, "f16") == 2 * 8 * 128 * F16
    assert engine.kv_cache_bytes(a, 8192, 1, "f16") == 2**30


# --- Chunked attention (Llama 4 Scout) ----------------------------------------------------------


@pytest.mark.parametrize(("context", "batch"), [(4096, 1), (131072, 1), (32768, 4)])
def test_llama_4_chunked_layers_get_llama_cpps_iswa_cache(context, batch):
    a = BY_ID["llama-4-scout"].arch
    n_layer, n_swa, n_ubatch = 48, 8192, 512
    chunked = [il % 4 < 4 - 1 for il in range(n_layer)]  # set_swa_pattern(4): 3 chunked, 1 full
    n_ctx = pad256(context * batch)
    size_swa = pad256(min(n_ctx, n_swa * batch + n_ubatch))
    row = 8 * 128 * F16  # n_embd_k_gqa = n_embd_v_gqa = 8 KV heads × 128
    expected = sum(2 * row * (size_swa if c else n_ctx) for c in chunked)
    assert engine.kv_cache_bytes(a, context, batch, "f16") == expected
    assert sum(chunked) == a.sliding_layers == 36


def test_llama_4_long_context_cache_is_a_quarter_of_the_full_one():
    a = BY_ID["llama-4-scout"].arch
    full = Architecture(48, 5120, 40, 8, 128, 8192, 202048, False, 10485760)
    chunked_bytes = engine.kv_cache_bytes(a, 131072, 1, "f16")
    ratio = chunked_bytes / engine.kv_cache_bytes(full, 131072, 1, "f16")
    # 12 full layers of 131,072 cells and 36 of 8,704, over 48 of 131,072.
    assert ratio == pytest.approx((12 * 131072 + 36 * 8704) / (48 * 131072))


# --- GGUF files of the new models -----------------------------------------------------------


def test_mistral_small_24b_gguf_sizes_match_published_files_to_the_byte():
    # bartowski/Mistral-Small-24B-Instruct-2501-GGUF, the file sizes Hugging Face lists, as
    # recorded in the llm_client crate's GGUF preset table (GgufPreset
    # MISTRAL_SMALL_24B_INSTRUCT_2501, total_bytes). A file is the header (metadata and the
    # 131,072-token tokenizer, identical in every quantization) plus the tensors, so the
    # difference must be one constant of a few MB.
    published = {
        "q2_k": 8_890_324_672,
        "q3_k_m": 11_474_081_472,
        "q4_k_m": 14_333_908_672,
        "q5_k_m": 16_763_983_552,
        "q6_k": 19_345_938_112,
        "q8_0": 25_054_779_072,
    }
    a = BY_ID["mistral-small-24b"].arch
    headers = {q: size - gguf.layout(a, q).file_bytes for q, size in published.items()}
    assert len(set(headers.values())) == 1
    assert 0 < headers["q4_k_m"] < 12 * 10**6  # 7,882,432 bytes


def test_deepseek_v2_lite_gguf_tensors_as_llama_cpp_loads_them():
    a = BY_ID["deepseek-v2-lite"].arch
    tensors = gguf.tensors(a)
    # llama.cpp pull request 7519, a DeepSeek-V2-Lite-Chat load log: "377 tensors", from a file
    # converted before MLA support (one attn_kv_b per layer). The current converter splits it
    # into attn_k_b and attn_v_b: one tensor more per layer.
    assert len(tensors) == 377 + 27
    kinds = {t.kind for t in tensors if t.layer == 5}
    assert {"attn_kv_a_mqa", "attn_k_b", "attn_v_b", "ffn_gate_shexp", "ffn_down_exps"} <= kinds
    assert {t.kind for t in tensors if t.layer == 0} >= {"ffn_gate", "ffn_up", "ffn_down"}
    # attn_k_b rows are qk_nope_head_dim = 128 values: K-quants fall back (Q4_K -> Q5_0), and
    # so do the experts' ffn_down rows of 1,408 and the dense layer's of 10,944.
    k_b = next(t for t in tensors if t.kind == "attn_k_b")
    assert gguf.tensor_type(a, k_b, "q4_k_m").name == "Q5_0"
    down = next(t for t in tensors if t.kind == "ffn_down_exps")
    assert down.row == 1408 and gguf.tensor_type(a, down, "q4_k_m").name in ("Q5_0", "Q8_0")
    # Q8_0 keeps every matrix at 34 bytes per 32 values: the tensors are 8.5 bits per weight.
    q8 = gguf.layout(a, "q8_0")
    matrices = sum(t.elements for t in tensors if t.quantizable)
    assert q8.file_bytes == matrices // 32 * 34 + 4 * (BY_ID["deepseek-v2-lite"].params - matrices)
