"""Query strings for permalinks, written without urlencode's per-character encoder where it has
nothing to do: nearly every parameter name and value here is digits, dots and plain names.
Anything else (a pinned scenario's own query, a visitor's stray key) is quoted exactly as
urlencode would quote it."""

import re
from urllib.parse import quote_plus

NEEDS_NO_QUOTING = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch


def part(text: str) -> str:
    return text if NEEDS_NO_QUOTING(text) else quote_plus(text)


def query(pairs) -> str:
    """urlencode(pairs) for (name, value) pairs of strings."""
    return "&".join(f"{part(name)}={part(value)}" for name, value in pairs)
