"""What the five metric forms share: list fields with one set of limits, a pasted table that
fills the lists, and tools with two modes whose unused fields are neither checked nor linked."""

from django.core.exceptions import ValidationError

from calculators.kit.fields import PlainChoiceField
from calculators.kit.forms import CalculatorForm
from calculators.kit.list_fields import (
    MAX_VALUES,
    NumberListField,
    NumberTableField,
    fill_from_table,
)

VALUE_LIMIT = 1e15  # any regression target or prediction; squares and sums stay finite


def list_help(max_count: int = MAX_VALUES) -> str:
    return f"Separate with commas, spaces or new lines; up to {max_count:,} values."


def number_list(label, help_text, initial, *, max_count=MAX_VALUES, **kwargs):
    """A NumberListField whose help text states the separators and the cap."""
    return NumberListField(
        label=label,
        initial=initial,
        max_count=max_count,
        help_text=f"{help_text} {list_help(max_count)}",
        **kwargs,
    )


def value_list(label, help_text, initial, **kwargs):
    return number_list(
        label, help_text, initial, min_value=-VALUE_LIMIT, max_value=VALUE_LIMIT, **kwargs
    )


def label_list(label, help_text, initial, **kwargs):
    return number_list(
        label,
        help_text,
        initial,
        min_value=0,
        max_value=1,
        whole=True,
        allowed_text="only the labels 0 and 1",
        **kwargs,
    )


def fraction_list(label, help_text, initial, allowed_text, **kwargs):
    return number_list(
        label, help_text, initial, min_value=0, max_value=1, allowed_text=allowed_text, **kwargs
    )


def table_field(columns, max_rows=MAX_VALUES, label="Paste a table"):
    names = ", ".join(columns)
    return NumberTableField(
        label=label,
        columns=columns,
        max_rows=max_rows,
        unit="optional",
        help_text=f"Two or more columns copied from a spreadsheet or CSV ({names}), one row per "
        "line; a header row is skipped. When filled, it replaces the lists above.",
    )


def mode_field(choices, initial):
    return PlainChoiceField(label="Mode", choices=choices, initial=initial)


class MetricForm(CalculatorForm):
    """A CalculatorForm with optional modes and a pasted table.

    `modes` maps each mode to the fields it uses (a form without a `mode` field has one mode,
    ""); fields in no mode are shared. `table_targets` maps a mode to the lists the pasted
    table fills in that mode, in column order.

    A two-mode form declares its mode fields `required=False` (a browser must not insist on a
    hidden field) and this class requires the chosen mode's ones instead. Its JSON `inputs`
    keep every field, the other mode's as null, so their shape does not depend on the mode.
    """

    modes: dict[str, tuple[str, ...]] = {}
    table_targets: dict[str, tuple[str, ...]] = {}
    table_name = "csv"
    table_used = False  # set by clean(): the pages say when a pasted table replaced the lists
    sections = {"table": ("csv",)}  # the pasted table, folded away unless it holds something

    def extra_context(self) -> dict:
        if self.result is None:
            return {}
        return {"inputs": self.cleaned_data, "table_used": self.table_used, **self.figures()}

    def figures(self) -> dict:
        """What this tool's result prints beyond `result`: charts, table rows, worked terms."""
        return {}

    def chosen_mode(self) -> str:
        # Not `mode`: templates reach the field of that name as form.mode.
        if "mode" not in self.fields:
            return ""
        chosen = (self.cleaned_data if hasattr(self, "cleaned_data") else {}).get("mode")
        return chosen or self.fields["mode"].initial

    def unused_fields(self) -> set[str]:
        used = set(self.modes.get(self.chosen_mode(), ()))
        in_some_mode = {name for names in self.modes.values() for name in names}
        unused = in_some_mode - used
        if self.chosen_mode() not in self.table_targets:
            unused.add(self.table_name)
        return unused

    def clean(self):
        for name in self.unused_fields():
            self.errors.pop(name, None)  # another mode's fields: not used, so not judged
            self.cleaned_data.pop(name, None)
        targets = self.table_targets.get(self.chosen_mode())
        if targets and self.table_name in self.fields:
            self.table_used = fill_from_table(self, self.table_name, targets)
        if "mode" in self.fields:
            self.require(self.modes.get(self.chosen_mode(), ()))
        return super().clean()

    def require(self, names) -> None:
        for name in names:
            if self.cleaned_data.get(name) is None and name not in self.errors:
                try:
                    self.fields[name].fail("is required")
                except ValidationError as error:
                    self.add_error(name, error)

    def inputs(self) -> dict:
        """Every input, the other mode's as None; a pasted table appears as the lists it
        filled."""
        return {
            name: self.cleaned_data.get(name) for name in self.fields if name != self.table_name
        }
