"""An uploaded CSV file, as bytes in memory, to the numeric columns a metric tool reads.

Plain Python, no Django: the view hands over the file's bytes (read in memory, never written to
disk) and gets columns picked by their header names, or an InputError on the `file` field whose
message says what is wrong and what is allowed. The caller then checks the values by the rules of
the lists they stand in for (labels 0 or 1, probabilities from 0 to 1, counts).

What a file may be: UTF-8 text (a byte-order mark is fine, as Excel's "CSV UTF-8" writes one)
or UTF-16 with its byte-order mark (Excel's "Unicode text"); comma-, semicolon- or
tab-separated, the separator read from the header row; a header row naming the columns, in any
order, other columns ignored; one row per sample, blank lines skipped. Numbers are written as
the list fields take them: ASCII digits with a decimal point, optional exponent.
"""

import codecs
import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter

from calculators.kit.errors import InputError

# 10 MiB holds 100,000 rows of three full-precision numbers (about 6 MB) with room for an id
# column; the whole file and its decoded text sit in memory at once, so the cap bounds both.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000  # the metric lists' own cap
MAX_NUMBER_CHARS = 40  # as calculators.fields.MAX_CHARS
# calculators.fields.DECIMAL, repeated here because that module imports Django: ASCII digits
# only (float() would take Arabic-Indic digits, "nan", "inf" and "1_000").
NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)
# Other header names a column is known by, after its own: a score column may hold
# probabilities, and a cluster label is often written in the singular.
ALIASES = {"y_score": ("y_prob",), "labels": ("label",)}
# First bytes of files people upload by mistake, and what they are.
SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls) or another Office file"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
)


@dataclass(frozen=True)
class UploadedColumns:
    names: tuple[str, ...]  # the columns read: one of the choices, in its order
    values: dict[str, tuple[float, ...]]  # by name, one value per row
    rows: int
    header: tuple[str, ...]  # the file's header row as written
    sources: dict[str, str]  # name → the header it was read from (an alias, say y_prob)
    separator: str


def read_columns(
    data: bytes,
    choices: Sequence[Sequence[str]],
    *,
    max_rows: int = MAX_ROWS,
    max_bytes: int = MAX_UPLOAD_BYTES,
    field: str = "file",
) -> UploadedColumns:
    """The first of `choices` (each a set of column names) whose every column the header names.

    Raises InputError(field, ...) for a file too large, binary, not UTF-8, without a header,
    without the columns (the message lists those found and those read), with a row of the wrong
    length, a cell that is not a number, no rows, or more than `max_rows` rows.
    """

    def fail(why: str):
        raise InputError(field, f"The uploaded file {why}")

    text = decode(data, max_bytes, fail)
    separator = header_separator(text)
    # The whole file is parsed and checked in C-level passes (list, map, filter); the rows'
    # line numbers are found again only to name one in an error message.
    rows = parse(text, separator, fail)
    if not rows:
        fail("has no rows at all: the first row should name the columns, e.g. y_true,y_pred.")
    header = [cell.strip() for cell in rows[0]]
    while header and not header[-1]:
        header.pop()  # trailing separators, as spreadsheets write for empty columns
    if header and all(NUMBER.fullmatch(cell) for cell in header):
        fail(
            f"has no header row: its first row is numbers. Add a first row naming the columns, "
            f"e.g. {','.join(choices[0])}."
        )
    names, positions = pick(header, choices, fail)
    body = rows[1:]
    width = len(header)
    if set(map(len, body)) - {width} or not all(map(str.strip, map("".join, body))):
        body = regular_rows(body, width, lambda i: line_of(text, separator, i + 1), fail)
    if not body:
        fail("has a header row but no rows of values.")
    if len(body) > max_rows:
        fail(f"has {len(body):,} rows, over the limit of {max_rows:,} for this tool.")
    values = {}
    for name, position in zip(names, positions, strict=True):
        cells = list(map(itemgetter(position), body))
        values[name] = numbers(cells, name, lambda i: line_of(text, separator, i + 1), fail)
    return UploadedColumns(
        names=tuple(names),
        values=values,
        rows=len(body),
        header=tuple(header),
        sources={name: header[p] for name, p in zip(names, positions, strict=True)},
        separator=separator,
    )


def reader_for(text: str, separator: str):
    # strict: an unclosed quote is an error, not a cell that swallows the rest of the file.
    return csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)


def parse(text: str, separator: str, fail) -> list[list[str]]:
    """Every non-blank row's cells."""
    reader = reader_for(text, separator)
    try:
        return list(filter(None, reader))
    except csv.Error as error:
        fail(f"is not valid CSV near line {reader.line_num:,}: {error}.")


def line_of(text: str, separator: str, index: int) -> int:
    """The line a row ends on, as an editor counts lines (a quoted cell can span several);
    `index` counts the non-blank rows from 0, the header's."""
    reader = reader_for(text, separator)
    for i, _ in enumerate(filter(None, reader)):
        if i == index:
            return reader.line_num
    return reader.line_num


