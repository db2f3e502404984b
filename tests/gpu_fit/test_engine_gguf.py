"""GGUF weights tensor by tensor, against llama.cpp's own rules and what it measurably writes.

The rules: llama.cpp commit 0c1e57098 (vendored in llama-cpp-python 0.3.36 on PyPI):
src/llama-quant.cpp (llama_tensor_get_type, tensor_type_fallback), ggml/src/ggml-common.h (block
sizes), src/llama-model.cpp (the input layer on the CPU). The checks: llama.cpp's load logs (tensor
counts per type, the file's tensor size, each device's model buffer) and the file sizes
Hugging Face lists for published GGUFs.

Tolerance for published file sizes. A GGUF is a header followed by the tensors; the header holds
the metadata and the tokenizer (every token string, its type or score, and for BPE tokenizers
every merge). We count tensors only, so a published file is larger by its header: 7.84 MB for
bartowski's Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf (128,256 tokens, 280,147 merges), whose exact
size is known. We allow up to HEADER_MAX = 12 MB, and the half unit of the last digit where
Hugging Face shows three significant figures ("4.68 GB" is 4.675 to 4.685 GB).
"""

from collections import Counter

import pytest

from calculators.catalog.models import BY_ID, MODELS
from gpu_fit import gguf

MIB = 2**20
GIB = 2**30
HEADER_MAX = 12 * 10**6


def type_counts(model_id, quant):
    a = BY_ID[model_id].arch
    return Counter(gguf.tensor_type(a, t, quant).name for t in gguf.tensors(a))


def layout(model_id, quant):
    return gguf.layout(BY_ID[model_id].arch, quant)


# --- ggml's block formats -------------------------------------------------------------------


