"""Issue 14 item 4: one GPU catalog shared by every tool, and every gpu value any tool took still
working. Each tool's GPU field offers, in catalog order and by slug, the catalog GPUs with the
figure it needs; every other id of those GPUs (an alias) gives the same answer as the slug; an
old permalink's id gives the answer the engine gives on the catalog GPU's figure (checked here
against the vendors' published figures); a GPU the tool cannot use, or an unknown id, is refused
by the field's name with the ids allowed; the planner's links carry a GPU their target takes."""

import dataclasses
import html
import re
from urllib.parse import parse_qs, urlparse

import pytest

from activation_memory.forms import missing_memory
from calculators.catalog import gpus, interconnect
from calculators.catalog.activation import Hardware, Scenario, fit
from calculators.catalog.budget import catalog_model_size, flops_per_token, throughput
from calculators.catalog.memory import MIB
from calculators.kit import fields
from calculators.kit.fields import CatalogGpuField
from tests.catalog.gpu_ids import OLD_IDS, catalog_gpu_fields, gpu_tools
from training_plan.engine import Pins, Run, catalog_shape, cluster, plan

FLAGSHIP, ACTIVATION, PLANNER = "gradient-accumulation", "activation-memory", "training-plan"
TOOLS = gpu_tools()


def has_memory_and_peak_and_links(g) -> bool:
    capacity = g.smi_memory_mib or g.vram_gib
    peak = g.dense_bf16_tflops or g.fp16_fp32acc_tflops
    return bool(capacity and peak and interconnect.get(g.slug))


# What each tool reads of a GPU, written out here rather than taken from the tools: the flagship
# its dense BF16 peak, activation memory the nvidia-smi total, the planner a memory size, a
# 16-bit training peak and interconnect figures.
NEEDS = {
    FLAGSHIP: lambda g: g.dense_bf16_tflops is not None,
    ACTIVATION: lambda g: g.smi_memory_mib is not None,
    PLANNER: has_memory_and_peak_and_links,
}
LABELS = {
    FLAGSHIP: lambda g: f"{g.name}, {g.dense_bf16_tflops:g} TFLOPS",
    ACTIVATION: lambda g: g.name,
    PLANNER: lambda g: g.name,
}
EXTRAS = {ACTIVATION: [("custom", "Custom capacity (GiB below)")]}
# A scenario per tool in which the GPU's figure decides the answer: the flagship estimates time
# from the peak (a model and a token budget), the planner plans one node of a small model.
QUERIES = {
    FLAGSHIP: {"model": "llama-3.1-8b", "train_tokens": "1e12"},
    ACTIVATION: {},
    PLANNER: {"model": "llama-3.2-1b", "gpus": "8"},
}
ALL_IDS = list(gpus.BY_ID)


def answer(client, tool: str, **params):
    return client.get(TOOLS[tool].path, {**QUERIES[tool], **params, "format": "json"})


def chosen_options(page: str) -> list[str]:
    select = re.search(r'<select name="gpu"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option value="([^"]*)" selected>', select)


def test_every_tool_with_a_gpu_parameter_takes_the_catalog_field():
    assert {FLAGSHIP, ACTIVATION, PLANNER} <= set(TOOLS)
    for slug, field in catalog_gpu_fields().items():
        assert isinstance(field, CatalogGpuField), slug
    assert set(TOOLS) == set(NEEDS), "a new tool with a gpu parameter: say here what it reads"


@pytest.mark.parametrize("tool", list(NEEDS))
def test_each_tool_offers_the_catalog_gpus_it_can_use_in_catalog_order(tool):
    field = TOOLS[tool].form_class.base_fields["gpu"]
    wanted = [(g.slug, LABELS[tool](g)) for g in gpus.GPUS if NEEDS[tool](g)]
    assert list(field.choices) == wanted + EXTRAS.get(tool, [])
    # The default is one of them, by its slug, and answers.
    assert field.initial == "h100-sxm" and gpus.get(field.initial).slug == field.initial


