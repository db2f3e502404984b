"""The planner's fast paths against the straight computations they replaced:
- framework configs' JSON written by orjson against the standard library's json.dumps with an
  indent (what DeepSpeed's snippet was written with), over every kind of value a config holds."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.catalog import framework_configs as fc

names = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30)
scalars = (
    st.integers(-(2**63), 2**63 - 1) | st.booleans() | st.none() | names  # fmt: skip
)
configs = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=6),
    max_leaves=30,
)


@settings(max_examples=500)
@given(st.dictionaries(names, configs, max_size=8))
def test_json_text_is_json_dumps_with_an_indent(config):
    assert fc.json_text(config) == json.dumps(config, indent=2) + "\n"
