"""A card page's result parts written in Python (gpu_fit/result_html.py) against the template
parts they replaced (card_result_before.html, as card.html had them), rendered by the site's
Jinja2 with the same page context, over cards and scenarios that take every branch: fits and
does not, experts or layers in system RAM, does not run at all, several cards, a sliding
window, latent attention, F16, a model given only by its parameter count or by its shape."""

import re
from pathlib import Path

import pytest
from django.http import QueryDict
from django.template import engines

from calculators.catalog.models import MODELS
from calculators.kit import registry
from gpu_fit import result_html
from gpu_fit.cards import tool_slug

BEFORE = (Path(__file__).parent / "card_result_before.html").read_text()
SECTIONS = dict(re.findall(r"\{#- section (\w+) -#\}\n(.*?)\n(?=\{#- section|\Z)", BEFORE, re.S))
WRAP = (
    "{% with s=example.scenario, x=example %}{% with f=x.fit, a=x.arch %}"
    "{% with t=fine_tuning, c=result %}{{}}{% endwith %}{% endwith %}{% endwith %}"
)

CUSTOM_SHAPE = "layers=40&hidden=5120&heads=40&kv_heads=8&ffn_hidden=13824&vocab=32000"
PAGES = [
    ("rtx-3060-12gb", ""),
    ("rtx-3060-12gb", "context=32768&kv_cache=q8_0"),
    ("rtx-3060-12gb", "quant=q8_0&model=qwen3-30b-a3b&ram_gb=16"),
    ("rtx-3060-12gb", "model=gpt-oss-120b&ram_gb=128&ram_bandwidth_gb_s=120.5"),
    ("rtx-3060-12gb", "model=llama-3.3-70b&ram_gb=1"),
    ("rtx-3060-12gb", "model=custom&params_b=9"),
    ("rtx-3060-12gb", f"model=custom&{CUSTOM_SHAPE}"),
    ("rtx-4090-24gb", "model=deepseek-v2-lite&kv_cache=q4_0&context=131072"),
    ("rtx-4090-24gb", "model=llama-4-scout&quant=q2_k"),
    ("rtx-3090-24gb", "cards=2&model=llama-3.3-70b&batch=3"),
    ("rtx-3090-24gb", "cards=3&model=qwen2.5-7b"),
    ("rtx-pro-6000-96gb", "model=qwen2.5-72b&quant=f16"),
    ("h100-pcie", "model=mixtral-8x7b&cards=4&context=200000"),
    ("l4-24gb", "model=gemma-3-1b&quant=q3_k_m&seq_len=65536&lora_rank=512"),
    ("rtx-a6000-48gb", "model=phi-3-mini-4k&context=1"),
]


def page_context(card_slug: str, query: str) -> dict:
    form = registry.get(tool_slug(card_slug)).form(QueryDict(query))
    assert form.is_valid(), form.errors
    # What the template's fine-tuning steps read, before fine_tuning_worked wrote them.
    before = {
        "quantized_params": form.example_quantized_params(),
        "unquantized_params": form.example_unquantized_params(),
        "mlp_width": form.example_mlp_width(),
    } if form.example_fine_tuning() else {}  # fmt: skip
    return {"result": form.result, **form.extra_context(), **before}


def rendered(section: str, context: dict) -> str:
    env = next(e for e in engines.all() if hasattr(e, "env")).env
    return env.from_string(WRAP.replace("{{}}", SECTIONS[section])).render(context)


def test_every_section_is_read():
    assert set(SECTIONS) == {
        "stats", "bar_shapes", "vllm_rows", "fine_tuning_rows", "worked_example",
        "fine_tuning_worked",
    }  # fmt: skip


@pytest.mark.parametrize(("card", "query"), PAGES)
def test_written_parts_are_the_template_parts(card, query):
    context = page_context(card, query)
    assert context["example_stats"] == rendered("stats", context)
    assert context["bar_shapes"] == rendered("bar_shapes", context)
    # The template's lines began with the four spaces that now come before {{ worked_example }}.
    assert "    " + context["worked_example"] == rendered("worked_example", context)
    if context["example"].fit.vllm:
        assert context["vllm_rows"] == rendered("vllm_rows", context)
    if context["fine_tuning"]:
        assert context["fine_tuning_rows"] == rendered("fine_tuning_rows", context)
        assert "    " + context["fine_tuning_worked"] == rendered("fine_tuning_worked", context)


# Every catalog model as the worked example, which takes each architecture's branch of the
# weights and KV cache steps (tied embeddings, fallback tensors, sliding windows, chunks, latent
# attention, grouped queries, experts), fitting and not, on one card and on several.
CATALOG_EXAMPLES = [
    (card, f"model={m.id}&{query}")
    for m in MODELS
    for card, query in (
        ("rtx-3060-12gb", ""),
        ("h100-sxm", "cards=3&quant=f16&context=65536&batch=2&kv_cache=q8_0"),
    )
]


@pytest.mark.parametrize(("card", "query"), CATALOG_EXAMPLES)
def test_worked_examples_are_the_template_for_every_catalog_model(card, query):
    context = page_context(card, query)
    assert "    " + context["worked_example"] == rendered("worked_example", context)
    if context["fine_tuning"]:
        assert "    " + context["fine_tuning_worked"] == rendered("fine_tuning_worked", context)


def test_the_pages_take_every_branch():
    fits = [page_context(card, query) for card, query in PAGES]
    examples = [c["example"].fit for c in fits]
    assert {f.offload for f in examples} == {"gpu", "experts", "layers", "none"}
    assert any(f.ttft_s is None for f in examples) and any(f.ttft_s for f in examples)
    assert any(not f.kv_cache_counted for f in examples)
    assert any(f.cpu_moe_layers for f in examples) and any(f.cards > 1 for f in examples)
    assert any(f.max_context == f.model_max_context for f in examples)
    rows = [v for f in examples if f.vllm for v in f.vllm.values()]
    assert any(v["problem"] for v in rows) and any(not v["problem"] for v in rows)
    tunings = [c["fine_tuning"] for c in fits if c["fine_tuning"]]
    assert any(t.lora.fits for t in tunings) and any(not t.qlora.fits for t in tunings)
    assert any(c["fine_tuning"] is None for c in fits)


def test_stat_is_the_ui_macro():
    env = next(e for e in engines.all() if hasattr(e, "env")).env
    for args in (("Total", "4.31 GiB", "total", "of 12 GiB"), ("KV cache", "—", "", "")):
        assert result_html.stat(*args) == env.globals["ui"].stat(*args)
