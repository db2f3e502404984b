"""The flagship over HTTP: page, fragment, JSON, errors, headers."""

import json

import pytest

URL = "/gradient-accumulation/"
HX = {"HTTP_HX_REQUEST": "true"}


def test_full_page_renders_defaults(client):
    r = client.get(URL)
    html = r.content.decode()
    assert r.status_code == 200
    assert "<html" in html and 'name="micro_batch"' in html
    assert 'data-testid="accumulation_steps">32<' in html
    assert "4.19M" in html and "4,194,304" in html
    assert '<link rel="canonical"' in html
    assert 'property="og:description" content="1,024 sequences on 8 GPUs' in html


def test_fragment_holds_the_result_of_the_scenario(client):
    r = client.get(URL + "?global_batch=1000", **HX)
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-testid="accumulation_steps">31<' in html
    assert 'data-testid="note-not-clean"' in html


def test_json_has_contract_keys(client):
    r = client.get(URL, {"format": "json"})
    data = r.json()
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    assert data["inputs"] == {
        "global_batch": 1024,
        "micro_batch": 4,
        "gpus": 8,
        "seq_len": 4096,
        "rounding": "nearest",
        "tp": 1,
        "pp": 1,
        "cp": 1,
        "vpp": 1,
        "target_tokens": None,
        "ref_lr": None,
        "ref_batch": None,
        "train_tokens": None,
        "tokens_per_gpu_s": None,
        "model": None,
        "params_b": None,
        "layers": None,
        "hidden": None,
        "heads": None,
        "head_dim": None,
        "gpu": "h100-sxm",
        "peak_tflops": None,
        "mfu": 0.4,
        "dataset_sequences": None,
        "rampup_start": None,
        "rampup_increment": None,
        "rampup_samples": None,
        "compare": [],
    }
    result = data["result"]
    for key in (
        "data_parallel_size",
        "samples_per_micro_step",
        "exact_accumulation",
        "accumulation_steps",
        "is_clean_multiple",
        "effective_global_batch",
        "batch_below",
        "batch_above",
        "tokens_per_micro_step",
        "tokens_per_step",
    ):
        assert key in result
    assert result["accumulation_steps"] == 32 and result["tokens_per_step"] == 4_194_304


def test_partial_parameters_take_defaults_and_last_value_wins(client):
    r = client.get(URL + "?gpus=4&gpus=16&format=json")
    assert r.json()["inputs"]["gpus"] == 16
    assert r.json()["result"]["accumulation_steps"] == 16


def test_lr_fields_must_come_together(client):
    r = client.get(URL, {"format": "json", "ref_lr": "3e-4"})
    assert r.status_code == 400 and "ref_batch" in r.json()["errors"]
    r = client.get(URL, {"format": "json", "ref_lr": "3e-4", "ref_batch": "256"})
    assert r.json()["result"]["sqrt_lr"] == pytest.approx(6e-4)


def test_home_lists_the_flagship_and_health(client):
    assert 'data-testid="tool-gradient-accumulation"' in client.get("/").content.decode()
    r = client.get("/healthz")
    assert r.status_code == 200 and r.content == b"ok"


def test_unknown_path_is_a_404_page(client):
    r = client.get("/no-such-tool/")
    assert r.status_code == 404 and "Gradient Accumulation Calculator" in r.content.decode()


def test_json_is_valid_for_not_clean_case(client):
    data = json.loads(client.get(URL, {"global_batch": "1000", "format": "json"}).content)
    assert data["result"]["batch_below"] == 992 and data["result"]["batch_above"] == 1024
