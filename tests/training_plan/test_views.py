"""The training planner over HTTP: page, fragment, JSON contract, hand-offs that carry the
plan's numbers to the other tools (and agree with them), related links both ways."""

import html
import re
from urllib.parse import parse_qs, urlparse

import pytest

from calculators.kit import registry

URL = "/training-plan/"
HX = {"HTTP_HX_REQUEST": "true"}
CONTRACT_PLAN_KEYS = {
    "tp",
    "pp",
    "cp",
    "dp",
    "vpp",
    "micro_batch",
    "accumulation_steps",
    "recompute",
    "zero_stage",
    "memory_bytes",
    "fits",
    "seconds_per_step",
    "tokens_per_s",
    "tflops_per_gpu",
    "mfu",
}


def answer(client, **params):
    r = client.get(URL, {**params, "format": "json"})
    assert r.status_code == 200, r.content
    return r.json()


def handoffs(client, params) -> dict:
    """The page's hand-off links, by name, as a browser would follow them."""
    text = client.get(URL, params).content.decode()
    found = re.findall(r'<a href="([^"]+)" data-testid="link-(\w+)"', text)
    return {name: html.unescape(href) for href, name in found}


def query_of(href: str) -> dict:
    return {k: v[-1] for k, v in parse_qs(urlparse(href).query).items()}


def test_page_renders_defaults(client):
    r = client.get(URL)
    html = r.content.decode()
    assert r.status_code == 200 and "<html" in html
    assert 'name="global_batch"' in html and 'data-testid="best-layout"' in html
    assert 'data-testid="plans-table"' in html and 'data-testid="memory-bar"' in html
    assert 'data-testid="calibration"' in html and "Narayanan et al. 2021, Table 1" in html
    assert 'data-testid="calibration-worst"' in html
    assert "config-megatron" in html and "config-deepspeed" in html and "config-torchtitan" in html
    assert 'property="og:description" content="Llama 3.1 8B on 64 × NVIDIA H100' in html


def test_fragment_holds_the_result_of_the_scenario(client):
    r = client.get(URL + "?gpus=16", **HX)
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-testid="best-layout"' in html and 'data-testid="worked-example"' in html
    assert 'data-testid="calibration"' not in html  # an explainer block, not the result


def test_json_has_the_contract_keys(client):
    data = answer(client)
    assert data["inputs"]["model"] == "llama-3.1-8b"
    assert data["inputs"]["gpus_per_node"] == 8
    assert data["inputs"]["tp"] is None and data["inputs"]["zero"] is None
    res = data["result"]
    plans = res["plans"]
    assert plans and res["fits"] is True
    for p in plans:
        assert set(p) >= CONTRACT_PLAN_KEYS
        assert p["tp"] * p["pp"] * p["cp"] * p["dp"] == 64
        parts = p["memory_bytes"]
        assert parts["total"] == sum(
            parts[k] for k in ("weights", "gradients", "optimizer_states", "activations", "buffers")
        )
    assert plans[0]["fits"] and plans[0]["loses_by"] == []
    times = [p["seconds_per_step"] for p in plans if p["fits"]]
    assert times == sorted(times)
    assert 0.8 <= res["calibration_worst_ratio"] <= 1.25


def test_custom_shape_and_pins(client):
    params = {
        "model": "custom",
        "layers": "24",
        "hidden": "2304",
        "heads": "24",
        "kv_heads": "24",
        "ffn_hidden": "9216",
        "vocab": "51200",
        "tied": "1",
        "gpu": "a100-80gb",
        "gpus": "32",
        "seq_len": "2048",
        "global_batch": "512",
        "tp": "1",
        "pp": "1",
        "recompute": "full",
        "zero": "0",
    }
    res = answer(client, **params)["result"]
    assert res["model"]["block"] == "gpt"  # 4 × hidden and every head its own K, V
    best = res["plans"][0]
    assert (best["tp"], best["pp"], best["recompute"], best["zero_stage"]) == (1, 1, "full", 0)
    page = client.get(URL, params).content.decode()
    assert "<details open>" in page  # the pins section opens when a pin is set


def test_no_fit_is_said_and_not_recommended(client):
    res = answer(client, model="llama-3.3-70b", gpu="rtx-4090-24gb", gpus="1")["result"]
    assert res["fits"] is False and not any(p["fits"] for p in res["plans"])
    r = client.get(URL, {"model": "llama-3.3-70b", "gpu": "rtx-4090-24gb", "gpus": "1"})
    text = r.content.decode()
    assert 'data-testid="note-no-fit"' in text and 'data-testid="best-layout"' not in text


