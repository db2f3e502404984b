"""Bad input particular to /gpus/ and the card pages: a custom model given half-way or
inconsistently, each named on its field, and extreme values that still compute. Every field
against every kind of bad value is tests/site/test_bad_input.py."""

import pytest

from calculators.kit import registry
from tests.site.tool_fields import at_bounds

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
    card = registry.get("gpus-rtx-a6000-48gb")
    longest = at_bounds(card, high=("context", "batch", "seq_len", "lora_rank"))
    r = client.get(card.path, longest | {"quant": "f16", "format": "json"})
    assert r.status_code == 200
    assert not any(m["fits"] for m in r.json()["result"]["models"])
    assert not any(t["qlora"]["fits"] for t in r.json()["result"]["fine_tuning"])
    shape = ("layers", "hidden", "heads", "ffn_hidden", "vocab", "head_dim")
    big = at_bounds(registry.get("gpus"), high=shape, low=("kv_heads",)) | {"format": "json"}
    assert client.get("/gpus/", big).status_code == 200
    r = client.get(
        "/gpus/rtx-3060-12gb/", big | at_bounds(card, high=("lora_rank",)) | {"model": "custom"}
    )
    assert r.status_code == 200
