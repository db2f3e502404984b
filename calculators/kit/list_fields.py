"""List inputs: many numbers in one parameter, and a pasted table that fills several lists.

A list travels in the query string like any other parameter (`y_true=3,-0.5,2,7`), or in a
POSTed body when it is too long for a URL, so it is parsed as strictly as a single number
(ASCII only, bounded, finite) and capped in both count and characters: the cap protects the
server and is stated in every message that enforces it.

100,000 values per list: an evaluation set's predictions. Every value is checked in C-level
passes (map over the regex, float, min and max) and only a failure walks the list in Python
to name the first bad value: a Python loop per value took 0.15 s at the cap.
"""

import math
import re

from django import forms
from django.core.exceptions import ValidationError

from .fields import DECIMAL, MAX_CHARS, bound_text

MAX_VALUES = 100_000
CHARS_PER_VALUE = 20  # "-0.12345678901234567" plus a separator, generously
SEPARATORS = re.compile(r"[\s,;]+")  # between list values, and between a table row's cells


def split_values(text: str) -> list[str]:
    """The tokens between separators in stripped text, as SEPARATORS.split gives them.
    str.split on whitespace is five times faster than the regular expression at 100,000
    values; a comma or semicolon at either end would make the regex give an empty token
    there (an error to report), which str.split would drop, so that text takes the regex."""
    if text[0] in ",;" or text[-1] in ",;":
        return SEPARATORS.split(text)
    return text.replace(",", " ").replace(";", " ").split()


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def short(text: str) -> str:
    """A rejected token as it goes back into a message: short, and visibly quoted."""
    return f"“{text[:12]}…”" if len(text) > 12 else f"“{text}”"


def parse_number(token: str, fail):
    """One ASCII number; `fail(why)` raises with the caller's label and context."""
    if len(token) > MAX_CHARS:
        fail(f"{short(token)} is too long (over {MAX_CHARS} characters)")
    if not DECIMAL.fullmatch(token):
        fail(f"{short(token)} is not a plain number such as 0.5 or 3e-4")
    number = float(token)
    if not math.isfinite(number):
        fail(f"{short(token)} is too large to be a finite number")
    return number


