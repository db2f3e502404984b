"""Every LR-scaling parameter, every kind of bad value: never a 5xx, always a message naming the
field and the allowed range (a 400 with the field's errors in JSON, a 200 page in HTML)."""

import pytest

from tests.bad_values import BAD

URL = "/lr-scaling/"
LABELS = {
    "base_lr": "Learning rate that works",
    "base_batch": "Batch it worked at",
    "new_batch": "New global batch",
    "seq_len": "Sequence length",
    "beta1": "Adam β1",
    "beta2": "Adam β2",
    "eps": "Adam ε",
    "base_warmup": "Warmup at the old batch",
    "tokens": "Training tokens",
    "critical_batch": "Critical batch",
    "target_loss": "Loss you expect to reach",
    "flops": "Training compute",
    "layers": "Layers",
    "hidden": "Model width",
}
OPTIONAL = {"seq_len", "base_warmup", "tokens", "critical_batch", "target_loss", "flops"}
OPTIONAL |= {"layers", "hidden"}
# Values that are bad for some fields but a valid input for others.
VALID = {
    "base_lr": {"1.5"},
    "beta1": {"0"},
    "beta2": {"0"},
    "base_warmup": {"0"},
    "tokens": {"1.5"},
    "critical_batch": {"1.5"},
    "target_loss": {"1.5"},
}


def bad_values(param):
    values = [v for v in BAD if v not in VALID.get(param, set())]
    if param in OPTIONAL:  # blank means "not given"
        values = [v for v in values if v.strip()]
    return values


@pytest.mark.parametrize("param", LABELS)
@pytest.mark.parametrize("fmt", ["json", "html", "fragment"])
def test_bad_numbers(client, param, fmt):
    label = LABELS[param]
    for value in bad_values(param):
        query = {param: value}
        headers = {"HTTP_HX_REQUEST": "true"} if fmt == "fragment" else {}
        if fmt == "json":
            query["format"] = "json"
        r = client.get(URL, query, **headers)
        assert r.status_code < 500
        if fmt == "json":
            assert r.status_code == 400, (param, value[:20])
            (message,) = r.json()["errors"][param]
        else:
            assert r.status_code == 200
            message = r.content.decode()
            assert 'data-testid="errors"' in message
        assert label in message, (param, value[:20])
        assert " to " in message  # the allowed range is stated


def test_bad_optimizer(client):
    r = client.get(URL, {"optimizer": "lion", "format": "json"})
    assert r.status_code == 400
    assert r.json()["errors"]["optimizer"] == ["Optimizer must be one of: adam, sgd."]


@pytest.mark.parametrize(
    "query, field, words",
    [
        ({"critical_batch": "9", "target_loss": "2.5", "seq_len": "1"}, "target_loss", "not both"),
        ({"target_loss": "2.5"}, "target_loss", "sequence length"),
        ({"tokens": "2e12"}, "tokens", "sequence length"),
        ({"layers": "30"}, "hidden", "width"),
        ({"hidden": "4096", "seq_len": "4096", "tokens": "1e9"}, "layers", "Layers"),
        ({"layers": "30", "hidden": "4096", "seq_len": "4096"}, "tokens", "tokens"),
        ({"layers": "30", "hidden": "4096", "flops": "1e21"}, "flops", "not both"),
    ],
)
def test_inputs_that_need_each_other_name_the_field(client, query, field, words):
    r = client.get(URL, {**query, "format": "json"})
    assert r.status_code == 400
    (message,) = r.json()["errors"][field]
    assert words in message
    html = client.get(URL, query).content.decode()
    assert words in html


def test_same_parameter_500_times(client):
    query = "&".join(["new_batch=2"] * 499 + ["new_batch=8"])
    r = client.get(f"{URL}?{query}&format=json")
    assert r.status_code == 200 and r.json()["inputs"]["new_batch"] == 8


def test_extreme_but_valid_inputs_do_not_overflow(client):
    query = {
        "base_lr": "1e-12",
        "base_batch": "1",
        "new_batch": "1000000000000",
        "critical_batch": "1",
        "seq_len": "10485760",
        "tokens": "1e16",
        "base_warmup": "1000000000",
        "beta1": "0",
        "beta2": "0.999999",
        "eps": "1e-30",
        "format": "json",
    }
    assert client.get(URL, query).status_code == 200
    query.update({"layers": "10000", "hidden": "1048576"})
    assert client.get(URL, query).status_code == 200
    query.pop("format")
    assert client.get(URL, query).status_code == 200
    assert client.get(URL, {"flops": "1e30", "base_lr": "10", "new_batch": "1"}).status_code == 200
