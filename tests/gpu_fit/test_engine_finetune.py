"""LoRA / QLoRA fine-tuning memory against independent figures: PEFT's trainable-parameter
count, the QLoRA paper's quantization constants and its 65B-on-one-48-GB-GPU claim, the ZeRO
bytes per parameter, and activation bytes PyTorch measured (validation/activation_memory/)."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.catalog.memory import state_bytes_per_param
from calculators.catalog.models import BY_ID, MODELS, Architecture, layer_matrix_params
from gpu_fit import finetune
from gpu_fit.cards import BY_SLUG, CARDS
from gpu_fit.engine import Subject, custom_subject

ROOT = Path(__file__).resolve().parents[2]
BUILT = json.loads((ROOT / "validation/gpu_fit/transformers_counts.json").read_text())["models"]
MEASURED = json.loads((ROOT / "validation/activation_memory/measured.json").read_text())["rows"]
LLAMA_BF16 = [r for r in MEASURED if r["arch"] == "llama" and r["dtype_bytes"] == 2]


def test_adapter_count_matches_peft_for_llama_3_8b():
    # PEFT's print_trainable_parameters() for Llama 3 8B, LoRA r=16 on q, k, v, o, gate, up,
    # down: "trainable params: 41,943,040 || all params: 8,072,204,288".
    model = BY_ID["llama-3.1-8b"]
    adapters = finetune.adapter_params(model.arch, 16)
    assert adapters == 41_943_040
    assert model.params + adapters == 8_072_204_288


@pytest.mark.parametrize("model", [m for m in MODELS if not m.arch.is_moe], ids=lambda m: m.id)
def test_adapter_count_matches_peft_on_every_dense_catalog_model(model):
    # validation/gpu_fit/count_params.py: PEFT's LoRA, rank 16, target_modules="all-linear",
    # on each architecture built by Transformers (Phi-3's fused qkv_proj and gate_up_proj
    # included). MoE experts are fused tensors in Transformers 5, adapted PEFT's own way.
    assert finetune.adapter_params(model.arch, 16) == BUILT[model.id]["peft_lora_r16_all_linear"]


def test_adapter_count_follows_the_lora_papers_per_matrix_rule():
    # LoRA Table 4, GPT-3 175B (96 layers, d_model 12,288): rank 8 on W_q and W_v is 37.7M
    # trainable parameters, r·(d_in + d_out) per matrix. We adapt k, o and the (gated) MLP
    # too, each matrix by the same rule.
    gpt3 = Architecture(96, 12288, 96, 96, 128, 4 * 12288, 50257, False, 2048)
    per_matrix = 8 * (12288 + 12288) * 96
    assert round(2 * per_matrix / 1e6, 1) == 37.7
    mlp = 8 * 96 * 3 * (12288 + 4 * 12288)
    assert finetune.adapter_params(gpt3, 8) == 4 * per_matrix + mlp


def test_nf4_with_double_quantization_is_the_papers_4_127_bits():
    # QLoRA section 3: block scales cost 32/64 = 0.5 bits; double quantization brings them to
    # 8/64 + 32/(64·256) = 0.127 bits per parameter.
    assert pytest.approx(4.127, abs=5e-4) == finetune.NF4_BITS
    assert finetune.NF4_BITS - 4 == 8 / 64 + 32 / (64 * 256)


def test_adapter_state_is_sixteen_bytes_either_way():
    # ZeRO's mixed-precision Adam (2 + 2 + 12) and fp32 adapters (4 + 4 + 8), as PEFT keeps
    # them over a quantized base: the same 16 bytes.
    assert finetune.ADAPTER_BYTES_PER_PARAM == 16
    assert state_bytes_per_param("fp32", "adam").total == 16


def test_qlora_keeps_embeddings_output_and_norms_in_16_bits():
    model = BY_ID["llama-3.1-8b"]
    a = model.arch
    rest = model.params - layer_matrix_params(a)
    assert rest == 2 * a.vocab * a.hidden + (2 * a.layers + 1) * a.hidden  # untied, RMSNorms
    expected = -(-layer_matrix_params(a) * 8452 // 16384) + 2 * rest
    assert finetune.base_weights_bytes(model.params, a, "qlora") == expected


@pytest.mark.parametrize(
    "row", [r for r in LLAMA_BF16 if r["recompute"] == "full"], ids=lambda r: f"s{r['s']}"
)
def test_checkpoints_are_the_measured_bytes_of_gradient_checkpointing(row):
    # Hugging Face gradient checkpointing keeps each layer's input: measured per layer.
    a = Architecture(1, row["h"], row["a"], row["kv"], row["d"], row["f"], row["v"], False, 4096)
    acts = finetune.activations(a, row["s"] * row["b"])  # one sequence of s·b tokens
    assert acts.checkpoints_bytes == row["per_layer_bytes"]


@pytest.mark.parametrize(
    "row",
    [r for r in LLAMA_BF16 if r["recompute"] == "none" and r["attention"] == "flash"],
    ids=lambda r: f"s{r['s']}-h{r['h']}",
)
def test_one_rebuilt_layer_is_what_pytorch_measured_for_a_llama_layer(row):
    a = Architecture(1, row["h"], row["a"], row["kv"], row["d"], row["f"], row["v"], False, 4096)
    assert finetune.activations(a, row["s"] * row["b"]).layer_bytes == row["per_layer_bytes"]


LLAMA_65B = Architecture(80, 8192, 64, 64, 128, 22016, 32000, False, 2048)


def test_qlora_fits_65b_on_one_48_gb_card_and_lora_does_not():
    # QLoRA abstract: a 65B model fine-tuned on a single 48 GB GPU (rank 64 on every linear
    # layer, as the paper trains Guanaco), here at 512 tokens; 16-bit LoRA needs ~130 GB.
    params = custom_subject(
        dict(layers=80, hidden=8192, heads=64, kv_heads=64, ffn_hidden=22016, vocab=32000)
    ).params
    assert abs(params / 1e9 - 65.2) < 0.1  # LLaMA paper, Table 2: 65.2B
    llama65 = Subject("llama-65b", "LLaMA 65B", params, params, LLAMA_65B, 2048)
    tuned = finetune.fine_tuning(BY_SLUG["rtx-a6000-48gb"], llama65, 512, 64)
    assert tuned.qlora.fits and not tuned.lora.fits
    assert tuned.lora.base_weights_bytes > 130e9


cards = st.sampled_from(CARDS)
models = st.sampled_from(MODELS)


@settings(max_examples=100, deadline=None)
@given(cards, models, st.integers(1, 65536), st.integers(1, 512))
def test_qlora_never_needs_more_than_lora(card, model, seq_len, rank):
    # gpu_poor's issue #1 showed QLoRA above LoRA; storing fewer bits can only need less.
    tuned = finetune.fine_tuning(card, Subject.from_model(model), seq_len, rank)
    assert tuned.qlora.total_bytes < tuned.lora.total_bytes
    assert tuned.qlora.adapter_bytes == tuned.lora.adapter_bytes


@settings(max_examples=100, deadline=None)
@given(models, st.integers(1, 65536), st.integers(1, 512), st.integers(1, 1000))
def test_more_tokens_or_rank_never_needs_less(model, seq_len, rank, more):
    card = BY_SLUG["rtx-4090-24gb"]
    sub = Subject.from_model(model)
    base = finetune.fine_tune_fit(card, sub, "qlora", seq_len, rank).total_bytes
    assert finetune.fine_tune_fit(card, sub, "qlora", seq_len + more, rank).total_bytes > base
    assert finetune.fine_tune_fit(card, sub, "qlora", seq_len, rank + more).total_bytes > base


def test_moe_adapts_every_expert_and_counts_routed_experts_for_activations():
    a = BY_ID["mixtral-8x7b"].arch
    dense = Architecture(32, 4096, 32, 8, 128, 14336, 32000, False, 32768)
    attention_adapters = 16 * 32 * ((4096 + 4096) * 2 + 2 * (4096 + 1024))
    expert_adapters = 16 * 32 * 3 * (4096 + 14336)
    assert finetune.adapter_params(a, 16) == attention_adapters + 8 * expert_adapters
    assert finetune.adapter_params(dense, 16) == attention_adapters + expert_adapters
    two_experts = Architecture(32, 4096, 32, 8, 128, 2 * 14336, 32000, False, 32768)
    assert finetune.activations(a, 1024) == finetune.activations(two_experts, 1024)


def test_a_model_known_only_by_its_count_has_no_fine_tuning_estimate():
    custom = custom_subject({"params_b": 7.0})
    assert finetune.fine_tuning(BY_SLUG["rtx-3060-12gb"], custom, 2048, 16) is None
