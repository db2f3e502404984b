"""The one query writer (permalinks and every link between tools) must give byte for byte what
urllib's urlencode gives; Tool.link, what urlencode gives for the values the target accepts."""

from urllib.parse import urlencode

from hypothesis import example, given
from hypothesis import strategies as st

from calculators.kit import registry
from calculators.kit.fields import plain_number
from calculators.kit.querystrings import query

TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
PLAIN = st.from_regex(r"[A-Za-z0-9_.~-]{0,12}", fullmatch=True)


@example([("a", "b&c=d")])  # a value that brings its own & and =
@example([("a", "="), ("b", "&")])
@example([("a", "1e+16"), ("b", "-1"), ("c", "")])  # + needs quoting
@example([])
@given(st.lists(st.tuples(TEXT, TEXT), max_size=6) | st.lists(st.tuples(PLAIN, PLAIN), max_size=30))
def test_matches_urlencode_on_any_text(pairs):
    assert query(pairs) == urlencode(pairs)
    assert query(iter(pairs)) == urlencode(pairs)


def test_matches_urlencode_on_a_real_scenario():
    pairs = [("global_batch", "1000"), ("mfu", "0.4"), ("gpu", "h100-sxm"), ("ref_lr", "3e-05")]
    pairs.append(("compare", "micro_batch=8&gpus=16"))
    assert query(pairs) == urlencode(pairs)


VALUES = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.sampled_from(["llama-3.1-8b", "mixed_fp32_grads", "custom", "h100-80gb", "a&b=c"]),
)


@given(st.dictionaries(st.sampled_from(registry.get("activation-memory").accepts + ("x",)), VALUES))
def test_a_link_is_urlencode_of_what_the_target_accepts_in_its_order(values):
    tool = registry.get("activation-memory")
    kept = [(k, plain_number(values[k])) for k in tool.accepts if values.get(k) is not None]
    assert tool.link(values) == (f"{tool.path}?{urlencode(kept)}" if kept else tool.path)