@pytest.mark.parametrize("gpu_id", ALL_IDS)
@pytest.mark.parametrize("tool", list(NEEDS))
def test_every_catalog_id_is_taken_where_the_catalog_has_the_figure(client, tool, gpu_id):
    g = gpus.get(gpu_id)
    r = answer(client, tool, gpu=gpu_id)
    page = client.get(TOOLS[tool].path, {**QUERIES[tool], "gpu": gpu_id}).content.decode()
    if NEEDS[tool](g):
        assert r.status_code == 200, r.content
        assert r.json()["inputs"]["gpu"] == g.slug  # one id per GPU in the answer
        assert chosen_options(page) == [g.slug]  # and chosen on the page
        if gpu_id != g.slug:
            by_slug = answer(client, tool, gpu=g.slug).json()
            assert r.json() == by_slug
        return
    assert r.status_code == 400
    [message] = r.json()["errors"]["gpu"]
    field = TOOLS[tool].form_class.base_fields["gpu"]
    assert message.startswith(f"{field.label}: the GPU catalog has no ")
    assert g.name in message and "cannot use it" in message
    assert all(value in message for value, _ in field.choices)
    assert html.escape(message, quote=False) in page and chosen_options(page) == []


def test_the_message_names_the_missing_figure():
    refused = {
        (FLAGSHIP, "rtx-3090-24gb"): "dense BF16 training peak",
        (ACTIVATION, "rtx-3090-24gb"): "nvidia-smi memory total",
        (PLANNER, "rtx-5090-32gb"): "interconnect figures",
    }
    for (tool, gpu_id), figure in refused.items():
        form = TOOLS[tool].form({"gpu": gpu_id})
        assert not form.is_valid()
        assert f"has no {figure} for {gpus.get(gpu_id).name}" in form.errors["gpu"][0]


@pytest.mark.parametrize("bad", ["rtx-9999", "A100", "a100 ", "H100-SXM", "", "custom2"])
@pytest.mark.parametrize("tool", list(NEEDS))
def test_an_unknown_id_is_refused_by_name_with_the_ids_allowed(client, tool, bad):
    r = answer(client, tool, gpu=bad)
    assert r.status_code == 400
    [message] = r.json()["errors"]["gpu"]
    field = TOOLS[tool].form_class.base_fields["gpu"]
    assert message.startswith(f"{field.label} must be one of: ")
    assert all(value in message for value, _ in field.choices)
    assert all(alias in message for alias in field.other_ids)  # the old ids are said too
    assert client.get(TOOLS[tool].path, {"gpu": bad}).status_code == 200


# --- Old permalinks give the answers they gave --------------------------------------------------

# Dense BF16 peaks as the vendors publish them (dense = half the datasheets' figure with 2:4
# sparsity): A100 datasheet 624 TFLOPS BF16 with sparsity; H100 datasheet 1,979 (SXM); H100
# whitepaper v1.04 Table 3, H100 PCIe 1,513; H200 product page 1,979; Blackwell datasheet
# 4.5 PFLOPS (HGX B200) and 5 (GB200 NVL72); Ada whitepaper Appendix A, RTX 4090 BF16 with FP32
# accumulate 165.2 dense.
PUBLISHED_PEAK = {
    "a100": 624 / 2,
    "h100-sxm": 1979 / 2,
    "h100-pcie": 1513 / 2,
    "h200": 1979 / 2,
    "b200": 4500 / 2,
    "gb200": 5000 / 2,
    "rtx-4090": 165.2,
}


