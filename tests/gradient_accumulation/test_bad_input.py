"""Every parameter, every kind of bad value: never a 5xx, always a message naming the field."""

import pytest

from tests.bad_values import BAD, error_box_text

URL = "/gradient-accumulation/"
NUMBER_PARAMS = {
    "global_batch": "Global batch",
    "micro_batch": "Micro-batch",
    "gpus": "GPUs",
    "seq_len": "Sequence length",
    "tp": "Tensor parallel",
    "pp": "Pipeline parallel",
    "cp": "Context parallel",
    "ref_batch": "Recipe global batch",
    "ref_lr": "Recipe learning rate",
}


def bad_values(param):
    values = list(BAD)
    if param == "ref_lr":  # a decimal field: 1.5 is a valid learning rate
        values.remove("1.5")
    if param in ("ref_lr", "ref_batch"):  # optional: blank means "not given"
        values = [v for v in values if v.strip()]
    return values


@pytest.mark.parametrize("param", NUMBER_PARAMS)
@pytest.mark.parametrize("fmt", ["json", "html"])
def test_bad_numbers(client, param, fmt):
    label = NUMBER_PARAMS[param]
    for value in bad_values(param):
        query = {param: value}
        if param == "ref_lr":
            query["ref_batch"] = "256"
        if param == "ref_batch":
            query["ref_lr"] = "3e-4"
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


def test_bad_choice(client):
    r = client.get(URL, {"rounding": "sideways", "format": "json"})
    assert r.status_code == 400
    assert r.json()["errors"]["rounding"] == ["Rounding must be one of: nearest, up, down."]


def test_same_parameter_500_times(client):
    query = "&".join(["micro_batch=2"] * 499 + ["micro_batch=8"])
    r = client.get(f"{URL}?{query}&format=json")
    assert r.status_code == 200 and r.json()["inputs"]["micro_batch"] == 8


def test_indivisible_parallelism_is_a_field_error(client):
    r = client.get(URL, {"gpus": "10", "tp": "4", "format": "json"})
    assert r.status_code == 400
    assert "TP x PP x CP" in r.json()["errors"]["gpus"][0]
