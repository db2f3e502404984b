"""What the site-wide tests need to know about a tool's fields, read from its form.

Every rule here is derived from a field's class and its declared bounds, choices and counts, and
from the form's declared modes, never from a list per tool: a new tool or a new field is covered
by the site-wide tests the moment it is registered.
"""

import math
import re
from urllib.parse import urlencode

from django import forms

from calculators.kit import fields, registry
from calculators.kit.list_fields import NumberListField, NumberTableField

TOOLS = registry.all_tools()


def one_per_page_shape() -> list:
    """One tool for each URL pattern: a family (one page per GPU card) shares its form and its
    templates, so the slower browser tests visit one member of it."""
    shapes = {}
    for tool in TOOLS:
        shapes.setdefault(tool.url_name, tool)
    return list(shapes.values())


PAGE_SHAPES = one_per_page_shape()


def upper_bound_path(tool) -> str:
    """Every bounded field at its upper bound and every choice at its last option, computed or
    refused: the longest numbers and messages the tool prints."""
    pairs = []
    for name, field in tool.form({}).fields.items():
        if hasattr(field, "choices"):
            pairs.append((name, str(list(field.choices)[-1][0])))
        elif hasattr(field, "hi") and not hasattr(field, "max_count"):
            pairs.append((name, fields.plain_number(field.hi)))
    return f"{tool.path}?{urlencode(pairs)}"


def at_bounds(tool, high=(), low=()) -> dict[str, str]:
    """The named fields at the upper (`high`) or lower (`low`) bound their form declares, as a
    query: tests of extreme scenarios read the bounds instead of copying them."""
    declared = tool.form({}).fields
    return {
        **{name: fields.plain_number(declared[name].hi) for name in high},
        **{name: fields.plain_number(declared[name].lo) for name in low},
    }


def slug(tool) -> str:
    return tool.slug


def field_cases() -> list[tuple]:
    """(tool, field name) for every field of every registered tool, card pages included (a
    family member's form may have fields the family's index does not)."""
    return [
        (tool, name)
        for tool in TOOLS
        for name, field in tool.form({}).fields.items()
        # A file travels only in a POST body; tests/eval_metrics/test_post_upload.py sends the
        # bad files (binary, empty, wrong columns, too large) the metric tools take.
        if not isinstance(field.widget, forms.FileInput)
    ]


def mode_context(form, name: str) -> dict:
    """The query that makes `name` count on a form with modes: its mode chosen (the form's
    declared `modes`, and `table_targets` for the pasted table). {} on a form without modes."""
    if "mode" not in form.fields:
        return {}
    declared = {**getattr(form, "modes", {}), **getattr(form, "table_targets", {})}
    if name == getattr(form, "table_name", None):
        modes = list(getattr(form, "table_targets", {}))
    else:
        modes = [mode for mode, names in declared.items() if name in names]
    return {"mode": modes[0]} if modes else {}


def is_required(form, name: str) -> bool:
    """Required by the field, or by the chosen mode (a two-mode form requires the chosen mode's
    fields itself, so a browser never insists on a hidden one)."""
    in_a_mode = any(name in names for names in getattr(form, "modes", {}).values())
    return form.fields[name].required or ("mode" in form.fields and in_a_mode)


# The number syntax every numeric field states in its messages: ASCII digits, one optional sign,
# point and exponent, nothing else (no "nan", no "inf", no full-width or Arabic-Indic digits).
PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)
MAX_NUMBER_CHARS = 40
LIST_SEPARATORS = re.compile(r"[\s,;]+")


def plain_number(text: str) -> float | None:
    if len(text) > MAX_NUMBER_CHARS or not PLAIN_NUMBER.fullmatch(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def in_range(number: float, field, whole: bool) -> bool:
    return field.lo <= number <= field.hi and (not whole or float(number).is_integer())


def accepts(form, name: str, value: str) -> bool:
    """Whether the field, by its declared rules, takes `value` (the server must refuse it
    otherwise, with a message naming the field)."""
    field = form.fields[name]
    if not value.strip():
        return not is_required(form, name) and (
            value == "" or not isinstance(field, forms.ChoiceField)
        )
    if isinstance(field, forms.ChoiceField):
        return value in {str(key) for key, _ in field.choices}
    if isinstance(field, NumberTableField):
        return False  # no value tried here is a table of whole rows
    if isinstance(field, NumberListField):
        text = value.strip()
        tokens = LIST_SEPARATORS.split(text)
        if len(text) > field.max_chars or not field.min_count <= len(tokens) <= field.max_count:
            return False
        numbers = [plain_number(t) for t in tokens]
        return all(n is not None and in_range(n, field, field.whole) for n in numbers)
    number = plain_number(value.strip())
    return number is not None and in_range(number, field, whole_numbers_only(field))


def whole_numbers_only(field) -> bool:
    # Django's FloatField is a subclass of its IntegerField.
    return isinstance(field, forms.IntegerField) and not isinstance(field, forms.FloatField)


def bad_values_for(field) -> list[str]:
    """What each kind of field is tried with beyond tests/bad_values.py's BAD: values that are
    wrong only for its kind (a list too long or with a bad member, a table of the wrong shape,
    a choice in the wrong case, a number above the bound)."""
    if isinstance(field, forms.ChoiceField):
        first = str(field.choices[-1][0])
        return ["sideways", first.upper() if first.upper() != first else first + "x", first + " "]
    if isinstance(field, NumberTableField):
        columns = len(field.columns)
        row = ",".join(["1"] * columns)
        return [
            "1",
            ",".join(["1"] * (columns + 1)),
            "a,b\n",
            ",".join(["nan"] * columns),
            f"{row}\n" * (field.max_rows + 1),
        ]
    if isinstance(field, NumberListField):
        return [
            "1,2,three",
            "1,,nan",
            "0.5",
            f"{field.lo},{field.hi * 2 if field.hi > 0 else field.hi + 1:g}",
            ",".join(["1"] * (field.max_count + 1)),
            "1 " * (field.max_chars // 2 + 1),
        ]
    return [str(field.hi * 10)]


NUMBER_IN_TEXT = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?")


def states_what_is_allowed(field, message: str) -> bool:
    """The message says what the field takes: every choice, a table's columns and row limit,
    or a number's (or a list's members') lower and upper bound."""
    if isinstance(field, forms.ChoiceField):
        return all(str(key) in message for key, _ in field.choices if str(key))
    if isinstance(field, NumberTableField):
        return all(c in message for c in field.columns) and f"{field.max_rows:,}" in message
    numbers = {float(n.replace(",", "")) for n in NUMBER_IN_TEXT.findall(message)}
    return field.lo in numbers and field.hi in numbers


def other_values(field, initial) -> list[str]:
    """Values a person might change the field to, other than where it starts."""
    if isinstance(field, forms.ChoiceField):
        values = [str(key) for key, _ in field.choices]
    elif isinstance(field, NumberTableField):
        values = []
    elif isinstance(field, NumberListField):
        values = [", ".join(str(v) for v in reversed(initial))] if initial else []
    else:
        values = [str(field.hi), str(field.lo)]
    start = "" if initial is None else str(initial)
    return [v for v in values if v != start]


def valid_change(tool) -> tuple[str, str]:
    """The first field, in the form's order, with another value that still computes: what a
    person changes in a test that needs a result."""
    for name, field in tool.form({}).fields.items():
        if is_required(tool.form({}), name) is False and field.initial is None:
            continue  # an optional extra, often folded away
        for value in other_values(field, field.initial):
            form = tool.form({name: value})
            if form.is_valid():
                return name, value
    raise AssertionError(f"{tool.slug}: no field has another valid value")
