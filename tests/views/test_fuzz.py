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

from calculators import registry

TOOLS = [t for t in registry.all_tools() if t.form_class is not None]

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
