"""A result dataclass as plain JSON values, fast enough for 100,000-point curves.

dataclasses.asdict deep-copies every field of every nested dataclass through generic Python
code: a ROC result from 100,000 scores (100,001 points, 100,000 trapezoid areas, the PR curve)
took 1.0 s that way, longer than computing it (bench/metrics_bench.py, "asdict s"). orjson
writes dataclasses, tuples and floats in C, and reading its output back gives the same dicts
and lists asdict would, in 0.13 s: floats survive exactly (both sides use the shortest
round-tripping repr), tuples become lists as JSON has them. A curve's points are held as
columns (engine.common.Rows) and written as the list of records asdict would give.
"""

import json
from dataclasses import fields, is_dataclass

import orjson

from .engine.common import Rows


def plain(result) -> dict:
    """`result` (a dataclass) as dicts, lists and scalars, as dataclasses.asdict would give
    it, with tuples as lists."""
    try:
        return orjson.loads(orjson.dumps(result, default=records))
    except orjson.JSONEncodeError:  # an integer over 64 bits, say: the general road
        return json.loads(json.dumps(result, default=fields_or_records))


def records(value):
    if isinstance(value, Rows):
        return value.as_json()
    raise TypeError(type(value).__name__)


def fields_or_records(value):
    """json's hook: a dataclass as its fields (json cannot walk one), Rows as records."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in fields(value)}
    return records(value)
