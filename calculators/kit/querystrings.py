"""Query strings for permalinks, written without urlencode's per-character encoder where it has
nothing to do: nearly every parameter name and value here is digits, dots and plain names.
Anything else (a pinned scenario's own query, a visitor's stray key) is quoted exactly as
urlencode would quote it."""

import re
from itertools import chain
from urllib.parse import quote_plus

NEEDS_NO_QUOTING = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch


def part(text: str) -> str:
    return text if NEEDS_NO_QUOTING(text) else quote_plus(text)


def query(pairs) -> str:
    """urlencode(pairs) for (name, value) pairs of strings."""
    pairs = pairs if isinstance(pairs, list) else list(pairs)
    # Usually not one character anywhere needs quoting: one match over every name and value
    # together finds that, and the pairs are joined in C. A permalink has thirty-odd pairs,
    # and a page writes several (callgrind: 0.1 M CPU instructions of the flagship's
    # recompute went to a regex match and an f-string per name and per value).
    if NEEDS_NO_QUOTING("".join(chain.from_iterable(pairs))):
        return "&".join(map("=".join, pairs))
    return "&".join(f"{part(name)}={part(value)}" for name, value in pairs)