@pytest.mark.parametrize("gpu_id", OLD_IDS[FLAGSHIP])
def test_old_flagship_ids_estimate_time_from_their_gpus_peak(client, gpu_id):
    data = answer(client, FLAGSHIP, gpu=gpu_id).json()
    t = data["result"]["throughput"]
    peak = gpus.get(gpu_id).dense_bf16_tflops
    # The budget engine, called directly on the catalog's figure.
    r = data["result"]
    size = catalog_model_size("llama-3.1-8b")
    direct = throughput(
        r["tokens_per_step"],
        r["accumulation_steps"],
        8,
        flops=flops_per_token(size, 4096),
        peak_tflops=peak,
        mfu=0.4,
    )
    assert t["peak_tflops"] == peak
    assert t["tokens_per_gpu_s"] == direct.tokens_per_gpu_s
    assert t["seconds_per_step"] == direct.seconds_per_step
    # PaLM's count by hand: 6N + 12·L·H·Q·T, Llama 3.1 8B (32 layers, 32 × 128 query width) at
    # 4,096 tokens, and the vendor's peak: tokens/s per GPU = peak × MFU ÷ FLOPs per token.
    per_token = 6 * size.params + 12 * 32 * 4096 * 4096
    expected = PUBLISHED_PEAK[gpu_id] * 1e12 * 0.4 / per_token
    # Within the vendors' own rounding: 1,513 ÷ 2 = 756.5 for the H100 PCIe, whose dense
    # figure the whitepaper prints as 756.
    assert t["tokens_per_gpu_s"] == pytest.approx(expected, rel=1e-3)


# nvidia-smi totals in MiB, from published nvidia-smi output (tests/catalog/test_gpu_catalog.py).
SMI_MIB = {"h100-80gb": 81_559, "a100-80gb": 81_920, "a100-40gb": 40_960, "rtx-4090-24gb": 24_564}


@pytest.mark.parametrize("gpu_id", [i for i in OLD_IDS[ACTIVATION] if i != "custom"])
def test_old_activation_ids_fit_in_their_gpus_nvidia_smi_memory(client, gpu_id):
    data = answer(client, ACTIVATION, gpu=gpu_id).json()
    c, r = data["inputs"], data["result"]
    scenario = Scenario(**{f.name: c[f.name] for f in dataclasses.fields(Scenario) if f.name in c})
    hardware = Hardware(
        capacity_bytes=SMI_MIB[gpu_id] * MIB,
        reserve_pct=c["reserve_pct"],
        gpus=c["gpus"],
        zero=c["zero"],
        precision=c["precision"],
        optimizer=c["optimizer"],
    )
    direct = fit(scenario, hardware)
    assert r["capacity_bytes"] == SMI_MIB[gpu_id] * MIB == direct.capacity_bytes
    assert r["usable_bytes"] == direct.usable_bytes
    assert r["need_bytes"] == direct.need.total_bytes
    assert (r["fits"], r["largest_micro_batch"]) == (direct.fits, direct.largest_micro_batch)


def test_the_custom_capacity_still_works(client):
    data = answer(client, ACTIVATION, gpu="custom", gpu_gib="48").json()
    assert data["inputs"]["gpu"] == "custom"
    assert data["result"]["capacity_bytes"] == 48 * 2**30


@pytest.mark.parametrize("gpu_id", OLD_IDS[PLANNER])
def test_old_planner_ids_plan_as_the_engine_does(client, gpu_id):
    data = answer(client, PLANNER, gpu=gpu_id).json()
    c, r = data["inputs"], data["result"]
    run = Run(c["seq_len"], c["global_batch"], c["train_tokens"], "mixed", "adam", 10)
    direct = plan(catalog_shape("llama-3.2-1b"), cluster(gpu_id, 8, 8), run, Pins())
    assert c["gpu"] == gpu_id and r["capacity_bytes"] == direct.cluster.capacity_bytes
    assert r["fits"] == (direct.best is not None)
    first, best = r["plans"][0], direct.plans[0]
    assert (first["tp"], first["pp"], first["cp"], first["dp"]) == (
        best.tp,
        best.pp,
        best.cp,
        best.dp,
    )
    assert first["micro_batch"] == best.micro_batch
    assert first["seconds_per_step"] == best.seconds_per_step


# --- The planner's links carry a GPU their target takes -------------------------------------


def planner_links(client, params) -> dict:
    text = client.get(TOOLS[PLANNER].path, params).content.decode()
    found = re.findall(r'<a href="([^"]+)" data-testid="link-(\w+)"', text)
    return {name: html.unescape(href) for href, name in found}


def query_of(href: str) -> dict:
    return {k: v[-1] for k, v in parse_qs(urlparse(href).query).items()}


