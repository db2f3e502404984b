"""Display formatting, the only place numbers are rounded. Values headed back into inputs or
URLs use `plain`, never these."""

import math

from ..catalog.memory import GIB
from .fields import plain_number

MINUS = "\u2212"
SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def signed(text: str) -> str:
    return text.replace("-", MINUS)


def plain(value):
    return "" if value is None else plain_number(value)


# The formatters below run a hundred times and more in a tool's recompute, so each does its work
# in as few Python calls as it can (the minus replaced inline, an int formatted without int()):
# about 2,000 CPU instructions fewer an exact() of an int, 1,000 a fixed() (callgrind).
# tests/kit/test_numbers.py compares them with their former, plainer versions.


def exact(value):
    """4194304 -> '4,194,304'; floats keep up to 6 significant digits."""
    if type(value) is int:
        text = f"{value:,}"
        return text if value >= 0 else text.replace("-", MINUS)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.6g}".replace("-", MINUS)
    return f"{int(value):,}".replace("-", MINUS)


def human(value):
    """4194304 -> '4.19M'; below ten thousand the exact figure reads better. Three significant
    digits that round up to a thousand of one unit are one of the next (999,885,952 -> '1B',
    where :.3g alone wrote '1e+03M'); past a thousand of the largest, its digits are grouped
    (1.5e15 -> '1,500T')."""
    size = abs(value)
    if size < 10_000:
        return exact(value)
    for index, (scale, suffix) in enumerate(SUFFIXES):
        if size >= scale:
            text = f"{value / scale:.3g}"
            if "e" in text:  # a thousand or more of this unit, after rounding
                if index:
                    scale, suffix = SUFFIXES[index - 1]
                    text = f"{value / scale:.3g}"
                else:
                    text = f"{value / scale:,.0f}"
            return f"{text}{suffix}".replace("-", MINUS)
    return exact(value)


def fixed(value, digits=2):
    return f"{value:,.{int(digits)}f}".replace("-", MINUS)


def scientific(value) -> str:
    """A learning rate as plain text: 0.0003 -> '3.00e-4' (an ASCII minus, for meta text)."""
    mantissa, exponent = f"{value:.2e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def sci(value):
    """Learning rates: 0.0003 -> '3.00e−4' (floatformat would print 0.000)."""
    return "0" if value == 0 else signed(scientific(value))


def pct(value, digits=2):
    """Signed percent: 2.5 -> '+2.50%', -1 -> '−1.00%'."""
    if value == 0:
        return "0%"
    return signed(f"{value:+.{int(digits)}f}%")


def gib(nbytes):
    """Binary gibibytes, labelled as such: 2**30 -> '1.00 GiB'."""
    return f"{nbytes / GIB:,.2f} GiB"


def gb(nbytes):
    """Decimal gigabytes: 10**9 -> '1.00 GB'."""
    return f"{nbytes / 1e9:,.2f} GB"


def times(value):
    """A ratio: 1.0234 -> '1.02×'."""
    return f"{value:.3g}\u00d7" if math.isfinite(value) else "—"


def percent(fraction, digits=1):
    """An unsigned share: 0.21875 -> '21.9%'."""
    return f"{fraction * 100:.{int(digits)}f}%"


DURATIONS = ((86_400.0, "days"), (3_600.0, "h"), (60.0, "min"), (1.0, "s"))


def duration(seconds):
    """Wall-clock time in the largest unit that keeps it at least 1: 7.95 s, 2.40 h, 67.1 days."""
    for scale, unit in DURATIONS:
        if seconds >= scale:
            return (
                f"{seconds / scale:,.3g} {unit}"
                if seconds < 1000 * scale
                else f"{seconds / scale:,.0f} {unit}"
            )
    return f"{seconds * 1000:.3g} ms"


def approx(value):
    """A derived count that is rarely whole (622 sequences, 2.55M tokens): nearest whole, human.
    Below ten, three significant digits, so an estimate of 0.03 sequences does not read as 0."""
    if abs(value) < 10:
        return f"{value:.3g}"
    return human(round(value))


def tokens(count):
    """Context lengths the way model cards write them: 131072 -> '128K', 8192 -> '8K'."""
    if count >= 1024 and count % 1024 == 0:
        return f"{count // 1024:,}K"
    return f"{count:,}"


def signed_fixed(value, digits=1):
    """A signed difference: 1.25 -> '+1.3', -0.5 -> '−0.5'."""
    return signed(f"{value:+.{int(digits)}f}")


# The filters every template may use, by name.
FILTERS = {
    f.__name__: f
    for f in (plain, exact, human, approx, fixed, sci, pct, gib, gb, times, percent, duration)
    + (signed_fixed, tokens)
}
