"""Bad input particular to /activation-memory/: layouts the engine refuses, each named on its
field, and everything at its maximum. Every field against every kind of bad value is
tests/site/test_bad_input.py."""

import pytest

from calculators.kit import registry
from tests.site.tool_fields import at_bounds

URL = "/activation-memory/"


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
    tool = registry.get("activation-memory")
    shape = ("seq_len", "micro_batch", "hidden", "layers", "heads", "kv_heads", "ffn_hidden")
    params = at_bounds(tool, high=(*shape, "vocab", "tp", "pp", "gpus"))
    params |= {"attention": "eager", "arch": "gpt", "sp": "1", "format": "json"}
    r = client.get(URL, params)
    assert r.status_code == 200
    assert r.json()["result"]["largest_micro_batch"] == 0
    assert client.get(URL, {**params, "format": "html"}).status_code == 200