def regular_rows(body: list[list[str]], width: int, line, fail) -> list[list[str]]:
    """Rows with trailing empty cells beyond the header's width dropped and rows of separators
    only skipped; any other row of the wrong width is an error naming its line."""
    kept = []
    for i, row in enumerate(body):
        while len(row) > width and not row[-1].strip():
            row = row[:-1]
        if not "".join(row).strip():
            continue
        if len(row) != width:
            fail(
                f"has {len(row):,} cell{'s' if len(row) != 1 else ''} on line {line(i):,} where "
                f"the header has {width:,}: every row needs one cell per column (a text cell "
                "holding the separator must be in double quotes)."
            )
        kept.append(row)
    return kept


def decode(data: bytes, max_bytes: int, fail) -> str:
    if len(data) > max_bytes:
        fail(
            f"is {len(data):,} bytes, over the limit of {max_bytes:,} bytes "
            f"({max_bytes / 1024 / 1024:g} MiB). Keep only the columns the tool reads."
        )
    if not data.strip():
        fail("is empty.")
    for signature, kind in SIGNATURES:
        if data.startswith(signature):
            fail(f"is {kind}, not CSV text. Save or export it as CSV (comma-separated values).")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            fail("starts like UTF-16 text but does not decode as UTF-16. Save it as CSV UTF-8.")
    else:
        if b"\x00" in data:
            fail("is binary, not CSV text (it holds NUL bytes). Save it as CSV UTF-8.")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            fail(
                f"is not UTF-8 text (byte {error.start + 1:,} cannot be decoded). Save it as "
                "CSV UTF-8."
            )
    if "\x00" in text:
        fail("is binary, not CSV text (it holds NUL characters). Save it as CSV UTF-8.")
    return text


def header_separator(text: str) -> str:
    """The separator the header row uses most: tab, semicolon or comma (comma when none)."""
    first = next((line for line in io.StringIO(text) if line.strip()), "")
    counts = {sep: first.count(sep) for sep in ("\t", ";", ",")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def pick(header: list[str], choices: Sequence[Sequence[str]], fail) -> tuple[list, list]:
    """The first choice whose every column the header names (case and spaces aside)."""
    folded: dict[str, list[int]] = {}
    for position, cell in enumerate(header):
        folded.setdefault(cell.lower(), []).append(position)

    def find(name: str) -> int | None:
        for candidate in (name, *ALIASES.get(name, ())):
            found = folded.get(candidate.lower(), [])
            if len(found) > 1:
                fail(f"names the column {candidate} {len(found)} times; keep one.")
            if found:
                return found[0]
        return None

    partial = []
    for choice in choices:
        positions = [find(name) for name in choice]
        if None not in positions:
            return list(choice), positions
        missing = [name for name, p in zip(choice, positions, strict=True) if p is None]
        if len(missing) < len(choice):
            partial.append(missing)
    found = ", ".join(cell for cell in header if cell) or "none"
    wanted = ", or ".join(" and ".join(map(with_aliases, choice)) for choice in choices)
    if len(partial) == 1:
        fail(
            f"has no {' or '.join(partial[0])} column. Its header row names: {found}. This tool "
            f"reads the columns {wanted}, by header name, in any order."
        )
    fail(
        f"has none of the columns this tool reads. Its header row names: {found}. Name the "
        f"columns {wanted} in the first row; other columns are ignored."
    )


def with_aliases(name: str) -> str:
    aliases = ALIASES.get(name, ())
    return f"{name} (or {', '.join(aliases)})" if aliases else name


def numbers(cells: list[str], name: str, line, fail) -> tuple[float, ...]:
    """A column's cells as floats; `line(i)` finds the file line of row i for a message."""
    cells = list(map(str.strip, cells))
    # C-level passes check every cell; only a failure walks the cells to name the first bad one.
    if all(map(NUMBER.fullmatch, cells)) and max(map(len, cells)) <= MAX_NUMBER_CHARS:
        values = tuple(map(float, cells))
        if all(map(math.isfinite, values)):
            return values
    for i, cell in enumerate(cells):
        why = problem(cell)
        if why:
            what, reason = why
            fail(f"has {what} in column {name} on line {line(i):,}{reason}.")
    raise AssertionError("unreachable: a cell failed the checks above")


def problem(cell: str) -> tuple[str, str] | None:
    """What keeps one stripped cell from being a number, as (the cell, why), or None."""
    if not cell:
        return "an empty cell", ": every row needs a number there"
    if len(cell) > MAX_NUMBER_CHARS:
        return f"a cell over {MAX_NUMBER_CHARS} characters", ""
    if not NUMBER.fullmatch(cell):
        decimal_comma = re.fullmatch(r"[+-]?[0-9]*,[0-9]+", cell)
        hint = " (a decimal comma? write 0.5, not 0,5)" if decimal_comma else ""
        return f"“{short(cell)}”", f", not a plain number such as 0.5 or 3e-4{hint}"
    if not math.isfinite(float(cell)):
        return f"“{short(cell)}”", ", too large to be a finite number"
    return None


def short(text: str) -> str:
    return f"{text[:12]}…" if len(text) > 12 else text
