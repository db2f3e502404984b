"""A result dataclass as plain JSON values, fast enough for 100,000-point curves.

dataclasses.asdict deep-copies every field of every nested dataclass through generic Python
code: a ROC result from 100,000 scores (100,001 points, 100,000 trapezoid areas, the PR curve)
took 1.0 s that way, longer than computing it (bench/metrics_bench.py, "asdict s"). A round
trip through orjson (dumps, then loads) took 0.13–0.5 s, most of it rebuilding the dicts the
view then writes again. So the walk is direct: a result has a few dataclasses and a few long
tuples of numbers, and a curve's points, held as columns (engine.common.Rows), become their
records' dicts in one pass. The values are those orjson's round trip gave: dataclasses as dicts
in field order, tuples as lists, and NaN or ±inf as None (JSON has neither; orjson writes null).
"""

import math
from dataclasses import fields, is_dataclass

from .engine.common import ECHO, Rows

SCALARS = (str, int, type(None))  # bool is an int


def plain(value):
    """`value` (a result dataclass, or anything in one) as dicts, lists and scalars."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, SCALARS):
        return value
    if isinstance(value, Rows):
        return value.as_json()
    if is_dataclass(value) and not isinstance(value, type):
        return {name: plain(getattr(value, name)) for name in json_fields(type(value))}
    if isinstance(value, (list, tuple)):
        return list(map(plain, value))
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


_JSON_FIELDS: dict[type, tuple[str, ...]] = {}


def json_fields(cls) -> tuple[str, ...]:
    """A result class's fields in the JSON answer, in field order: every one but the inputs it
    echoes for its page (engine.common.echo). Worked out once per class."""
    names = _JSON_FIELDS.get(cls)
    if names is None:
        names = _JSON_FIELDS[cls] = tuple(f.name for f in fields(cls) if ECHO not in f.metadata)
    return names
