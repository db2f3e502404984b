"""The flagship's parallelism, token target, budget, epoch, ramp-up and compared scenarios over
HTTP: JSON keys, page sections, refusals."""

import re
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from calculators.catalog.framework_configs import FRAMEWORKS

URL = "/gradient-accumulation/"
HX = {"HTTP_HX_REQUEST": "true"}
MEGATRON = {"global_batch": "512", "micro_batch": "2", "gpus": "64", "tp": "4", "pp": "2"}


def get_json(client, **params):
    r = client.get(URL, {**params, "format": "json"})
    assert r.status_code == 200, r.content
    return r.json()


def test_contract_keys_bubble_and_configs(client):
    result = get_json(client, **MEGATRON)["result"]
    assert result["data_parallel_size"] == 8 and result["accumulation_steps"] == 32
    assert result["pipeline_bubble_fraction"] == pytest.approx(1 / 32)
    assert set(result["configs"]) == set(FRAMEWORKS)
    assert all(isinstance(text, str) and text for text in result["configs"].values())
    assert result["decomposition"] == "64 GPUs = TP 4 \u00d7 PP 2 \u00d7 DP 8"
    assert result["config_notes"]["nanogpt"]["rejected"] is True
    assert result["config_notes"]["megatron"]["format"] == "shell"
    defaults = get_json(client)["result"]
    assert defaults["pipeline_bubble_fraction"] == 0


def test_page_shows_layout_bubble_and_pipeline_picture(client):
    html = client.get(URL, {**MEGATRON, "pp": "8", "tp": "1", "micro_batch": "16"}).content.decode()
    # 64 / 8 = DP 8; 512 / (16 x 8) = 4 micro-batches on 8 stages
    assert 'data-testid="decomposition">64 GPUs = PP 8 \u00d7 DP 8<' in html
    assert 'data-testid="note-fewer-microbatches"' in html
    assert 'data-testid="pipeline-diagram"' in html and '<title id="pipeline-title">' in html
    assert 'data-testid="min-microbatches">141 ' in html  # 20 x 7 + 1


def test_pipeline_diagram_only_with_pipelining(client):
    html = client.get(URL).content.decode()
    assert 'data-testid="pipeline-diagram"' not in html and 'data-testid="pipeline"' not in html


def test_token_target(client):
    data = get_json(client, target_tokens="4e6")
    assert data["inputs"]["target_tokens"] == 4_000_000
    result = data["result"]
    assert result["target_is_tokens"] and result["target_sequences"] == 976.5625
    assert result["effective_global_batch"] == 992
    html = client.get(URL, {"target_tokens": "4e6"}).content.decode()
    assert 'data-testid="token-target"' in html and "976.562" in html