PLANNER_IDS = [i for i in ALL_IDS if NEEDS[PLANNER](gpus.get(i))]


@pytest.mark.parametrize("gpu_id", PLANNER_IDS)
def test_the_planners_links_carry_a_gpu_the_target_takes(client, gpu_id):
    g = gpus.get(gpu_id)
    params = {**QUERIES[PLANNER], "gpu": gpu_id}
    planned = answer(client, PLANNER, gpu=gpu_id).json()["result"]
    best = planned["plans"][0]
    assert planned["fits"], "pick a scenario that fits on every planner GPU"
    links = planner_links(client, params)

    accumulation = query_of(links["accumulation"])
    flagship = client.get(links["accumulation"] + "&format=json")
    assert flagship.status_code == 200, flagship.content
    if NEEDS[FLAGSHIP](g):
        # The planner's slug straight through: the same GPU, so the same peak behind its MFU.
        assert accumulation["gpu"] == g.slug == flagship.json()["inputs"]["gpu"]
        assert flagship.json()["result"]["throughput"]["peak_tflops"] == planned["peak_tflops"]
    else:
        assert "gpu" not in accumulation and "mfu" not in accumulation

    activation = client.get(links["activation"] + "&format=json")
    assert activation.status_code == 200, activation.content
    a = activation.json()
    if NEEDS[ACTIVATION](g):
        assert query_of(links["activation"])["gpu"] == g.slug == a["inputs"]["gpu"]
    else:
        assert a["inputs"]["gpu"] == "custom"
    # Either way the activation page sees the planner's memory and counts the same bytes.
    assert a["result"]["capacity_bytes"] == planned["capacity_bytes"]
    assert a["result"]["need_bytes"] == best["memory_bytes"]["total"]


def test_takes_reads_the_targets_own_field():
    form_class = TOOLS[ACTIVATION].form_class
    assert fields.takes(form_class, "gpu", "h100-80gb") and fields.takes(
        form_class, "gpu", "custom"
    )
    assert not fields.takes(form_class, "gpu", "rtx-3090-24gb")
    assert not fields.takes(form_class, "no_such_parameter", "1")


# --- A figure added to the catalog reaches every tool that reads it ---------------------------


def test_a_gpu_given_a_figure_is_offered_without_a_list_to_edit(monkeypatch):
    # As if the catalog gained an nvidia-smi total for the RTX 3090 (a made-up figure: the test
    # needs only that there is one).
    assert "rtx-3090-24gb" not in dict(CatalogGpuField(label="GPU", missing=missing_memory).choices)
    card = dataclasses.replace(gpus.get("rtx-3090-24gb"), smi_memory_mib=24_000)
    catalog = tuple(card if g.slug == card.slug else g for g in gpus.GPUS)
    monkeypatch.setattr(gpus, "GPUS", catalog)
    monkeypatch.setattr(gpus, "BY_ID", {i: g for g in catalog for i in (g.slug, *g.aliases)})
    field = CatalogGpuField(label="GPU", missing=missing_memory)
    assert card.slug in dict(field.choices) and field.clean(card.slug) == card.slug


# --- The API description ----------------------------------------------------------------------


def test_the_api_lists_every_id_each_tool_takes_and_answers_with_the_slug(client):
    spec = client.get("/api/openapi.json").json()
    for slug, tool in TOOLS.items():
        field = tool.form_class.base_fields["gpu"]
        offered = [value for value, _ in field.choices]
        operation = spec["paths"][tool.path]["get"]
        [parameter] = [p for p in operation["parameters"] if p["name"] == "gpu"]
        aliases = [a for g in gpus.GPUS if NEEDS[slug](g) for a in g.aliases]
        assert parameter["schema"]["enum"] == offered + aliases
        assert parameter["schema"]["default"] in offered
        assert all(f"{a} (= {gpus.get(a).slug})" in parameter["description"] for a in aliases)
        answered = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert answered["properties"]["inputs"]["properties"]["gpu"]["enum"] == offered
        # Every old id of the tool is in what the API says it takes.
        assert set(OLD_IDS[slug]) <= set(parameter["schema"]["enum"])
