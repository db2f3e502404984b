"""The GPU pages' live results print their inputs from the result (the scenario, and on a card
page CardResult's worked-example model, sequence length and LoRA rank), not from the form: each
fragment comes out byte for byte the same with the form's inputs hidden from the result block's
context (tests/result_only.py), across the branches that print an input."""

import pytest

from gpu_fit.forms import CardForm, FitForm
from tests.result_only import fragment_pair

CUSTOM_SHAPE = "layers=40&hidden=5120&heads=40&kv_heads=8&ffn_hidden=13824&vocab=32000"
CARD_PAGES = [
    ("rtx-3060-12gb", ""),
    ("rtx-3060-12gb", "quant=q8_0&model=qwen3-30b-a3b&ram_gb=16"),  # experts in system RAM
    ("rtx-3060-12gb", "model=llama-3.3-70b&ram_gb=1"),  # does not run
    ("rtx-3060-12gb", "model=custom&params_b=9"),  # no architecture: no fine-tuning estimate
    ("rtx-3060-12gb", f"model=custom&{CUSTOM_SHAPE}"),
    ("rtx-3090-24gb", "cards=2&model=llama-3.3-70b&batch=3"),
    ("rtx-4090-24gb", "model=deepseek-v2-lite&kv_cache=q4_0&context=131072"),
    ("l4-24gb", "model=gemma-3-1b&quant=q3_k_m&seq_len=65536&lora_rank=512"),
]
INDEX = ["", "context=32768&kv_cache=q8_0&batch=4", f"quant=f16&cards=2&{CUSTOM_SHAPE}"]


@pytest.mark.parametrize(("card", "query"), CARD_PAGES)
def test_a_card_fragment_is_the_same_from_the_result_alone(monkeypatch, card, query):
    served, hidden = fragment_pair(monkeypatch, CardForm, f"/gpus/{card}/?{query}")
    assert hidden == served


@pytest.mark.parametrize("query", INDEX)
def test_the_index_fragment_is_the_same_from_the_result_alone(monkeypatch, query):
    served, hidden = fragment_pair(monkeypatch, FitForm, f"/gpus/?{query}")
    assert hidden == served