def test_budget_and_estimated_time(client):
    data = get_json(client, train_tokens="2e12", params_b="8", gpus="64", micro_batch="2")
    result = data["result"]
    assert result["budget"]["optimizer_steps"] == -(-2 * 10**12 // (1024 * 4096))
    step = 6 * 8e9 * 1024 * 4096 / (64 * 989.4e12 * 0.4)
    assert result["throughput"]["seconds_per_step"] == pytest.approx(step)
    assert result["budget"]["run_seconds"] == pytest.approx(
        result["budget"]["optimizer_steps"] * step
    )


def test_measured_throughput_and_custom_peak(client):
    result = get_json(client, tokens_per_gpu_s="3000", params_b="8", peak_tflops="500")["result"]
    assert result["throughput"]["source"] == "measured"
    assert result["throughput"]["mfu"] == pytest.approx(3000 * 48e9 / 500e12)
    page = client.get(URL, {"tokens_per_gpu_s": "3000"}, **HX).content.decode()
    assert 'data-testid="seconds_per_step"' in page and 'data-testid="tradeoff"' in page


def test_epoch_edge(client):
    result = get_json(client, dataset_sequences="1000")["result"]
    # 1000 over 8 ranks = 125 each -> 32 micro-batches of 4 -> 1 step of 32, nothing left
    assert result["epoch"]["full_optimizer_steps"] == 1
    assert result["epoch"]["has_partial_window"] is False
    partial = get_json(client, dataset_sequences="1200")["result"]["epoch"]
    assert (partial["full_optimizer_steps"], partial["last_window_micro_batches"]) == (1, 6)
    html = client.get(URL, {"dataset_sequences": "1200"}).content.decode()
    assert 'data-testid="note-partial-window"' in html and "6/32" in html
    # The advice trims the epoch to whole steps: 1 step x 1,024 sequences, 32 micro-batches per
    # GPU; the trimmed dataset indeed has no partial window. drop_last is not offered as a fix.
    fix = html.split('data-testid="partial-window-fix">')[1].split("</p>")[0]
    assert "1,024 sequences" in fix and "limit_train_batches=32" in fix
    assert "not enough" in fix
    trimmed = get_json(client, dataset_sequences="1024")["result"]["epoch"]
    assert trimmed["has_partial_window"] is False
    tiny = client.get(URL, {"dataset_sequences": "100"}).content.decode()
    assert "shorter than one optimizer step" in tiny


def test_rampup_table_and_megatron_budget(client):
    params = {"rampup_start": "32", "rampup_increment": "32", "rampup_samples": "100000"}
    ramp = get_json(client, **params)["result"]["rampup"]
    assert ramp["num_increments"] == (1024 - 32) // 32
    assert ramp["stages"][0] == {
        "global_batch": 32,
        "accumulation_steps": 1,
        "optimizer_steps": ramp["stages"][0]["optimizer_steps"],
        "first_sample": 0,
        "samples": ramp["stages"][0]["samples"],
    }
    html = client.get(URL, params).content.decode()
    assert 'data-testid="rampup-stages"' in html and 'data-testid="num_increments">31<' in html
    with_budget = get_json(client, **params, train_tokens="1e11")["result"]
    # megatron-core 0.19.2 takes the ramp as a step schedule; 0.17's flag is the alternative.
    assert "--train-samples" in with_budget["configs"]["megatron"]
    assert '--step-batch-size-schedule "0:32 ' in with_budget["configs"]["megatron"]
    (alt,) = with_budget["config_notes"]["megatron"]["alternatives"]
    assert "--rampup-batch-size 32 32 100000" in alt["text"]


def test_ramp_on_a_pipeline_shows_its_first_bubble_and_budget_steps(client):
    params = {
        "rampup_start": "32",
        "rampup_increment": "32",
        "rampup_samples": "1000000",
        "pp": "4",
        "gpus": "32",
        "train_tokens": "1e11",
    }
    html = client.get(URL, params, **HX).content.decode()
    # DP = 32 / 4 = 8, so the first batch of 32 is one micro-batch: bubble (4 - 1) / 1.
    assert "runs only 1 micro-batch per flush, a pipeline bubble of 300.0%" in html
    assert "(fewer micro-batches than the 4 stages: over 100% because" in html
    steps = get_json(client, **params)["result"]["rampup"]["budget"]["optimizer_steps"]
    assert f'data-testid="ramp_optimizer_steps">{steps:,}<' in html
    # At the full batch m = 1024 / 32 = 32; under 5% needs (4 - 1) / m < 0.05, so m >= 61.
    assert 'data-testid="note-bubble-large"' in html and "Under 5% needs m ≥ 61" in html


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        (
            {"rampup_start": "2048", "rampup_increment": "8", "rampup_samples": "10"},
            "rampup_start",
            "at most",
        ),
        (
            {"rampup_start": "16", "rampup_increment": "10", "rampup_samples": "10"},
            "rampup_increment",
            "divisible",
        ),
        (
            {"rampup_start": "1024", "rampup_increment": "8", "rampup_samples": "10"},
            "rampup_start",
            "nothing to ramp",
        ),
        ({"rampup_start": "16", "rampup_increment": "8"}, "rampup_samples", "needed too"),
        ({"pp": "1", "vpp": "2"}, "vpp", "needs pipeline parallelism"),
    ],
)
def test_refusals_are_field_errors(client, params, field, words):
    r = client.get(URL, {**params, "format": "json"})
    assert r.status_code == 400
    assert words in " ".join(r.json()["errors"][field])
    page = client.get(URL, params)
    assert page.status_code == 200 and words in page.content.decode()


def test_snippets_have_hidden_copy_buttons_in_the_fragment(client):
    html = client.get(URL, **HX).content.decode()
    for name in FRAMEWORKS:
        assert f'id="config-{name}-text"' in html
        assert f'data-copy-text="config-{name}-text" hidden' in html
    assert "<input" not in html  # the fragment still never carries inputs


# --- Compare ---------------------------------------------------------------------------------


def pin_href(html: str) -> str:
    start = html.rindex('href="', 0, html.index('data-testid="pin"')) + len('href="')
    return html[start : html.index('"', start)].replace("&amp;", "&")


