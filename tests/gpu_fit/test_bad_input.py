"""Bad input particular to /gpus/ and the card pages: a custom model given half-way or
inconsistently, each named on its field, and extreme values that still compute. Every field
against every kind of bad value is tests/site/test_bad_input.py."""

import pytest

URLS = ["/gpus/", "/gpus/rtx-3060-12gb/"]


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
