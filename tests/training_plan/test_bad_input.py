"""/training-plan/'s own refusals: values each fine alone that no layout can honour together,
models and GPUs it cannot plan, and every field at its upper bound. Every field with every kind
of bad value is tests/site/test_bad_input.py's, for every tool alike."""

import pytest

from calculators.kit import registry
from tests.site.tool_fields import at_bounds

URL = "/training-plan/"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"tp": "3"}, "tp"),
        ({"tp": "16"}, "tp"),  # Llama 3.1 8B has 8 KV heads
        ({"pp": "64"}, "pp"),
        ({"cp": "3"}, "cp"),
        ({"pp": "1", "vpp": "2"}, "vpp"),
        ({"gpus": "12"}, "gpus"),  # not whole 8-GPU nodes
        ({"gpu": "rtx-4090-24gb", "gpus": "16"}, "gpus"),  # no network figures
        ({"model": "custom", "kv_heads": "5"}, "kv_heads"),
        ({"model": "custom", "hidden": "4000", "heads": "48"}, "heads"),
        ({"global_batch": "101", "tp": "1", "pp": "1", "cp": "1"}, "global_batch"),
    ],
)
def test_impossible_combinations_are_field_errors(client, params, field):
    r = client.get(URL, {**params, "format": "json"})
    assert r.status_code == 400, r.content
    assert list(r.json()["errors"]) == [field]
    page = client.get(URL, params)
    assert page.status_code == 200 and 'data-testid="errors"' in page.content.decode()


def test_moe_and_unplannable_gpus_are_not_offered(client):
    for params, field in (({"model": "mixtral-8x7b"}, "model"), ({"gpu": "gb200"}, "gpu")):
        r = client.get(URL, {**params, "format": "json"})
        assert r.status_code == 400 and list(r.json()["errors"]) == [field]


def test_large_inputs_still_answer(client):
    shape = ("layers", "hidden", "heads", "kv_heads", "ffn_hidden", "vocab")
    run = ("gpus", "seq_len", "global_batch", "train_tokens")
    params = at_bounds(registry.get("training-plan"), high=(*shape, *run))
    r = client.get(URL, {**params, "model": "custom", "format": "json"})
    assert r.status_code == 200
    assert r.json()["result"]["plans"]  # some 200 trillion parameters, sharded over every GPU
