"""Bad values on every cluster-depth parameter: never a 5xx, always the field and its range."""

import pytest

from tests.bad_values import BAD, error_box_text

URL = "/gradient-accumulation/"
LABELS = {
    "vpp": "Interleaving (VPP)",
    "target_tokens": "Target tokens per step",
    "train_tokens": "Training budget",
    "tokens_per_gpu_s": "Measured throughput",
    "params_b": "Model size",
    "peak_tflops": "Custom peak",
    "mfu": "MFU",
    "dataset_sequences": "Dataset size",
    "rampup_start": "Ramp-up start batch",
    "rampup_increment": "Ramp-up increment",
    "rampup_samples": "Ramp-up samples",
}
REQUIRED = {"vpp", "mfu"}
DECIMALS = {"tokens_per_gpu_s", "params_b", "peak_tflops"}  # 1.5 is a fine value for these


def bad_values(param):
    values = [v for v in BAD if param in REQUIRED or v.strip()]  # optional: blank = not given
    if param in DECIMALS:
        values.remove("1.5")
    return values


@pytest.mark.parametrize("param", LABELS)
@pytest.mark.parametrize("fmt", ["json", "html"])
def test_bad_numbers(client, param, fmt):
    for value in bad_values(param):
        query = {param: value}
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
        assert LABELS[param] in message, (param, value[:20])
        assert " to " in message


def test_bad_gpu_choice(client):
    r = client.get(URL, {"gpu": "tpu-v5", "format": "json"})
    assert r.status_code == 400
    assert r.json()["errors"]["gpu"][0].startswith("GPU must be one of: a100, h100-sxm")


def test_whole_counts_take_scientific_notation_but_not_fractions(client):
    assert client.get(URL, {"train_tokens": "15.6e12", "format": "json"}).status_code == 200
    r = client.get(URL, {"train_tokens": "2.5", "format": "json"})
    assert "must be a whole number" in r.json()["errors"]["train_tokens"][0]


def test_repeated_new_parameters_last_value_wins(client):
    r = client.get(URL + "?pp=4&gpus=32&vpp=3&vpp=2&format=json")
    assert r.json()["inputs"]["vpp"] == 2


def test_ten_kilobyte_pin_and_many_pins(client):
    r = client.get(URL, {"compare": "g" * 10_240, "format": "json"})
    assert r.status_code == 400 and "too long" in r.json()["errors"]["compare"][0]
    query = "&".join(["compare=gpus%3D16"] * 500)
    r = client.get(f"{URL}?{query}&format=json")
    assert r.status_code == 400 and "at most 4" in r.json()["errors"]["compare"][0]
