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
    before = human_before(value)
    if "e+" not in before:  # the former version wrote "1e+03M" for 999,885,952 (below)
        assert numbers.human(value) == before


def test_human_never_writes_an_exponent():
    # Gemma 3 1B: 999,885,952 parameters counted from its config.json (the Gemma 3 technical
    # report, Table 1: 1.0B in all), which the GPU pages printed as "1e+03M" before.
    cases = {
        999_885_952: "1B",
        999_999: "1M",
        999_499: "999K",
        -999_885_952: "\u22121B",
        999_500_000_000: "1T",
        1.5e15: "1,500T",
        123_456_789_012_345_678: "123,457T",
    }
    for value, text in cases.items():
        assert numbers.human(value) == text, value


@given(st.integers(-(10**20), 10**20) | st.floats(-1e20, 1e20))
def test_human_is_three_significant_digits_of_the_value(value):
    text = numbers.human(value)
    if abs(value) >= 10_000:  # below it, exact()'s figure
        assert "e" not in text
        scale = dict((s, m) for m, s in numbers.SUFFIXES)[text[-1]]
        shown = float(text[:-1].replace(",", "").replace(MINUS, "-")) * scale
        assert abs(shown - value) <= 0.005 * abs(value) + 0.5 * scale * (abs(value) >= 1e15)


@given(values, st.sampled_from([0, 1, 2, 3, 4, 6, 2.0, "3"]))
def test_fixed_is_as_before(value, digits):
    assert numbers.fixed(value, digits) == fixed_before(value, digits)
    assert numbers.fixed(value) == fixed_before(value)