def test_pin_link_carries_the_scenario_and_the_page_keeps_it(client):
    html = client.get(URL, {"gpus": "16"}).content.decode()
    href = pin_href(html)
    query = parse_qs(urlparse(href).query, keep_blank_values=True)
    assert query["compare"] == ["gpus=16"] and query["gpus"] == ["16"]
    pinned_page = client.get(href).content.decode()
    assert 'type="hidden" name="compare" value="gpus=16"' in pinned_page
    assert "This scenario is pinned" in pinned_page


def test_compare_table_and_json_deltas(client):
    query = urlencode([("micro_batch", "8"), ("compare", "micro_batch=4&gpus=16"), ("compare", "")])
    data = client.get(f"{URL}?{query}&format=json").json()
    assert data["inputs"]["compare"] == ["gpus=16", ""]
    first, second = data["result"]["compare"]
    assert first["metrics"]["accumulation_steps"] == 16 and first["inputs"]["gpus"] == 16
    # current: 1024 / (8 x 8) = 16 steps; pinned 1: 1024 / (4 x 16) = 16 steps; pinned 2: 32
    assert first["delta"]["accumulation_steps"] == 0
    assert second["delta"]["accumulation_steps"] == pytest.approx(100.0)
    assert second["delta"]["micro_batch"] == pytest.approx(-50.0)
    html = client.get(f"{URL}?{query}").content.decode()
    assert 'data-testid="compare-table"' in html and "Pinned 2" in html
    assert 'data-testid="unpin-1"' in html and 'data-testid="unpin-2"' in html
    assert "compare=gpus%3D16" in html  # the canonical permalink keeps the pins


def test_duplicate_pins_collapse_and_unknown_keys_are_ignored(client):
    query = urlencode([("compare", "gpus=16"), ("compare", "gpus=16&colour=blue")])
    assert client.get(f"{URL}?{query}&format=json").json()["inputs"]["compare"] == ["gpus=16"]


@pytest.mark.parametrize(
    ("values", "words"),
    [
        (["gpus=16"] * 3 + ["gpus=32", "gpus=64"], "at most 4"),
        (["micro_batch=abc"], "Pinned scenario 1 (compare): Micro-batch must be a whole number"),
        (["gpus=10&tp=4"], "TP x PP x CP"),
        (["x" * 2000], "too long"),
        (["&".join(f"k{i}=1" for i in range(100))], "too many parameters"),
        (["rampup_start=16"], "needed too"),
    ],
)
def test_bad_pins_are_refused_with_a_reason(client, values, words):
    query = urlencode([("compare", v) for v in values])
    r = client.get(f"{URL}?{query}&format=json")
    assert r.status_code == 400
    assert words in " ".join(r.json()["errors"]["compare"])
    page = client.get(f"{URL}?{query}")
    html = page.content.decode()
    assert page.status_code == 200 and words in html
    assert 'data-testid="unpin-after-error"' in html  # a way out of the broken link


@pytest.mark.parametrize("start, over", [(8, True), (16, True), (24, False)])
def test_ramp_first_batch_with_fewer_micro_batches_than_stages_explains_its_bubble(
    client, start, over
):
    # PP 4 on 8 GPUs: DP 2, micro-batch 4, so the ramp's first batch has start / 8 micro-batches.
    params = {"pp": "4", "gpus": "8", "micro_batch": "4", "global_batch": "1024"}
    ramp = {"rampup_start": start, "rampup_increment": 8, "rampup_samples": 100_000}
    m, p = start // 8, 4
    html = client.get(URL, {**params, **ramp}).content.decode()
    note = re.search(r'data-testid="ramp-bubble".*?</p>', html, re.S).group(0)
    # Narayanan et al. 2021, section 2.2: the 1F1B bubble is (p - 1) / m of the ideal time.
    assert f"a pipeline bubble of {(p - 1) / m:.1%} of the ideal time" in note
    assert "fewer micro-batches than the 4 stages" in note
    assert ("over 100%" in note) == over
    if over:
        assert f"idles for the p − 1 = {p - 1} slots" in note and f"computes for only {m}" in note


def test_fewer_micro_batches_than_stages_note_says_what_the_bubble_is(client):
    # 64 / 8 = DP 8; 512 / (16 x 8) = 4 micro-batches on 8 stages: (8 - 1) / 4 = 175% of ideal.
    html = client.get(URL, {**MEGATRON, "pp": "8", "tp": "1", "micro_batch": "16"}).content.decode()
    note = re.search(r'data-testid="note-fewer-microbatches".*?</p>', html, re.S).group(0)
    assert "m + p − 1 = 11 micro-batch slots" in note and "over 100%" in note
    assert 'data-testid="bubble-of-ideal">175.0%' in html