def test_handoffs_carry_the_plan(client):
    params = {"model": "llama-3.3-70b", "gpus": "256", "global_batch": "1024"}
    best = answer(client, **params)["result"]["plans"][0]
    links = handoffs(client, params)
    acc = query_of(links["accumulation"])
    assert urlparse(links["accumulation"]).path == "/gradient-accumulation/"
    for key in ("tp", "pp", "cp", "vpp", "micro_batch"):
        assert int(acc[key]) == best[key]
    assert acc["global_batch"] == "1024" and acc["gpus"] == "256" and acc["gpu"] == "h100-sxm"
    # The flagship, given this layout, finds the same accumulation steps.
    flagship = client.get(links["accumulation"] + "&format=json").json()["result"]
    assert flagship["accumulation_steps"] == best["accumulation_steps"]
    assert flagship["data_parallel_size"] == best["dp"]
    # The activation page, given this model and micro-batch, counts the same bytes.
    activation = client.get(links["activation"] + "&format=json").json()
    assert activation["inputs"]["micro_batch"] == best["micro_batch"]
    assert activation["result"]["need_bytes"] == best["memory_bytes"]["total"]
    assert query_of(links["lr"]) == {"new_batch": "1024"}


def test_activation_handoff_for_a_gpu_that_page_does_not_list(client):
    params = {"model": "llama-3.2-1b", "gpu": "rtx-3090-24gb", "gpus": "8", "seq_len": "2048"}
    best = answer(client, **params)["result"]["plans"][0]
    links = handoffs(client, params)
    activation = client.get(links["activation"] + "&format=json").json()
    assert activation["inputs"]["gpu"] == "custom"
    assert activation["result"]["need_bytes"] == best["memory_bytes"]["total"]
    assert "gpu" not in query_of(links["accumulation"])  # the flagship does not offer it


def test_related_tools_link_both_ways():
    mine = registry.get("training-plan")
    assert set(mine.related) == {"gradient-accumulation", "activation-memory", "lr-scaling"}
    for slug in mine.related:
        assert "training-plan" in registry.get(slug).related


@pytest.mark.parametrize("slug", ["gradient-accumulation", "activation-memory", "lr-scaling"])
def test_sibling_pages_show_the_planner_among_related(client, slug):
    html = client.get(registry.get(slug).path).content.decode()
    assert 'data-testid="related-training-plan"' in html


def test_snippets_carry_the_plans_choices(client):
    params = {"model": "llama-3.3-70b", "gpus": "64", "global_batch": "256"}
    best = answer(client, **params)["result"]["plans"][0]
    text = client.get(URL, params).content.decode()
    assert f"--tensor-model-parallel-size {best['tp']}" in text
    assert f"--micro-batch-size {best['micro_batch']}" in text
    if best["tp"] > 1:
        assert "--sequence-parallel" in text
    if best["recompute"] == "full":
        assert "--recompute-granularity full" in text
        assert "config.activation_checkpoint = FullAC.Config()" in text
    assert f"&#34;stage&#34;: {best['zero_stage']}" in text


def test_share_image_says_the_layout_and_step_time(client):
    best = answer(client, gpus="128")["result"]["plans"][0]
    page = client.get(URL, {"gpus": "128"}).content.decode()
    alt = html.unescape(re.search(r'property="og:image:alt" content="([^"]*)"', page).group(1))
    layout = f"{best['tp']}×{best['pp']}×{best['cp']}×{best['dp']}"
    assert f"{layout} GPUs as TP × PP × CP × DP" in alt
    assert f"{best['seconds_per_step']:,.2f} s per step" in alt


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"model": "llama-3.3-70b", "gpus": "256", "global_batch": "1024"},  # CP 2, VPP 4
        {"model": "llama-3.2-1b", "gpu": "rtx-3090-24gb", "gpus": "8", "seq_len": "2048"},
        {"gpu": "a100-40gb", "gpus": "16", "precision": "bf16", "optimizer": "sgd"},
    ],
)
def test_handoff_values_arrive_in_the_targets_inputs(client, params):
    """Each hand-off, followed, shows the plan's numbers in the target's own inputs (what the
    page renders for a visitor to edit), and its JSON takes them as its inputs."""
    from tests.site.tool_links import control_values

    best = answer(client, **params)["result"]["plans"][0]
    seq_len = int(params.get("seq_len", 8192))
    links = handoffs(client, params)
    flagship = control_values(client.get(links["accumulation"]).content.decode())
    for key in ("micro_batch", "tp", "pp", "cp", "vpp"):
        assert flagship[key] == str(best[key]), key
    assert flagship["gpus"] == params.get("gpus", "64")
    assert flagship["global_batch"] == params.get("global_batch", "512")
    assert flagship["seq_len"] == str(seq_len)
    activation = control_values(client.get(links["activation"]).content.decode())
    expected = {
        "micro_batch": best["micro_batch"],
        "tp": best["tp"],
        "pp": best["pp"],
        "vpp": best["vpp"],
        "seq_len": seq_len // best["cp"],  # that page has no CP: tokens per GPU
        "recompute": best["recompute"],
        "zero": best["zero_stage"],
        "accumulation_steps": best["accumulation_steps"],
        "sp": int(best["tp"] > 1),
        "gpus": params.get("gpus", "64"),
        "precision": params.get("precision", "mixed"),
        "optimizer": params.get("optimizer", "adam"),
    }
    for key, value in expected.items():
        assert activation[key] == str(value), key
    inputs = client.get(links["activation"] + "&format=json").json()["inputs"]
    assert inputs["micro_batch"] == best["micro_batch"] and inputs["zero"] == best["zero_stage"]
    lr = control_values(client.get(links["lr"]).content.decode())
    assert lr["new_batch"] == params.get("global_batch", "512")
