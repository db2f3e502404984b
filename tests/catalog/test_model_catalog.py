"""The catalog's computed parameter counts against two independent sources: Hugging Face
Transformers building each architecture (validation/gpu_fit/transformers_counts.json) and the
totals the publishers state."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from calculators.catalog.models import (
    BY_ID,
    MODELS,
    attention_params,
    layer_matrix_params,
    non_embedding_parameter_count,
)

ROOT = Path(__file__).resolve().parents[2]
TRANSFORMERS = json.loads((ROOT / "validation/gpu_fit/transformers_counts.json").read_text())
BUILT = TRANSFORMERS["models"]
ids = [m.id for m in MODELS]


def stated_within(computed: int, stated_b: float, relative: float = 0.002) -> bool:
    """Equal to the published figure as far as it was rounded: half a unit of its last digit,
    or 0.2 % when the publisher rounded more coarsely than that."""
    exponent = Decimal(str(stated_b)).as_tuple().exponent
    half_unit = 0.5 * 10.0**exponent
    return abs(computed / 1e9 - stated_b) <= max(half_unit, relative * stated_b)


def test_catalog_has_the_families_the_issue_lists():
    assert len(MODELS) >= 20 and len(set(ids)) == len(ids)
    families = {m.family for m in MODELS}
    assert {"llama", "mistral", "qwen2", "qwen3", "gemma2", "gemma3_text", "phi3"} <= families
    assert {"mixtral", "gpt_oss", "qwen3_moe"} <= families
    assert any(m.id.startswith("deepseek-r1-distill") for m in MODELS)
    # Issue 15: models people run now, and two more attention types.
    assert {"mistral-small-24b", "qwq-32b", "qwen2.5-coder-32b"} <= set(ids)
    assert {"llama4_text", "deepseek_v2"} <= families
    assert BY_ID["deepseek-v2-lite"].arch.is_mla
    assert BY_ID["llama-4-scout"].arch.chunked_attention


def test_every_catalog_model_was_built_by_transformers():
    assert set(BUILT) == set(BY_ID)
    assert TRANSFORMERS["transformers"] and TRANSFORMERS["torch"]


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_parameter_count_equals_transformers(model):
    assert model.params == BUILT[model.id]["params"]


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_sliding_window_layers_equal_transformers_layer_types(model):
    built = BUILT[model.id]
    assert model.arch.sliding_layers == built["sliding_layers"]
    assert model.arch.sliding_window == built["sliding_window"]


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_parameter_count_matches_published_total(model):
    # A total that includes a vision encoder (Meta's 109B for Llama 4 Scout) is compared with
    # Transformers' count of the whole multimodal model; the catalog keeps the text model.
    counted = model.params
    if model.published.includes_vision:
        counted = BUILT[model.id]["multimodal_params"]
        assert counted > model.params
    assert stated_within(counted, model.published.total_b), model.published.source


@pytest.mark.parametrize(
    "model", [m for m in MODELS if m.published.non_embedding_b], ids=lambda m: m.id
)
def test_non_embedding_count_matches_published(model):
    # Qwen's model cards and Gemma 3's report state this figure separately.
    computed = non_embedding_parameter_count(model.arch)
    assert stated_within(computed, model.published.non_embedding_b, relative=0)


def test_mixture_of_experts_active_parameters_match_publishers():
    # Mistral and Qwen count both embedding matrices as active; OpenAI leaves out the input
    # embedding (a lookup, not a matrix product).
    assert stated_within(BY_ID["mixtral-8x7b"].active_params, 12.9)
    qwen = BY_ID["qwen3-30b-a3b"]
    assert abs(qwen.active_params / 1e9 - 3.3) / 3.3 < 0.02  # card: "3.3B activated"
    for model_id in ("gpt-oss-20b", "gpt-oss-120b"):
        m = BY_ID[model_id]
        without_input_embedding = m.active_params - m.arch.vocab * m.arch.hidden
        assert stated_within(without_input_embedding, m.published.active_b, relative=0)


def test_moe_models_hold_every_expert():
    for m in MODELS:
        if m.arch.is_moe:
            assert m.params > 3 * m.active_params
        else:
            assert m.params == m.active_params


def test_explicit_head_dim_is_kept_where_it_differs_from_hidden_over_heads():
    # The mistake naive calculators make (hidden ÷ heads): NeMo 160 not 128, Qwen3-32B 80 not 128.
    for model_id, head_dim in [("mistral-nemo-12b", 128), ("qwen3-32b", 128), ("gemma-2-9b", 256)]:
        a = BY_ID[model_id].arch
        assert a.head_dim == head_dim != a.hidden // a.heads


def test_gemma_3_counts_match_keras_hub_presets():
    # keras-team/keras-hub, keras_hub/src/models/gemma3/gemma3_presets.py: text-only Gemma 3
    # parameter counts, built with the tokenizer's 262,144 embeddings. Hugging Face's configs
    # for 4B and up pad vocab_size to 262,208: 64 more rows of the (tied) embedding.
    keras = {"gemma-3-1b": 999_885_952, "gemma-3-4b": 3_880_099_328}
    keras["gemma-3-12b"] = 11_765_788_416
    for model_id, count in keras.items():
        a = BY_ID[model_id].arch
        assert BY_ID[model_id].params == count + (a.vocab - 262_144) * a.hidden


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_layer_matrices_equal_transformers(model):
    # What 4-bit (QLoRA) loading quantizes: every weight matrix inside the decoder layers.
    assert layer_matrix_params(model.arch) == BUILT[model.id]["layer_matrix_params"]


def test_llama_4_scout_is_17b_active_with_three_chunked_layers_in_four():
    m = BY_ID["llama-4-scout"]
    # Meta's model card: "17B active parameters", 16 experts, one routed per token plus a
    # shared expert.
    assert stated_within(m.active_params, 17)
    # Transformers' Llama4TextConfig: no_rope_layers [1, 1, 1, 0] * 12 makes layer_types
    # "chunked_attention" where RoPE is used (36 layers), attention_chunk_size 8192.
    assert BUILT["llama-4-scout"]["sliding_layers"] == 48 * 3 // 4 == m.arch.sliding_layers
    assert BUILT["llama-4-scout"]["sliding_window"] == 8192 == m.arch.sliding_window
    # Only Llama 4's local layers are chunks; every other model's are sliding windows.
    assert [x.id for x in MODELS if x.arch.chunked_attention] == ["llama-4-scout"]


def test_deepseek_v2_lite_counts():
    m = BY_ID["deepseek-v2-lite"]
    # DeepSeek-V2 paper (arXiv:2405.04434), section 5 and model card: 15.7B total. In BF16
    # that is 31.41 GB, the "original size" DJLougen/DeepSeek-Coder-V2-Lite-Instruct-NVFP4
    # lists for the same architecture's safetensors.
    assert stated_within(m.params, 15.7)
    assert round(m.params * 2 / 1e9, 2) == 31.41
    # Its "2.4B activated" is below what the architecture gives with both embeddings (2.66B),
    # as deepseek-ai/DeepSeek-V2 issue 73 points out ("a little over 2.6B"); without the input
    # embedding (OpenAI's convention for gpt-oss) it is 2.45B, within 2.5 %.
    assert 2.6e9 < m.active_params < 2.7e9
    without_input_embedding = m.active_params - m.arch.vocab * m.arch.hidden
    assert abs(without_input_embedding / 2.4e9 - 1) < 0.025


def test_latent_attention_parameters_follow_the_deepseek_v2_paper():
    # Section 2.1.2 of the paper: W^DKV compresses h to d_c = kv_lora_rank, W^KR makes the
    # shared RoPE key of d_h^R, and W^UK, W^UV rebuild each head's K (d_h) and V (d_h) from
    # d_c. Transformers stores W^DKV and W^KR as one kv_a_proj_with_mqa, W^UK and W^UV as one
    # kv_b_proj; our count of one layer's attention, written out from the paper's shapes:
    a = BY_ID["deepseek-v2-lite"].arch
    h, heads, d_c, d_r, d_nope, d_v = 2048, 16, 512, 64, 128, 128
    paper = (
        h * heads * (d_nope + d_r)  # W^Q (V2-Lite does not compress the query)
        + h * (d_c + d_r)  # W^DKV and W^KR
        + d_c  # the latent's RMSNorm
        + d_c * heads * (d_nope + d_v)  # W^UK and W^UV
        + heads * d_v * h  # W^O
    )
    assert attention_params(a) == paper
