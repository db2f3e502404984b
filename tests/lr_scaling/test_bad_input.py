"""Bad input particular to /lr-scaling/: inputs that need each other, named on the field that is
missing, and extreme values that must not overflow. Every field against every kind of bad
value is tests/site/test_bad_input.py."""

import pytest

from calculators.kit import registry
from tests.site.tool_fields import at_bounds

URL = "/lr-scaling/"


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


def test_extreme_but_valid_inputs_do_not_overflow(client):
    tool = registry.get("lr-scaling")
    high = ("new_batch", "seq_len", "tokens", "base_warmup", "beta2")
    query = at_bounds(tool, high=high, low=("base_lr", "base_batch", "critical_batch", "beta1"))
    query |= at_bounds(tool, low=("eps",)) | {"format": "json"}
    assert client.get(URL, query).status_code == 200
    query.update(at_bounds(tool, high=("layers", "hidden")))
    assert client.get(URL, query).status_code == 200
    query.pop("format")
    assert client.get(URL, query).status_code == 200
    assert (
        client.get(URL, at_bounds(tool, high=("flops", "base_lr"), low=("new_batch",))).status_code
        == 200
    )
