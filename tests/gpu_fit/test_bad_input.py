"""Every parameter of /gpus/ and a card page, every kind of bad value: never a 5xx, always a
message naming the field and what is allowed."""

import pytest

from tests.bad_values import BAD

URLS = ["/gpus/", "/gpus/rtx-3060-12gb/"]
NUMBER_PARAMS = {
    "context": "Context",
    "batch": "Concurrent sequences",
    "cards": "Cards",
    "ram_gb": "System RAM",
    "ram_bandwidth_gb_s": "RAM bandwidth",
    "params_b": "Parameters",
    "layers": "Layers",
    "hidden": "Hidden size",
    "heads": "Attention heads",
    "kv_heads": "KV heads",
    "head_dim": "Head dim",
    "ffn_hidden": "FFN size",
    "vocab": "Vocabulary",
}
# The fine-tuning estimate's inputs exist on card pages only.
CARD_NUMBER_PARAMS = {"seq_len": "Training sequence length", "lora_rank": "LoRA rank"}
OPTIONAL = set(NUMBER_PARAMS) - {"context", "batch", "cards", "ram_gb", "ram_bandwidth_gb_s"}


def bad_values(param):
    values = list(BAD)
    if param in ("params_b", "ram_bandwidth_gb_s"):  # decimal fields: 1.5 is fine
        values.remove("1.5")
    if param in OPTIONAL:  # blank means "not given"
        values = [v for v in values if v.strip()]
    return values


CASES = [(url, param) for url in URLS for param in NUMBER_PARAMS] + [
    (URLS[1], param) for param in CARD_NUMBER_PARAMS
]


@pytest.mark.parametrize("url, param", CASES)
@pytest.mark.parametrize("fmt", ["json", "html"])
def test_bad_numbers(client, url, param, fmt):
    label = {**NUMBER_PARAMS, **CARD_NUMBER_PARAMS}[param]
    for value in bad_values(param):
        query = {param: value}
        if fmt == "json":
            query["format"] = "json"
        r = client.get(url, query)
        assert r.status_code < 500
        if fmt == "json":
            assert r.status_code == 400, (param, value[:20])
            (message,) = r.json()["errors"][param]
        else:
            assert r.status_code == 200
            message = r.content.decode()
        assert label in message, (param, value[:20])
        assert " to " in message  # the allowed range is stated


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize(
    "param, message",
    [
        ("quant", "Weight format must be one of: f16, q8_0, q6_k, q5_k_m, q4_k_m, q4_0, "),
        ("kv_cache", "KV-cache format must be one of: f16, q8_0, q4_0."),
    ],
)
def test_bad_choices(client, url, param, message):
    for value in ["", "Q4_K_M ", "q4", "x" * 10_240, "\u0661"]:
        r = client.get(url, {param: value, "format": "json"})
        assert r.status_code == 400
        assert r.json()["errors"][param][0].startswith(message)
        html = client.get(url, {param: value})
        assert html.status_code == 200 and message[:20] in html.content.decode()


def test_bad_example_model(client):
    r = client.get("/gpus/rtx-3060-12gb/", {"model": "llama-9", "format": "json"})
    assert r.status_code == 400
    assert r.json()["errors"]["model"][0].startswith("Worked example for must be one of:")


def test_custom_example_without_custom_fields(client):
    r = client.get("/gpus/rtx-3060-12gb/", {"model": "custom", "format": "json"})
    assert r.status_code == 400 and "custom-model fields" in r.json()["errors"]["model"][0]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize(
    "query, field",
    [
        ({"layers": "32"}, "hidden"),
        ({"vocab": "32000", "params_b": "7"}, "layers"),
        (
            {"layers": "32", "hidden": "4096", "heads": "32", "kv_heads": "5"}
            | {"ffn_hidden": "11008", "vocab": "32000"},
            "kv_heads",
        ),
        (
            {"layers": "32", "hidden": "4000", "heads": "48", "kv_heads": "8"}
            | {"ffn_hidden": "11008", "vocab": "32000"},
            "head_dim",
        ),
    ],
)
def test_incomplete_or_inconsistent_custom_model(client, url, query, field):
    r = client.get(url, {**query, "format": "json"})
    assert r.status_code == 400 and list(r.json()["errors"]) == [field]
    html = client.get(url, query)
    assert html.status_code == 200 and 'data-testid="errors"' in html.content.decode()


def test_same_parameter_500_times_last_wins(client):
    query = "&".join(["context=1024"] * 499 + ["context=4096"])
    r = client.get(f"/gpus/rtx-3060-12gb/?{query}&format=json")
    assert r.status_code == 200 and r.json()["inputs"]["context"] == 4096


def test_extreme_but_valid_inputs_compute(client):
    r = client.get(
        "/gpus/rtx-a6000-48gb/",
        {"context": "1048576", "batch": "256", "quant": "f16", "format": "json"}
        | {"seq_len": "131072", "lora_rank": "1024"},
    )
    assert r.status_code == 200
    assert not any(m["fits"] for m in r.json()["result"]["models"])
    assert not any(t["qlora"]["fits"] for t in r.json()["result"]["fine_tuning"])
    big = {"layers": "1024", "hidden": "65536", "heads": "1024", "kv_heads": "1"}
    big |= {"ffn_hidden": "262144", "vocab": "1048576", "head_dim": "4096", "format": "json"}
    r = client.get("/gpus/", big)
    assert r.status_code == 200
    r = client.get("/gpus/rtx-3060-12gb/", big | {"model": "custom", "lora_rank": "1024"})
    assert r.status_code == 200