def test_block_sizes_are_ggml_common_h():
    # gguf-py 0.19.0, GGML_QUANT_SIZES (QK_K = 256), the Python copy of ggml-common.h's
    # static_assert(sizeof(block_...)) lines: (values per block, bytes per block).
    qk_k = 256
    expected = {
        "F32": (1, 4),
        "F16": (1, 2),
        "Q4_0": (32, 2 + 16),
        "Q4_1": (32, 2 + 2 + 16),
        "Q5_0": (32, 2 + 4 + 16),
        "Q5_1": (32, 2 + 2 + 4 + 16),
        "Q8_0": (32, 2 + 32),
        "Q2_K": (256, 2 + 2 + qk_k // 16 + qk_k // 4),
        "Q3_K": (256, 2 + qk_k // 4 + qk_k // 8 + 12),
        "Q4_K": (256, 2 + 2 + qk_k // 2 + 12),
        "Q5_K": (256, 2 + 2 + qk_k // 2 + qk_k // 8 + 12),
        "Q6_K": (256, 2 + qk_k // 2 + qk_k // 4 + qk_k // 16),
    }
    assert {t.name: (t.block_elements, t.block_bytes) for t in gguf.TYPES} == expected


def test_tensors_hold_exactly_the_catalog_parameters():
    for m in MODELS:
        assert sum(t.elements for t in gguf.tensors(m.arch)) == m.params, m.id


# --- llama.cpp's per-tensor choices, against its load logs -----------------------------------


def test_llama_3_1_8b_q4_k_m_matches_llama_cpps_load_log():
    # llama.cpp loading Meta-Llama-3.1-8B-Instruct Q4_K_M with all 33 layers offloaded (the
    # log issue 12 quotes; the same lines appear in public Ollama logs of this file):
    #   llama_model_loader: - type  f32:   66 tensors      (65 norms + rope_freqs, see below)
    #   llama_model_loader: - type q4_K:  193 tensors
    #   llama_model_loader: - type q6_K:   33 tensors
    #   llm_load_print_meta: model size       = 4.58 GiB (4.89 BPW)
    #   llm_load_tensors:          CPU model buffer size =   281.81 MiB
    #   llm_load_tensors:        CUDA0 model buffer size =  4403.49 MiB
    # rope_freqs is Llama 3.1's 64-value rope-scaling vector (256 bytes), not a parameter.
    assert type_counts("llama-3.1-8b", "q4_k_m") == {"F32": 66 - 1, "Q4_K": 193, "Q6_K": 33}
    lay = layout("llama-3.1-8b", "q4_k_m")
    assert round(lay.file_bytes / GIB, 2) == 4.58
    assert round(lay.file_bytes * 8 / BY_ID["llama-3.1-8b"].params, 2) == 4.89
    assert round(lay.cpu_bytes / MIB, 2) == 281.81  # token_embd: 128,256 × 4,096 at Q4_K
    assert round((lay.gpu_bytes + 256) / MIB, 2) == 4403.49  # + the rope_freqs vector
    assert lay.embedding_type == "Q4_K" and lay.tied_copy_bytes == 0


def test_gemma_3_1b_q4_k_m_falls_back_as_llama_cpps_log_shows():
    # llama-cli b5050 loading gemma-3-1b-it-Q4_K_M.gguf on a Jetson Nano with -ngl 99
    # (tqm-dev/meta-jetson-llama-cpp, README):
    #   type  f32: 157, q5_0: 117, q8_0: 14, q4_K: 39, q6_K: 13
    #   print_info: file size   = 762.49 MiB (6.40 BPW)
    #   load_tensors:        CUDA0 model buffer size =   762.54 MiB
    #   load_tensors:   CPU_Mapped model buffer size =   306.00 MiB
    # hidden 1152 is not a multiple of 256: attn_q/k/v, ffn_gate/up fall back to Q5_0 (and
    # attn_v's Q6_K to Q8_0); the tied token_embd goes to Q8_0 (its rows, too, are 1152).
    expected = {"F32": 157, "Q5_0": 117, "Q8_0": 14, "Q4_K": 39, "Q6_K": 13}
    assert type_counts("gemma-3-1b", "q4_k_m") == expected
    lay = layout("gemma-3-1b", "q4_k_m")
    assert round(lay.file_bytes / MIB, 2) == 762.49
    assert round(lay.cpu_bytes / MIB, 2) == 306.00
    # Tied: the GPU holds token_embd again as the output; CUDA0 adds 0.05 MiB of alignment.
    assert lay.gpu_bytes == lay.file_bytes and 0 < 762.54 - lay.gpu_bytes / MIB < 0.1
    assert lay.fallback_tensors == 117 + 13  # tensor_type_fallback's count: 130 of 340


def test_gemma_3_1b_q8_0_matches_llama_servers_log():
    # llama-server b4879 loading bartowski's google_gemma-3-1b-it-Q8_0.gguf on Vulkan, -ngl 99:
    #   type  f32: 157, q8_0: 183; file size = 1013.54 MiB (8.50 BPW)
    #   Vulkan0 model buffer size =  1013.54 MiB; CPU_Mapped model buffer size =   306.00 MiB
    assert type_counts("gemma-3-1b", "q8_0") == {"F32": 157, "Q8_0": 183}
    lay = layout("gemma-3-1b", "q8_0")
    assert round(lay.file_bytes / MIB, 2) == round(lay.gpu_bytes / MIB, 2) == 1013.54
    assert round(lay.cpu_bytes / MIB, 2) == 306.00


def use_more_bits(i, n):
    # llama-quant.cpp's lambda:
    #   i_layer < n_layers/8 || i_layer >= 7*n_layers/8 || (i_layer - n_layers/8)%3 == 2
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


def test_qwen2_5_72b_ffn_down_falls_back():
    # intermediate 29,568 = 115.5 × 256: ffn_down's rows cannot hold K-quant blocks.
    # Q4_K_M: ffn_down is Q6_K in the use_more_bits layers -> Q8_0, else Q4_K -> Q5_0.
    # attn_v: Q6_K in those layers, else Q4_K raised to Q5_K (LLM_TYPE_70B: 80-layer Qwen2).
    a = BY_ID["qwen2.5-72b"].arch
    n = a.layers
    more = sum(use_more_bits(i, n) for i in range(n))
    by_kind = {}
    for t in gguf.tensors(a):
        by_kind.setdefault(t.kind, Counter())[gguf.tensor_type(a, t, "q4_k_m").name] += 1
    assert by_kind["ffn_down"] == {"Q8_0": more, "Q5_0": n - more}
    assert by_kind["attn_v"] == {"Q6_K": more, "Q5_K": n - more}
    assert by_kind["ffn_gate"] == by_kind["attn_q"] == {"Q4_K": n}
    assert by_kind["output"] == {"Q6_K": 1} and by_kind["token_embd"] == {"Q4_K": 1}


def test_gemma_3_1b_output_and_q6_k_fall_back_to_q8_0():
    a = BY_ID["gemma-3-1b"].arch
    kinds = {t.kind: gguf.tensor_type(a, t, "q6_k").name for t in gguf.tensors(a)}
    assert kinds["token_embd"] == kinds["attn_q"] == kinds["ffn_up"] == "Q8_0"
    assert kinds["ffn_down"] == kinds["attn_output"] == "Q6_K"  # rows 6,912 and 1,024


def test_mixtral_eight_experts_get_q8_0_attention():
    # llama-quant.cpp: n_expert == 8 -> attn_v and attn_k Q8_0, attn_output Q5_K (Q4_K_M).
    a = BY_ID["mixtral-8x7b"].arch
    kinds = {t.kind: gguf.tensor_type(a, t, "q4_k_m").name for t in gguf.tensors(a)}
    assert kinds["attn_v"] == kinds["attn_k"] == "Q8_0" and kinds["attn_output"] == "Q5_K"
    assert kinds["ffn_gate_inp"] == "F32"  # the router is never quantized


# --- published GGUF file sizes ----------------------------------------------------------------

# (model, quant): bytes as Hugging Face lists the file, and the half unit of its last digit.
PUBLISHED = {
    # bartowski/Meta-Llama-3.1-8B-Instruct-GGUF, Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf:
    # 4,920,734,016 bytes, as issue 12 quotes the file listing (the README's table rounds it
    # to 4.92GB, as mradermacher's and QuantFactory's listings of the same model do).
    ("llama-3.1-8b", "q4_k_m"): (4_920_734_016, 0),
    # mradermacher/Meta-Llama-3.1-8B-Instruct-GGUF and Meta-Llama-3-8B-Instruct-GGUF
    # (static quants; same architecture): Q2_K 3.18 GB, Q3_K_M 4.02 GB, Q5_K_M 5.73 GB,
    # Q6_K 6.6 GB, Q8_0 8.54 GB, f16 16.1 GB.
    ("llama-3.1-8b", "q2_k"): (3.18e9, 5e6),
    ("llama-3.1-8b", "q3_k_m"): (4.02e9, 5e6),
    ("llama-3.1-8b", "q5_k_m"): (5.73e9, 5e6),
    ("llama-3.1-8b", "q6_k"): (6.60e9, 5e6),
    ("llama-3.1-8b", "q8_0"): (8.54e9, 5e6),
    ("llama-3.1-8b", "f16"): (16.1e9, 50e6),
    # lmstudio-community/gemma-3-1b-it-GGUF (bartowski): Q4_K_M 806 MB, Q6_K 1.01 GB,
    # Q8_0 1.07 GB.
    ("gemma-3-1b", "q4_k_m"): (806e6, 0.5e6),
    ("gemma-3-1b", "q6_k"): (1.01e9, 5e6),
    ("gemma-3-1b", "q8_0"): (1.07e9, 5e6),
    # lmstudio-community/Qwen2.5-7B-Instruct-GGUF (bartowski): Q4_K_M 4.68 GB, Q6_K 6.25 GB,
    # Q8_0 8.1 GB; lm-kit/qwen-2.5-7b-instruct-gguf: Q2_K 3.02 GB, Q3_K_M 3.81 GB, F16 15.2 GB.
    ("qwen2.5-7b", "q4_k_m"): (4.68e9, 5e6),
    ("qwen2.5-7b", "q6_k"): (6.25e9, 5e6),
    ("qwen2.5-7b", "q8_0"): (8.10e9, 5e6),
    ("qwen2.5-7b", "q2_k"): (3.02e9, 5e6),
    ("qwen2.5-7b", "q3_k_m"): (3.81e9, 5e6),
    ("qwen2.5-7b", "f16"): (15.2e9, 50e6),
    # lmstudio-community/Qwen2.5-72B-Instruct-GGUF (bartowski): Q4_K_M 47.4 GB.
    ("qwen2.5-72b", "q4_k_m"): (47.4e9, 50e6),
    # lmstudio-community/Llama-3.2-3B-Instruct-GGUF (bartowski): Q4_K_M 2.02 GB, Q6_K 2.64 GB,
    # Q8_0 3.42 GB; osllmai-community/Llama-3.2-3B-Instruct-GGUF: Q2_K 1.36 GB, Q3_K_M 1.69 GB,
    # Q5_K_M 2.32 GB, F16 6.43 GB.
    ("llama-3.2-3b", "q4_k_m"): (2.02e9, 5e6),
    ("llama-3.2-3b", "q6_k"): (2.64e9, 5e6),
    ("llama-3.2-3b", "q8_0"): (3.42e9, 5e6),
    ("llama-3.2-3b", "q2_k"): (1.36e9, 5e6),
    ("llama-3.2-3b", "q3_k_m"): (1.69e9, 5e6),
    ("llama-3.2-3b", "q5_k_m"): (2.32e9, 5e6),
    ("llama-3.2-3b", "f16"): (6.43e9, 5e6),
    # lmstudio-community/Llama-3.2-1B-Instruct-GGUF (bartowski): Q4_K_M 808 MB, Q6_K 1.02 GB,
    # Q8_0 1.32 GB.
    ("llama-3.2-1b", "q4_k_m"): (808e6, 0.5e6),
    ("llama-3.2-1b", "q6_k"): (1.02e9, 5e6),
    ("llama-3.2-1b", "q8_0"): (1.32e9, 5e6),
    # lmstudio-community/Mistral-7B-Instruct-v0.3-GGUF (bartowski): Q4_K_M 4.37 GB,
    # Q5_K_M 5.14 GB, Q6_K 5.95 GB, Q8_0 7.7 GB.
    ("mistral-7b-v0.3", "q4_k_m"): (4.37e9, 5e6),
    ("mistral-7b-v0.3", "q5_k_m"): (5.14e9, 5e6),
    ("mistral-7b-v0.3", "q6_k"): (5.95e9, 5e6),
    ("mistral-7b-v0.3", "q8_0"): (7.70e9, 5e6),
}


@pytest.mark.parametrize("model_id, quant", PUBLISHED, ids=[f"{m}-{q}" for m, q in PUBLISHED])
def test_tensors_plus_a_header_make_the_published_file(model_id, quant):
    published, half_unit = PUBLISHED[model_id, quant]
    tensors = layout(model_id, quant).file_bytes
    assert published - half_unit - HEADER_MAX <= tensors <= published + half_unit


def test_the_old_whole_file_rate_was_a_quarter_off_for_gemma_3_1b():
    # The issue: the Q4_K_M file is about 0.8 GB, not the 0.61 GB the Llama-3-8B-derived
    # 4.9 bits per weight gave (almost every Gemma 3 1B tensor falls back to 5.5-8.5 bits).
    assert layout("gemma-3-1b", "q4_k_m").file_bytes / 1e9 == pytest.approx(0.80, abs=0.01)


# quantize.cpp's own list of formats (tools/quantize/quantize.cpp): file size at Llama-3-8B in
# GiB, "Q4_K_M : 4.58G, +0.1754 ppl @ Llama-3-8B" and so on. Same architecture as Llama 3.1 8B
# (rope_freqs aside); the header (7.8 MB = 0.007 GiB) and rounding to 0.01 GiB.
QUANTIZE_CPP_GIB = {
    "q8_0": 7.96, "q6_k": 6.14, "q5_k_m": 5.33, "q4_k_m": 4.58, "q4_0": 4.34, "q3_k_m": 3.74,
    "q2_k": 2.96,
}  # fmt: skip


@pytest.mark.parametrize("quant, gib", QUANTIZE_CPP_GIB.items())
def test_llama_3_8b_sizes_listed_by_quantize_cpp(quant, gib):
    tensors = layout("llama-3.1-8b", quant).file_bytes / GIB
    assert gib - 0.005 - HEADER_MAX / GIB <= tensors <= gib + 0.005


def test_ollama_logs_llama_3_1_70b_q4_0_at_37_22_gib():
    # Ollama PR #6279 (quantized KV cache): Llama 3.1 70B Q4_0 weights 37.22 GiB; Llama 3.3 70B
    # has the same shape.
    assert round(layout("llama-3.3-70b", "q4_0").file_bytes / GIB, 2) == 37.22


# --- where llama.cpp puts the weights ---------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=[m.id for m in MODELS])
def test_token_embd_stays_in_system_ram_and_a_tied_output_copy_on_the_gpu(model):
    # llama-model.cpp: "there is very little benefit to offloading the input layer, so always
    # keep it on the CPU"; a tied output is created from token_embd with TENSOR_DUPLICATED, on
    # the output layer's device.
    a = model.arch
    lay = gguf.layout(a, "q4_k_m")
    embd = next(t for t in gguf.tensors(a) if t.kind == "token_embd")
    embd_bytes = a.vocab * gguf.tensor_type(a, embd, "q4_k_m").row_bytes(a.hidden)
    assert lay.cpu_bytes == embd_bytes
    if a.tied_embeddings:
        assert lay.gpu_bytes == lay.file_bytes
    else:
        assert lay.gpu_bytes == lay.file_bytes - embd_bytes


def test_decode_reads_one_embedding_row():
    # Q4_K: 144 bytes per 256 values, so one 4,096-wide row of Llama 3.1 8B is 2,304 bytes.
    assert layout("llama-3.1-8b", "q4_k_m").embedding_row_bytes == 4096 // 256 * 144 == 2304
    # Gemma 3 1B: Q8_0, 34 bytes per 32 values: 1,152 values are 1,224 bytes.
    assert layout("gemma-3-1b", "q4_k_m").embedding_row_bytes == 1152 // 32 * 34


def test_moe_active_bytes_read_k_of_e_experts():
    a = BY_ID["qwen3-30b-a3b"].arch
    lay = gguf.layout(a, "q4_k_m")
    experts = sum(
        t.rows * gguf.tensor_type(a, t, "q4_k_m").row_bytes(t.row)
        for t in gguf.tensors(a)
        if t.experts > 1
    )
    assert gguf.active_gpu_bytes(a, "q4_k_m") == lay.gpu_bytes - experts * (128 - 8) // 128