class NumberListField(forms.Field):
    """Numbers separated by commas, spaces or new lines; cleans to a tuple.

    `whole=True` keeps integers (labels, cluster ids) and refuses fractions; `allowed_text`
    overrides how the allowed values are described (e.g. "only the labels 0 and 1").
    """

    widget = forms.Textarea

    def __init__(
        self,
        *,
        label,
        min_value,
        max_value,
        unit="",
        min_count=1,
        max_count=MAX_VALUES,
        whole=False,
        allowed_text=None,
        **kwargs,
    ):
        self.unit = unit
        self.lo, self.hi = min_value, max_value
        self.min_count, self.max_count = min_count, max_count
        self.max_chars = max_count * CHARS_PER_VALUE
        self.whole = whole
        self.allowed_text = allowed_text
        kwargs.setdefault("required", True)
        super().__init__(label=label, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(rows="3", spellcheck="false", autocomplete="off", autocapitalize="off")
        return attrs

    def allowed(self) -> str:
        if self.allowed_text:
            return self.allowed_text
        kind = "whole numbers" if self.whole else "numbers"
        return f"{kind} from {bound_text(self.lo)} to {bound_text(self.hi)}"

    def limits(self) -> str:
        low = f"at least {self.min_count:,} and " if self.min_count > 1 else ""
        return f"{low}at most {self.max_count:,} values"

    def fail(self, why: str):
        raise ValidationError(
            f"{self.label}: {why}. Enter {self.allowed()}, separated by commas, spaces or new "
            f"lines ({self.limits()}).",
            code="invalid",
        )

    def to_python(self, value):
        text = "" if value is None else str(value).strip()
        if not text:
            if self.required:
                self.fail("is required")
            return None
        if len(text) > self.max_chars:
            self.fail(f"is too long (over {self.max_chars:,} characters)")
        tokens = split_values(text)
        if len(tokens) > self.max_count:
            self.fail(f"has {len(tokens):,} values, over the limit")
        if all(map(DECIMAL.fullmatch, tokens)) and max(map(len, tokens)) <= MAX_CHARS:
            values = list(map(float, tokens))
            if all(map(math.isfinite, values)):
                return self.check(values)
        values = []
        for i, token in enumerate(tokens, start=1):
            values.append(
                parse_number(token, lambda why, i=i: self.fail(f"the {ordinal(i)} value {why}"))
            )
        return self.check(values)

    def problem(self, values) -> str | None:
        """What is wrong with parsed numbers (count, wholeness, range), or None."""
        count = len(values)
        if count < self.min_count:
            return f"has {count:,} value{'s' if count != 1 else ''}, too few"
        if count > self.max_count:
            return f"has {count:,} values, over the limit"
        if not values:
            return None
        whole = not self.whole or all(map(float.is_integer, map(float, values)))
        if whole and self.lo <= min(values) and max(values) <= self.hi:
            return None
        for i, number in enumerate(values, start=1):
            if self.whole and not float(number).is_integer():
                return f"the {ordinal(i)} value, {number:g}, is not a whole number"
            if not self.lo <= number <= self.hi:
                return f"the {ordinal(i)} value, {number:g}, is out of range"
        return None

    def check(self, values) -> tuple:
        """Parsed numbers after the count and range rules, as this field's cleaned value."""
        why = self.problem(values)
        if why:
            self.fail(why)
        if self.whole:
            return tuple(map(int, values))
        return tuple(map(float, values))

    def validate(self, value):
        pass  # to_python already enforced presence, count and range


class NumberTableField(forms.Field):
    """A pasted table, one row per line, `len(columns)` numbers per row (CSV, TSV, spaces).

    A first row that is not numeric is a header and is skipped. Cleans to a tuple of columns,
    or None when blank (the table is always optional: it stands in for the separate lists).
    """

    widget = forms.Textarea

    def __init__(self, *, label, columns, max_rows=MAX_VALUES, unit="", **kwargs):
        self.unit = unit
        self.columns = tuple(columns)
        self.max_rows = max_rows
        self.max_chars = max_rows * CHARS_PER_VALUE * len(self.columns)
        kwargs.setdefault("required", False)
        super().__init__(label=label, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(rows="4", spellcheck="false", autocomplete="off", autocapitalize="off")
        return attrs

    def shape(self) -> str:
        return f"{len(self.columns)} columns ({', '.join(self.columns)})"

    def fail(self, why: str):
        raise ValidationError(
            f"{self.label}: {why}. Paste one row per line with {self.shape()}, separated by "
            f"commas, tabs or spaces (at most {self.max_rows:,} rows).",
            code="invalid",
        )

    def to_python(self, value):
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        if len(text) > self.max_chars:
            self.fail(f"is too long (over {self.max_chars:,} characters)")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines and not DECIMAL.fullmatch(SEPARATORS.split(lines[0])[0]):
            lines = lines[1:]  # a header row such as "y_true,y_pred"
        if not lines:
            self.fail("has a header but no rows")
        if len(lines) > self.max_rows:
            self.fail(f"has {len(lines):,} rows, over the limit")
        rows = [SEPARATORS.split(line) for line in lines]
        width = len(self.columns)
        if set(map(len, rows)) == {width}:
            cells = [cell for row in rows for cell in row]
            if all(map(DECIMAL.fullmatch, cells)) and max(map(len, cells)) <= MAX_CHARS:
                values = list(map(float, cells))
                if all(map(math.isfinite, values)):
                    return tuple(tuple(values[k::width]) for k in range(width))
        # Something is wrong: walk the rows to name the first problem.
        columns = [[] for _ in self.columns]
        for row_number, line in enumerate(lines, start=1):
            cells = SEPARATORS.split(line)
            if len(cells) != len(self.columns):
                count = f"{len(cells)} value{'s' if len(cells) != 1 else ''}"
                self.fail(f"row {row_number:,} has {count}, not {len(self.columns)}")
            for column, cell in zip(columns, cells, strict=True):
                column.append(
                    parse_number(cell, lambda why, r=row_number: self.fail(f"row {r:,}: {why}"))
                )
        return tuple(tuple(column) for column in columns)


def fill_from_table(form, table_name: str, targets: tuple[str, ...]) -> bool:
    """When the table parameter holds rows, its columns replace the `targets` lists.

    Each column is checked by its target field's own rules (labels, ranges, counts) and any
    problem is reported on the table. Call from `clean()`; returns True when the table was used.
    """
    table = form.cleaned_data.get(table_name)
    if not table:
        return False
    table_field = form.fields[table_name]
    for name, column in zip(targets, table, strict=True):
        form.errors.pop(name, None)  # the table stands in for this list
        field = form.fields[name]
        why = field.problem(column)
        if why:
            form.add_error(
                table_name,
                f"{table_field.label}: column {name} ({field.label}) {why}. "
                f"Column {name} takes {field.allowed()} ({field.limits()}).",
            )
        else:
            form.cleaned_data[name] = field.check(column)
    return True
