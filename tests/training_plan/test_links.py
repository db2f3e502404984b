"""The handoff links' query strings against urllib's own urlencode, which they replace."""

from urllib.parse import urlencode as urllib_urlencode

from hypothesis import example, given
from hypothesis import strategies as st

from training_plan.forms import urlencode

VALUES = st.one_of(
    st.integers(),
    st.floats(allow_nan=False),
    st.text(),
    st.sampled_from(["llama-3.1-8b", "mixed_fp32_grads", "custom", "h100-80gb"]),
)


@example({"a": "b&c=d"})  # a value that brings its own & and =
@example({"a": "=", "b": "&"})
@example({"a": 1e16, "b": -1, "c": ""})  # 1e+16 needs quoting
@example({})
@given(st.dictionaries(st.from_regex(r"[a-z_]{1,12}", fullmatch=True), VALUES, max_size=25))
def test_the_links_query_is_urllibs_urlencode(values):
    assert urlencode(values) == urllib_urlencode(values)
