"""Hypothesis-driven requests over every registered tool's parameters.

Whatever arrives (wrong types, out of range, unicode, huge, repeated keys, unknown keys): never
a 5xx, JSON always parses (200 with inputs and result, or 400 with errors), every HTML answer
has the layout, every fragment has none.
"""

from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculators.catalog.models import MODELS
from calculators.kit import registry

TOOLS = registry.all_tools()  # form_class is required, so every tool is fuzzed
# Every id the flagship's GPU takes: the catalog slugs it offers and their other ids.
FLAGSHIP_GPU = registry.get("gradient-accumulation").form_class.base_fields["gpu"]
FLAGSHIP_GPU_IDS = [*(v for v, _ in FLAGSHIP_GPU.choices), *FLAGSHIP_GPU.other_ids]

numbers = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", " ", "nan", "-inf", "1e309", "0x10", "1_000", "٣", "１２", "9" * 400]),
)
text = st.text(max_size=60)
values = st.one_of(numbers, text, st.lists(numbers, max_size=5).map(", ".join))


def query_strategy(tool):
    names = st.sampled_from([*tool.form_class.base_fields, "format", "unknown", "ü"])
    pairs = st.lists(st.tuples(names, values), max_size=12)
    return pairs.map(lambda p: [(k, v) for k, v in p if k != "format"])


@pytest.mark.parametrize("tool", TOOLS, ids=[t.slug for t in TOOLS])
def test_any_query_is_answered_without_server_error(tool):
    client = Client()

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(query_strategy(tool))
    def check(pairs):
        query = urlencode(pairs)
        url = f"{tool.path}?{query}"
        data = client.get(url + ("&" if query else "") + "format=json")
        assert data.status_code in (200, 400), (url, data.status_code)
        body = data.json()
        assert ("result" in body) if data.status_code == 200 else ("errors" in body)
        if data.status_code == 400:
            for messages in body["errors"].values():
                assert all(isinstance(m, str) and m for m in messages)
        page = client.get(url)
        assert page.status_code == 200 and 'class="site-header"' in page.content.decode()
        fragment = client.get(url, HTTP_HX_REQUEST="true")
        assert fragment.status_code == 200 and "<html" not in fragment.content.decode()

    check()


@pytest.mark.parametrize("tool", TOOLS, ids=[t.slug for t in TOOLS])
def test_defaults_answer_and_cross_field_errors_are_400(tool):
    """The bare JSON URL is always a valid scenario; rejected inputs are 400, not 200."""
    client = Client()
    assert client.get(f"{tool.path}?format=json").status_code == 200
    first = next(iter(tool.form_class.base_fields))
    assert client.get(f"{tool.path}?format=json&{first}=%00").status_code == 400


def flagship_scenarios():
    """In-range flagship scenarios that switch the optional sections on and off, so most of them
    compute and every branch of the result template gets rendered."""
    optional = {
        "target_tokens": st.integers(1, 10**8),
        "vpp": st.sampled_from([1, 2, 4]),
        "train_tokens": st.integers(10**6, 10**13),
        "tokens_per_gpu_s": st.integers(100, 10**5),
        "params_b": st.sampled_from([0.5, 7, 70]),
        "model": st.sampled_from([m.id for m in MODELS]),
        "gpu": st.sampled_from(FLAGSHIP_GPU_IDS),
        "mfu": st.sampled_from([0.2, 0.4]),
        "dataset_sequences": st.integers(1, 10**6),
        "ref_lr": st.sampled_from([3e-4, 1e-5]),
        "ref_batch": st.integers(1, 4096),
        "rounding": st.sampled_from(["nearest", "up", "down"]),
    }
    base = st.fixed_dictionaries(
        {
            "global_batch": st.integers(1, 5000),
            "micro_batch": st.integers(1, 64),
            "gpus": st.sampled_from([1, 2, 8, 16, 64]),
            "pp": st.sampled_from([1, 2, 4]),
            "seq_len": st.sampled_from([512, 4096]),
        },
        optional=optional,
    )
    ramp = st.sampled_from(
        [{}, {"rampup_start": 64, "rampup_increment": 64, "rampup_samples": 10**5}]
    )
    pins = st.lists(st.sampled_from(["micro_batch=8", "gpus=16", "pp=2&gpus=16"]), max_size=3)
    return st.tuples(base, ramp, pins)


@settings(max_examples=120, deadline=None, derandomize=True)
@given(flagship_scenarios())
def test_flagship_result_renders_for_any_valid_scenario(scenario):
    params, ramp, pins = scenario
    query = urlencode([*params.items(), *ramp.items(), *(("compare", p) for p in pins)])
    client = Client()
    url = f"/gradient-accumulation/?{query}"
    data = client.get(url + "&format=json")
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    page = client.get(url)
    assert fragment.status_code == page.status_code == 200, url
    html = fragment.content.decode()
    if data.status_code == 200:
        steps = data.json()["result"]["accumulation_steps"]
        assert f'data-testid="accumulation_steps">{steps:,}<' in html
        assert html in page.content.decode()
    else:
        assert 'data-testid="errors"' in html
