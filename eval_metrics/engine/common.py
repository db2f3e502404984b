"""Small helpers shared by the metric engines."""

import heapq
import math
from collections.abc import Sequence
from dataclasses import field, fields
from statistics import NormalDist

from calculators.kit.errors import InputError

# The two-sided 95% normal quantile, 1.959963984540054, computed rather than rounded to 1.96.
Z_95 = NormalDist().inv_cdf(0.975)


# The metadata key of a result's echo fields (echo below).
ECHO = "echo"


def echo(default=None):
    """A result field holding one of the inputs the result was worked out from, as the engine
    took them, for the page to print (its worked example, its tables): the page's result block
    reads the result alone, never the form. The JSON answer's `inputs` hold them already, so
    its `result` leaves them out (json_values.plain), and two results are equal or not by
    their figures alone."""
    return field(default=default, repr=False, compare=False, metadata={ECHO: True})


def mean(values: Sequence[float]) -> float:
    # fsum is exactly rounded, so long lists do not drift from the value a person checks.
    return math.fsum(values) / len(values)


def require_same_length(first: str, a: Sequence, second: str, b: Sequence) -> None:
    if len(a) != len(b):
        raise InputError(
            second,
            f"{second} has {count(len(b))} but {first} has {count(len(a))}: give one {second} "
            f"value for each {first} value, in the same order.",
        )


def count(n: int) -> str:
    return f"{n:,} value{'' if n == 1 else 's'}"


def require_binary_labels(name: str, labels: Sequence[int]) -> None:
    for i, label in enumerate(labels, start=1):
        if label not in (0, 1):
            raise InputError(
                name, f"{name} must hold only the labels 0 and 1: value {i:,} is {label}."
            )


def highlight_count(n: int) -> int:
    """How many worst samples to single out: a quarter of them, 1 to 5."""
    return min(5, max(1, math.ceil(n / 4)))


def worst_first(values: Sequence[float]) -> list[int]:
    """Indices of the largest values, largest first (ties keep input order), as many as
    highlight_count says."""
    # nlargest is documented as sorted(..., reverse=True)[:count], a stable sort, so ties keep
    # input order; it keeps only `count` candidates, where a full sort of 100,000 took 0.2 s.
    return heapq.nlargest(highlight_count(len(values)), range(len(values)), key=values.__getitem__)


class Rows(Sequence):
    """A table of records held as columns, read as a sequence of records.

    A curve from 100,000 scores has 100,001 points; building a frozen dataclass for each cost
    about 0.13 s, and almost none is ever read one by one (the page shows the first rows and
    a sampled polyline, the JSON answer writes the columns). So the engines compute whole
    columns with numpy and keep them here as tuples of plain Python values; rows[i] builds the
    record `record(**row i)` only when asked, and as_json() gives the list of dicts
    dataclasses.asdict would give for a tuple of such records, with the keys in field order:
    by the record's `json_row(*values)` when it has one (a dict display, twice as fast as
    dict(zip(names, values)) over 100,000 rows), else generically.
    """

    def __init__(self, record: type, **columns: Sequence):
        names = [f.name for f in fields(record)]
        if sorted(columns) != sorted(names):
            raise TypeError(f"{record.__name__} rows need the columns {names}")
        lengths = {len(column) for column in columns.values()}
        if len(lengths) != 1:
            raise ValueError("every column needs the same length")
        self.record = record
        self.columns = {name: tuple(columns[name]) for name in names}
        self.length = lengths.pop()

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.length))]
        if index < 0:
            index += self.length
        if not 0 <= index < self.length:
            raise IndexError(index)
        return self.record(**{name: column[index] for name, column in self.columns.items()})

    def __eq__(self, other) -> bool:
        if isinstance(other, Rows):
            return self.record is other.record and self.columns == other.columns
        return NotImplemented

    def __hash__(self) -> int:  # the records are frozen dataclasses, hashable; so are rows
        return hash((self.record, *self.columns.values()))

    def as_json(self) -> list[dict]:
        json_row = getattr(self.record, "json_row", None)
        if json_row is not None:
            return list(map(json_row, *self.columns.values()))
        names = tuple(self.columns)
        rows = zip(*self.columns.values(), strict=True)
        return [dict(zip(names, row, strict=True)) for row in rows]
