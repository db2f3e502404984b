"""Every parameter of /training-plan/, every kind of bad value: never a 5xx, always a message
naming the field and what is allowed."""

import pytest

from tests.bad_values import BAD, error_box_text

URL = "/training-plan/"
NUMBER_PARAMS = {
    "layers": "Layers",
    "hidden": "Hidden size",
    "heads": "Attention heads",
    "kv_heads": "KV heads",
    "ffn_hidden": "MLP width",
    "vocab": "Vocabulary",
    "gpus": "GPUs",
    "gpus_per_node": "GPUs per node",
    "seq_len": "Sequence length",
    "global_batch": "Global batch",
    "train_tokens": "Training tokens",
    "tp": "Tensor parallel",
    "pp": "Pipeline parallel",
    "cp": "Context parallel",
    "vpp": "Interleaved chunks",
    "micro_batch": "Micro-batch",
    "zero": "ZeRO stage",
    "reserve_pct": "Kept free",
}
OPTIONAL = {"tp", "pp", "cp", "vpp", "micro_batch", "zero"}  # blank means "search"
CHOICE_PARAMS = {
    "model": "Model",
    "tied": "Output layer",
    "gpu": "GPU",
    "recompute": "Recomputation",
    "precision": "Training precision",
    "optimizer": "Optimizer",
}


def bad_values(param):
    values = list(BAD)
    if param == "reserve_pct":
        values.remove("1.5")  # a valid decimal
        values.remove("0")  # keep nothing free
    if param == "zero":
        values.remove("0")  # ZeRO stage 0
    if param == "train_tokens":
        values.remove("1e309")  # read as a whole count: out of range, said so below anyway
    if param in OPTIONAL:
        values = [v for v in values if v.strip()]  # blank is allowed
    return values


@pytest.mark.parametrize("param", NUMBER_PARAMS)
def test_bad_numbers(client, param):
    label = NUMBER_PARAMS[param]
    for value in bad_values(param):
        query = {param: value, "model": "custom", "format": "json"}
        r = client.get(URL, query)
        assert r.status_code == 400, (param, value[:20])
        (message,) = r.json()["errors"][param]
        assert label in message, (param, value[:20], message)
        assert " to " in message  # the allowed range is stated
        page = client.get(URL, {param: value, "model": "custom"})
        assert page.status_code == 200
        assert label in error_box_text(page)


@pytest.mark.parametrize("param", CHOICE_PARAMS)
def test_bad_choices(client, param):
    for value in ["sideways", "9", "\u0661", "x" * 10_240]:
        r = client.get(URL, {param: value, "format": "json"})
        assert r.status_code == 400, (param, value[:20])
        (message,) = r.json()["errors"][param]
        assert message.startswith(f"{CHOICE_PARAMS[param]} must be one of:")


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
    for params, field in (({"model": "mixtral-8x7b"}, "model"), ({"gpu": "h100-pcie"}, "gpu")):
        r = client.get(URL, {**params, "format": "json"})
        assert r.status_code == 400 and list(r.json()["errors"]) == [field]


def test_large_inputs_still_answer(client):
    params = {
        "model": "custom",
        "layers": "1024",
        "hidden": "131072",
        "heads": "1024",
        "kv_heads": "1024",
        "ffn_hidden": "524288",
        "vocab": "1048576",
        "gpus": "131072",
        "seq_len": "1048576",
        "global_batch": "1048576",
        "train_tokens": "1e16",
        "format": "json",
    }
    r = client.get(URL, params)
    assert r.status_code == 200
    assert r.json()["result"]["plans"]  # 200 trillion parameters: sharded over 131,072 GPUs
