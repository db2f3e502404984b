"""/gpus/ and /gpus/<card>/ over HTTP: page, fragment, JSON contract, 404, links, registry."""

import importlib.util
import re
from pathlib import Path

import pytest

from calculators.catalog.models import MODELS
from calculators.kit import registry
from gpu_fit.cards import CARDS
from gpu_fit.forms import CARD_TOOLS

HX = {"HTTP_HX_REQUEST": "true"}
CARD = "/gpus/rtx-4090-24gb/"
MODEL_KEYS = {
    "id",
    "params",
    "weights_bytes",
    "kv_cache_bytes",
    "overhead_bytes",
    "total_bytes",
    "fits",
    "max_context",
    "decode_tokens_per_s",
    "file_bytes",
    "cpu_weights_bytes",
}


def by_id(models):
    return {m["id"]: m for m in models}


def element(html: str, testid: str) -> str:
    """The element carrying data-testid=`testid`, from its start tag to its own end tag, so an
    assertion about it cannot be met by the same text elsewhere on the page."""
    start = re.search(rf'<(\w+)\b[^>]*\bdata-testid="{re.escape(testid)}"', html)
    assert start, testid
    depth = 0
    for tag in re.finditer(rf"<(/?){start.group(1)}\b[^>]*>", html[start.start() :]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return html[start.start() : start.start() + tag.end()]
    raise AssertionError(f"{testid}: no end tag")


@pytest.mark.parametrize("card", CARDS, ids=[c.slug for c in CARDS])
def test_every_card_page_has_its_own_title_and_description(client, card):
    r = client.get(f"/gpus/{card.slug}/")
    html = r.content.decode()
    assert r.status_code == 200
    assert f"<title>What LLM can an {card.short_name} run? · GradAcc</title>" in html
    description = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
    assert card.short_name in description and f"of {len(MODELS)} open models fit" in description
    assert 'data-testid="fitting"' in html and 'data-testid="memory-bar"' in html


def test_card_json_follows_the_contract(client):
    r = client.get(CARD, {"format": "json"})
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    data = r.json()
    assert data["inputs"] == {
        "context": 8192,
        "quant": "q4_k_m",
        "kv_cache": "f16",
        "batch": 1,
        "cards": 1,
        "ram_gb": 64,
        "ram_bandwidth_gb_s": 89.6,
        "params_b": None,
        "layers": None,
        "hidden": None,
        "heads": None,
        "kv_heads": None,
        "head_dim": None,
        "ffn_hidden": None,
        "vocab": None,
        "model": "llama-3.1-8b",
        "seq_len": 2048,
        "lora_rank": 16,
    }
    result = data["result"]
    assert result["card"] == {
        "slug": "rtx-4090-24gb",
        "name": "NVIDIA GeForce RTX 4090 24GB",
        "vram_bytes": 24 * 2**30,
        "bandwidth_gb_s": 1008,
    }
    assert len(result["models"]) == len(MODELS)
    for model in result["models"]:
        assert set(model) >= MODEL_KEYS
        assert isinstance(model["weights_bytes"], int) and isinstance(model["fits"], bool)
    llama = by_id(result["models"])["llama-3.1-8b"]
    assert llama["kv_cache_bytes"] == 2**30  # 8K context, F16, grouped-query attention
    assert llama["fits"] and llama["max_context"] == 131072
    # llama.cpp loading this Q4_K_M file: "CUDA0 model buffer size = 4403.49 MiB" (with a
    # 256-byte rope_freqs vector not counted here) and "CPU model buffer size = 281.81 MiB"
    assert round((llama["weights_bytes"] + 256) / 2**20, 2) == 4403.49
    assert round(llama["cpu_weights_bytes"] / 2**20, 2) == 281.81
    assert llama["file_bytes"] == llama["weights_bytes"] + llama["cpu_weights_bytes"]


def test_index_json_has_every_card(client):
    data = client.get("/gpus/", {"format": "json", "context": "4096"}).json()
    assert data["inputs"]["context"] == 4096 and "model" not in data["inputs"]
    cards = data["result"]["cards"]
    assert [c["card"]["slug"] for c in cards] == [c.slug for c in CARDS]
    assert all(len(c["models"]) == len(MODELS) for c in cards)


def test_index_shows_the_matrix(client):
    html = client.get("/gpus/").content.decode()
    assert 'data-testid="matrix"' in html
    for card in CARDS:
        assert f'href="/gpus/{card.slug}/?' in html  # column headers carry the scenario
    assert 'data-testid="cell-gpt-oss-120b-rtx-a6000-48gb"' in html


def test_fragment_holds_the_result_of_the_scenario(client):
    for url in (CARD + "?context=32768", "/gpus/?context=32768"):
        r = client.get(url, **HX)
        html = r.content.decode()
        assert r.status_code == 200 and "32,768" in html


def test_page_states_the_worked_example_with_the_users_numbers(client):
    html = client.get(CARD, {"model": "gemma-2-9b", "context": "8192"}).content.decode()
    worked = element(html, "worked-example")
    assert worked.startswith("<ol") and worked.endswith("</ol>")
    # llama.cpp's sliding-window cache: pad(4,096 + 512, 256) = 4,608 cells (llama-kv-cache-iswa)
    assert "(21 × 8,192 + 21 × 4,608)" in worked
    # google/gemma-2-9b config.json: 42 layers alternating global and 4,096-token sliding
    # attention, 8 KV heads of 256 dims; f16 cache, 2 bytes per element.
    kv_bytes = 2 * 8 * 256 * (21 * 8192 + 21 * 4608) * 2
    assert f"<strong>{kv_bytes:,} bytes = " in worked
    assert "1,008 GB/s" in worked  # NVIDIA's RTX 4090 memory bandwidth


def test_worked_example_assertions_look_inside_the_example_only():
    page = '<p>1,008 GB/s</p><ol data-testid="worked-example"><li><ol><li>x</li></ol></li></ol>'
    assert element(page, "worked-example") == page[len("<p>1,008 GB/s</p>") :]
    assert "1,008 GB/s" not in element(page, "worked-example")


def test_worked_example_puts_token_embd_in_system_ram(client):
    html = client.get(CARD).content.decode()
    worked = element(html, "worked-example")
    # 128,256 × 4,096 in Q4_K (144 bytes per 256): llama.cpp's "CPU model buffer size =
    # 281.81 MiB" for this file
    assert "128,256 × 4,096 in Q4_K = 295,501,824 bytes), stays in system RAM" in worked
    assert "1 × 2,304 bytes of embedding row" in worked  # one Q4_K row per token, not the table
    stats = element(html, "example")
    assert 'data-testid="file"' in stats and "0.28 GiB embedding table" in stats


def test_worked_example_shows_the_fallback_of_gemma_3_1b(client):
    html = client.get(CARD, {"model": "gemma-3-1b", "batch": "2"}).content.decode()
    worked = element(html, "worked-example")
    # llama.cpp's load log of this file (tqm-dev/meta-jetson-llama-cpp): q5_0 117 tensors, and
    # 13 of its 14 q8_0 are attn_v's Q6_K fallen back: 130 fallbacks
    assert "Here 130 tensors have rows that are not a multiple of 256 values" in worked
    assert "512 × 2 + 512 = 1,536" in worked  # the sliding window of two sequences


def test_permalink_and_meta_state_the_scenario(client):
    html = client.get(CARD, {"context": "16384", "quant": "q8_0"}).content.decode()
    canonical = 'href="http://testserver/gpus/rtx-4090-24gb/?context=16384&amp;quant=q8_0'
    assert f'<link rel="canonical" {canonical}' in html
    assert 'property="og:description" content="' in html and "Q8_0 with 16,384 tokens" in html


def test_beyond_the_models_context_is_flagged(client):
    html = client.get(CARD, {"model": "phi-3-mini-4k", "context": "8192"}).content.decode()
    assert 'data-testid="note-beyond-context"' in html


def test_not_fitting_suggests_what_fits(client):
    r = client.get("/gpus/rtx-3060-12gb/", {"model": "qwen2.5-32b"})
    html = r.content.decode()
    assert 'data-testid="note-no-fit"' in html and "does not fit" in html


def test_custom_model_by_architecture_and_by_count(client):
    shape = {"layers": "32", "hidden": "4096", "heads": "32", "kv_heads": "8"}
    shape |= {"ffn_hidden": "14336", "vocab": "128256", "format": "json"}
    custom = by_id(client.get(CARD, shape).json()["result"]["models"])["custom"]
    assert custom["params"] == 8_030_261_248 and custom["kv_cache_bytes"] == 2**30
    count_only = client.get(CARD, {"params_b": "7", "format": "json"}).json()
    row = by_id(count_only["result"]["models"])["custom"]
    assert row["params"] == 7 * 10**9 and row["kv_cache_bytes"] == 0
    html = client.get(CARD, {"params_b": "7", "model": "custom"}).content.decode()
    assert 'data-testid="note-kv-unknown"' in html


def test_unknown_card_is_a_404_listing_the_known_ones(client):
    r = client.get("/gpus/rtx-9090-96gb/")
    html = r.content.decode()
    assert r.status_code == 404
    assert "<h1>Page not found</h1>" in html
    for card in CARDS:
        assert f'href="/gpus/{card.slug}/"' in html
    r = client.get("/gpus/rtx-9090-96gb/", {"format": "json"})
    assert r.status_code == 404 and "rtx-4090-24gb" in r.json()["errors"]["card"][0]


@pytest.mark.parametrize("slug", ["%E2%82%AC", "x" * 3000, "RTX-4090-24GB", "..%2F"])
def test_odd_card_slugs_are_404_not_errors(client, slug):
    assert client.get(f"/gpus/{slug}/").status_code == 404


def test_registry_has_the_index_and_one_tool_per_card():
    index = registry.get("gpus")
    assert index.group == "Memory and hardware" and index.path == "/gpus/"
    for card in CARDS:
        tool = registry.get(f"gpus-{card.slug}")
        assert tool.path == f"/gpus/{card.slug}/" and tool.group == "Memory and hardware"
        others = {f"gpus-{c.slug}" for c in CARDS} - {tool.slug}
        assert others <= set(tool.related)
        assert {"activation-memory", "gradient-accumulation", "gpus"} <= set(tool.related)


def test_links_to_other_cards_carry_the_scenario(client):
    html = client.get(CARD, {"context": "32768", "quant": "q6_k"}).content.decode()
    link = re.search(r'data-testid="card-link-rtx-3090-24gb"', html)
    assert link
    assert 'href="/gpus/rtx-3090-24gb/?context=32768&amp;quant=q6_k' in html
    # related tools (rendered from the registry) carry the shared parameters as well
    related = (
        r'href="/gpus/rtx-5090-32gb/\?context=32768&amp;quant=q6_k[^"]*" data-testid="related-gpus'
    )
    assert re.search(related, html)
    # ... the training sequence length among them, for the fine-tuning estimate
    assert 'href="/gradient-accumulation/?seq_len=2048"' in html
    assert 'href="/activation-memory/?seq_len=2048"' in html


def test_home_and_flagship_link_to_the_gpu_pages(client):
    home = client.get("/").content.decode()
    assert 'data-testid="tool-gpus"' in home and "Memory and hardware" in home
    flagship = client.get("/gradient-accumulation/").content.decode()
    assert 'data-testid="related-gpus"' in flagship


def test_card_json_has_lora_and_qlora_for_every_model_with_a_shape(client):
    result = client.get(CARD, {"format": "json", "params_b": "7"}).json()["result"]
    tuned = {t["id"]: t for t in result["fine_tuning"]}
    assert set(tuned) == {m.id for m in MODELS}  # the count-only custom row has no shape
    llama = tuned["llama-3.1-8b"]
    for method in ("lora", "qlora"):
        fit = llama[method]
        assert fit["adapter_params"] == 41_943_040  # PEFT's count at rank 16, all projections
        assert fit["adapter_bytes"] == 16 * 41_943_040
        parts = fit["activations"]
        assert (
            parts["total_bytes"]
            == parts["checkpoints_bytes"] + parts["layer_bytes"] + (parts["loss_bytes"])
        )
        total = fit["base_weights_bytes"] + fit["adapter_bytes"] + parts["total_bytes"]
        assert fit["total_bytes"] == total + fit["overhead_bytes"]
        assert fit["fits"] == (fit["total_bytes"] <= 24 * 2**30)
    assert llama["lora"]["base_weights_bytes"] == 2 * 8_030_261_248
    assert llama["qlora"]["base_weights_bytes"] < llama["lora"]["base_weights_bytes"] / 2.5


def test_card_page_shows_the_fine_tuning_estimate_with_its_numbers(client):
    html = client.get(CARD, {"seq_len": "4096", "lora_rank": "8"}).content.decode()
    worked = element(html, "finetune-worked")
    assert "= <strong>20,971,520</strong>" in worked  # rank 8: half of PEFT's rank-16 count
    assert "32 × 2 × 4,096 × 4,096" in worked  # checkpoints, substituted
    assert 'data-testid="qlora-total"' in html and 'data-testid="lora-llama-3.3-70b"' in html
    assert "QLoRA fine-tuning on 4,096-token sequences needs about" in html  # og/description


def test_fine_tuning_needs_the_shape_of_a_custom_model(client):
    html = client.get(CARD, {"params_b": "7", "model": "custom"}).content.decode()
    assert 'data-testid="finetune-unknown"' in html


def test_activation_memory_link_reproduces_the_model_there(client):
    html = client.get(CARD, {"model": "qwen2.5-7b", "seq_len": "1024"}).content.decode()
    href = re.search(r'href="([^"]+)" data-testid="activation-link"', html).group(1)
    target = client.get(href.replace("&amp;", "&") + "&format=json")
    assert target.status_code == 200
    inputs = target.json()["inputs"]
    assert inputs["hidden"] == 3584 and inputs["kv_heads"] == 4 and inputs["seq_len"] == 1024
    assert inputs["recompute"] == "full" and inputs["micro_batch"] == 1
    moe = client.get(CARD, {"model": "mixtral-8x7b"}).content.decode()
    assert 'data-testid="activation-link"' not in moe  # that calculator models dense layers


def test_faq_names_the_models_whose_head_dim_is_not_hidden_over_heads(client):
    # The config.json fields as transcribed in validation/gpu_fit/configs.py (separately from
    # the catalog): head_dim against hidden_size ÷ num_attention_heads.
    path = Path(__file__).resolve().parents[2] / "validation/gpu_fit/configs.py"
    spec = importlib.util.spec_from_file_location("configs", path)
    configs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(configs)

    def differs(c):
        stated = c.get("head_dim")
        return stated is not None and stated != c["hidden_size"] // c["num_attention_heads"]

    qwen3 = {k for k, c in configs.CONFIGS.items() if k.startswith("qwen3")}
    assert {k for k in qwen3 if differs(configs.CONFIGS[k])} == {
        "qwen3-4b", "qwen3-32b", "qwen3-30b-a3b"
    }  # fmt: skip
    others = [k for k in configs.CONFIGS if k.startswith(("gemma", "gpt-oss", "mistral-nemo"))]
    assert len(others) == 10 and all(differs(configs.CONFIGS[k]) for k in others)
    html = client.get(CARD).content.decode()
    assert (
        "Gemma, Mistral NeMo, Qwen3 4B, 32B and 30B-A3B and gpt-oss have a <code>head_dim</code>"
        " that is not hidden ÷ heads" in html
    )
    assert "(Qwen3 8B and 14B do have hidden ÷ heads = 128)" in html


def test_faq_states_what_llama_cpp_puts_in_vram(client):
    html = client.get(CARD).content.decode()
    faq = html[html.index('class="faq"') :]
    # llama.cpp's load log of Llama 3.1 8B Q4_K_M: "CUDA0 model buffer size = 4403.49 MiB",
    # "CPU model buffer size = 281.81 MiB"; of Gemma 3 1B: "CPU_Mapped ... = 306.00 MiB"
    assert "Llama 3.1 8B: 282 MiB at Q4_K_M" in faq and "puts 4,403 MiB on the GPU" in faq
    assert "306 MiB even on the 1B" in faq
    assert "130 of its 340 tensors fall back" in faq
    assert "the RTX 3090 carries twenty-four 1 GB GDDR6X chips" in faq


def test_card_json_answers_how_to_run_it(client):
    r = client.get("/gpus/rtx-3090-24gb/", {"format": "json", "cards": 2})
    models = by_id(r.json()["result"]["models"])
    big = models["llama-3.3-70b"]
    # Two 3090s hold Llama 3.3 70B Q4_K_M at 8K: every layer on the GPUs.
    assert big["fits"] and big["cards"] == 2 and big["gpu_layers"] == big["layers"] == 80
    assert big["decode_tokens_per_s_low"] < big["decode_tokens_per_s"]
    assert big["decode_tokens_per_s"] < big["decode_tokens_per_s_high"]
    assert big["prefill_tokens_per_s"] > 0 and big["ttft_s"] > 0
    assert set(big["commands"]) == {"llama_cpp", "vllm", "ollama"}
    assert big["commands"]["llama_cpp"].startswith("llama-server ")
    assert set(big["vllm"]) == {"bf16", "fp8", "int4"}
    moe = by_id(client.get("/gpus/rtx-3090-24gb/", {"format": "json"}).json()["result"]["models"])[
        "gpt-oss-120b"
    ]
    assert not moe["fits"] and moe["offload"] == "experts" and moe["cpu_moe_layers"] > 0
    assert moe["commands"]["ollama"] is None and moe["commands_notes"]["ollama"]


def test_card_page_shows_measured_against_estimated_with_sources(client):
    html = client.get("/gpus/rtx-a6000-48gb/").content.decode()
    assert 'data-testid="measured"' in html
    assert html.count('data-testid="measured-row"') == 7  # the A6000's rows of the tables
    assert "https://github.com/XiongjieDai/GPU-Benchmarks-on-LLM-Inference" in html
    # The live fragment leaves it out: it does not depend on the scenario.
    fragment = client.get("/gpus/rtx-a6000-48gb/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="measured"' not in fragment
    assert 'data-testid="cmd-llama_cpp"' in fragment
    none = client.get("/gpus/rtx-3060-12gb/").content.decode()
    assert 'data-testid="measured-none"' in none


def test_the_card_pages_are_one_family_that_accepts_the_same_parameters():
    # A card page's links to its sister cards share one query (registry.family_query).
    assert len(CARD_TOOLS) == len(CARDS)
    assert len({registry.get(slug).accepts for slug in CARD_TOOLS}) == 1
    other = registry.get(CARD_TOOLS[-1])
    values = {name: "1" for name in other.accepts}
    assert registry.family_query(CARD_TOOLS, values) == other.shared_query(values)
