"""The permalink query writer must give byte for byte what urllib's urlencode gives."""

from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st

from calculators.kit.querystrings import query

TEXT = st.text(st.characters(codec="utf-8"), max_size=12)


@given(st.lists(st.tuples(TEXT, TEXT), max_size=6))
def test_matches_urlencode_on_any_text(pairs):
    assert query(pairs) == urlencode(pairs)


def test_matches_urlencode_on_a_real_scenario():
    pairs = [("global_batch", "1000"), ("mfu", "0.4"), ("gpu", "h100-sxm"), ("ref_lr", "3e-05")]
    pairs.append(("compare", "micro_batch=8&gpus=16"))
    assert query(pairs) == urlencode(pairs)
