"""memory.ratio, the planner's int ÷ int where a byte count may pass 2**53, against the exact
quotient rounded once (fractions.Fraction's float: the correctly rounded value, what Python's
`/` of two ints gives). Compiled with mypyc, a plain `/` of two ints that fit a machine word
divides two doubles, each already rounded: past 2**53 the quotient can be one unit in the last
place off. The tests run interpreted and compiled (training_plan/engine/compiled.py)."""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from training_plan.engine.memory import ratio, share


def test_a_quotient_two_rounded_doubles_get_wrong():
    # Found by search: the doubles nearest these ints divide to the next double down.
    n, d = 2_081_918_845_191_089_988, 3871
    assert float(n) / float(d) != float(Fraction(n, d))
    assert ratio(n, d) == float(Fraction(n, d))


@given(st.integers(0, 2**70), st.integers(1, 2**40))
def test_ratio_is_the_exact_quotient_rounded_once(n, d):
    assert ratio(n, d) == float(Fraction(n, d))


@given(
    st.integers(0, 2**62).map(float).filter(lambda x: x == int(x)),
    st.integers(1, 2**20),
    st.integers(1, 2**12),
)
def test_share_is_the_exact_quotient_of_the_ints_rounded_once(each, count, parts):
    # `each` is a whole number of bytes held in a double (below 2**53 exactly the int; above
    # it, a double that is itself a whole number): each · count / parts as Python's ints divide.
    assert share(each, count, parts) == float(Fraction(int(each) * count, parts))
