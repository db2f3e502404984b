"""Every parameter of /activation-memory/, every kind of bad value: never a 5xx, always a
message naming the field and what is allowed."""

import pytest

from tests.bad_values import BAD, error_box_text

URL = "/activation-memory/"
NUMBER_PARAMS = {
    "seq_len": "Sequence length",
    "micro_batch": "Micro-batch",
    "hidden": "Hidden size",
    "layers": "Layers",
    "heads": "Attention heads",
    "kv_heads": "KV heads",
    "head_dim": "Head dimension",
    "ffn_hidden": "MLP width",
    "vocab": "Vocabulary",
    "tp": "Tensor parallel",
    "pp": "Pipeline parallel",
    "vpp": "Interleaved chunks",
    "gpus": "GPUs",
    "gpu_gib": "Custom capacity",
    "reserve_pct": "Kept free",
}
CHOICE_PARAMS = {
    "preset": "Model preset",
    "arch": "Block type",
    "tied": "Output layer",
    "attention": "Attention kernel",
    "recompute": "Recomputation",
    "dtype_bytes": "Activation precision",
    "sp": "Sequence parallel",
    "zero": "ZeRO stage",
    "precision": "Training precision",
    "optimizer": "Optimizer",
    "gpu": "GPU",
}
DECIMAL = {"gpu_gib", "reserve_pct"}


def bad_values(param):
    values = list(BAD)
    if param in DECIMAL:
        values.remove("1.5")  # a valid decimal
    if param in ("head_dim", "reserve_pct"):
        values.remove("0")  # 0 means "hidden / heads" and "keep nothing free"
    return values


@pytest.mark.parametrize("param", NUMBER_PARAMS)
@pytest.mark.parametrize("fmt", ["json", "html"])
def test_bad_numbers(client, param, fmt):
    label = NUMBER_PARAMS[param]
    for value in bad_values(param):
        query = {param: value, "gpu": "custom"}
        if fmt == "json":
            query["format"] = "json"
        r = client.get(URL, query)
        assert r.status_code < 500
        if fmt == "json":
            assert r.status_code == 400, (param, value[:20])
            (message,) = r.json()["errors"][param]
        else:
            assert r.status_code == 200
            message = error_box_text(r)
        assert label in message, (param, value[:20])
        assert " to " in message  # the allowed range is stated


@pytest.mark.parametrize("param", CHOICE_PARAMS)
def test_bad_choices(client, param):
    for value in ["", "sideways", "9", "\u0661", "x" * 10_240]:
        r = client.get(URL, {param: value, "format": "json"})
        assert r.status_code == 400, (param, value[:20])
        (message,) = r.json()["errors"][param]
        assert message.startswith(f"{CHOICE_PARAMS[param]} must be one of:")
        html = client.get(URL, {param: value})
        assert html.status_code == 200
        assert f"{CHOICE_PARAMS[param]} must be one of:" in error_box_text(html)


def test_repeated_parameter_last_wins(client):
    query = "&".join(["micro_batch=2"] * 499 + ["micro_batch=1"])
    r = client.get(f"{URL}?{query}&format=json")
    assert r.status_code == 200 and r.json()["inputs"]["micro_batch"] == 1


@pytest.mark.parametrize(
    "params, field",
    [
        ({"tp": "3"}, "tp"),
        ({"kv_heads": "5"}, "kv_heads"),
        ({"hidden": "4000", "heads": "48"}, "head_dim"),
        ({"pp": "5"}, "layers"),
        ({"vpp": "2"}, "vpp"),
        ({"tp": "2", "sp": "1", "seq_len": "4095"}, "seq_len"),
        ({"tp": "4", "gpus": "6"}, "gpus"),
    ],
)
def test_impossible_combinations_are_field_errors(client, params, field):
    r = client.get(URL, {**params, "format": "json"})
    assert r.status_code == 400
    assert list(r.json()["errors"]) == [field]
    html = client.get(URL, params)
    assert html.status_code == 200 and 'data-testid="errors"' in html.content.decode()


def test_everything_at_its_maximum_still_answers(client):
    params = {
        "seq_len": "1048576",
        "micro_batch": "65536",
        "hidden": "131072",
        "layers": "1024",
        "heads": "1024",
        "kv_heads": "1024",
        "ffn_hidden": "524288",
        "vocab": "1048576",
        "attention": "eager",
        "arch": "gpt",
        "tp": "1024",
        "sp": "1",
        "pp": "1024",
        "gpus": "1048576",
        "format": "json",
    }
    r = client.get(URL, params)
    assert r.status_code == 200
    assert r.json()["result"]["largest_micro_batch"] == 0
    assert client.get(URL, {**params, "format": "html"}).status_code == 200
