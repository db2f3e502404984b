"""The kit's number formatters against their former, plainer versions (written out below as
they were before calculators/kit/numbers.py inlined the minus and took a fast path for ints):
the same text for every int, float and count a page prints, negatives and zeros included."""

from hypothesis import given
from hypothesis import strategies as st

from calculators.kit import numbers

MINUS = "\u2212"


def signed(text):
    return text.replace("-", MINUS)


def exact_before(value):
    if isinstance(value, float) and not value.is_integer():
        return signed(f"{value:,.6g}")
    return signed(f"{int(value):,}")


def human_before(value):
    if abs(value) < 10_000:
        return exact_before(value)
    for scale, suffix in numbers.SUFFIXES:
        if abs(value) >= scale:
            return signed(f"{value / scale:.3g}{suffix}")
    return exact_before(value)


def fixed_before(value, digits=2):
    return signed(f"{value:,.{int(digits)}f}")


values = (
    st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.floats(-1e6, 1e6)
    | st.integers(-(10**9), 10**9).map(float)
    | st.sampled_from([0, -0.0, 0.0, True, False, 9_999, 10_000, -10_000])
)


@given(values)
def test_exact_and_human_are_as_before(value):
    assert numbers.exact(value) == exact_before(value)
    assert numbers.human(value) == human_before(value)


@given(values, st.sampled_from([0, 1, 2, 3, 4, 6, 2.0, "3"]))
def test_fixed_is_as_before(value, digits):
    assert numbers.fixed(value, digits) == fixed_before(value, digits)
    assert numbers.fixed(value) == fixed_before(value)
