"""What the five metric forms share: list fields with one set of limits, a pasted table and an
uploaded CSV file that fill the lists, tools with two modes whose unused fields are neither
checked nor linked, and POST for data too large for a URL."""

from django import forms
from django.core.exceptions import ValidationError

from calculators.kit.errors import InputError
from calculators.kit.fields import PlainChoiceField
from calculators.kit.forms import CalculatorForm
from calculators.kit.list_fields import (
    MAX_VALUES,
    NumberListField,
    NumberTableField,
    fill_from_table,
)

from .json_values import plain
from .uploads import MAX_UPLOAD_BYTES, read_columns

VALUE_LIMIT = 1e15  # any regression target or prediction; squares and sums stay finite
# The longest address (path and query) the browser sends by GET; past it static/js/
# post_switch.js sends the same fields by POST. gunicorn refuses a request line over 8,190
# bytes ("GET ", the address and " HTTP/1.1" included, gunicorn.conf.py), and so does nginx
# in front; 2 KB of margin leaves room for a proxy that adds to the path.
MAX_URL_BYTES = 6_000


def list_help(max_count: int = MAX_VALUES) -> str:
    return f"Separate with commas, spaces or new lines; up to {max_count:,} values."


def size_text(limit: int = MAX_UPLOAD_BYTES) -> str:
    return f"{limit / 2**20:g} MiB"


class CsvFileField(forms.Field):
    """An uploaded CSV file, read in memory (settings: FILE_UPLOAD_HANDLERS). The field only
    hands the file on: MetricForm.clean reads its columns with eval_metrics.uploads, whose
    messages say what is wrong with it (empty, binary, missing columns...). Not a Django
    FileField: nothing here uses its checks or its "clear" checkbox, and the kit's quick clean
    loop (kit/forms.py) leaves FileField's special case out."""

    widget = forms.FileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["accept"] = ".csv,.tsv,.txt,text/csv,text/plain,text/tab-separated-values"
        return attrs

    def to_python(self, data):
        return data or None  # an empty file is the reader's to explain, with the others

    def bound_data(self, data, initial):
        return None  # a file input never shows a value


def file_field(columns: str, max_rows: int = MAX_VALUES):
    return CsvFileField(
        label="Or upload a CSV file",
        help_text=f"A header row naming the columns {columns}, in any order (other columns are "
        f"ignored); up to {max_rows:,} rows and {size_text()}. Read in memory and never "
        "stored; a result from a file has no link.",
    )


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
    """A CalculatorForm with optional modes, a pasted table and an uploaded file.

    `modes` maps each mode to the fields it uses (a form without a `mode` field has one mode,
    ""); fields in no mode are shared. `table_targets` maps a mode to the lists the pasted
    table fills in that mode, in column order.

    `upload_targets` lists (mode, lists) pairs an uploaded file's header may name, the form's
    own mode's first: the first pair whose every list the header names is read, and a pair of
    another mode switches the mode to it (a file of y_true and y_score means scores).

    A two-mode form declares its mode fields `required=False` (a browser must not insist on a
    hidden field) and this class requires the chosen mode's ones instead. Its JSON `inputs`
    keep every field, the other mode's as null, so their shape does not depend on the mode.
    """

    modes: dict[str, tuple[str, ...]] = {}
    table_targets: dict[str, tuple[str, ...]] = {}
    upload_targets: tuple[tuple[str, tuple[str, ...]], ...] = ()
    table_name = "csv"
    upload_name = "file"
    table_used = False  # set by clean(): the pages say when a pasted table replaced the lists
    upload = None  # set by clean(): the UploadedColumns read from a file, and its name
    upload_filename = ""
    # Data too large for a URL may be POSTed (calculators/kit/views.py).
    accepts_post = True

    def __init__(self, query=None, files=None):
        super().__init__(query)
        if files:
            self.files = files

    sections = {"table": ("csv",)}  # the pasted table, folded away unless it holds something

    def extra_context(self) -> dict:
        limits = {
            "url_bytes": MAX_URL_BYTES,
            "url_kb": MAX_URL_BYTES // 1000,
            "body_bytes": MAX_UPLOAD_BYTES,
            "body_text": size_text(),
        }
        shared = {
            "limits": limits,
            "upload": self.upload,
            "upload_filename": self.upload_filename,
        }
        if self.result is None:
            return shared
        # What the result prints of the inputs comes from the result (engine.common.echo).
        return {
            **shared,
            "table_used": self.table_used,
            **self.figures(),
        }

    def figures(self) -> dict:
        """What this tool's result prints beyond `result`: charts, table rows, worked terms,
        each worked out from the result alone."""
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

    def upload_choices(self) -> list[tuple[str, tuple[str, ...]]]:
        mode = self.chosen_mode()
        return sorted(self.upload_targets, key=lambda pair: pair[0] != mode)

    def read_upload(self, upload) -> bool:
        """Fill the lists from the uploaded file's columns; False (and an error on `file`)
        when it cannot be read."""
        choices = self.upload_choices()
        max_rows = max(self.fields[n].max_count for _, names in choices for n in names)
        try:
            data = upload.read()
            columns = read_columns(data, [names for _, names in choices], max_rows=max_rows)
        except InputError as error:
            self.add_error(self.upload_name, str(error))
            return False
        mode = next(m for m, names in choices if tuple(names) == columns.names)
        if "mode" in self.fields and mode:
            self.cleaned_data["mode"] = mode
            self.data["mode"] = mode  # the page's mode control shows the file's mode
        for name in columns.names:
            self.errors.pop(name, None)  # the file stands in for this list
            field = self.fields[name]
            why = field.problem(columns.values[name])
            if why:
                self.add_error(
                    self.upload_name,
                    f"The uploaded file: column {columns.sources[name]} ({field.label}) {why}. "
                    f"Column {name} takes {field.allowed()} ({field.limits()}).",
                )
            else:
                self.cleaned_data[name] = field.check(columns.values[name])
        self.upload = columns
        self.upload_filename = upload.name or ""
        return True

    def clean(self):
        upload = self.cleaned_data.pop(self.upload_name, None)
        uploaded = upload is not None and self.read_upload(upload)
        for name in self.unused_fields():
            self.errors.pop(name, None)  # another mode's fields: not used, so not judged
            self.cleaned_data.pop(name, None)
        targets = self.table_targets.get(self.chosen_mode())
        if uploaded:
            self.errors.pop(self.table_name, None)  # the file wins over a pasted table
        elif targets and self.table_name in self.fields:
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
        left_out = (self.table_name, self.upload_name)
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in left_out}

    def result_json(self) -> dict:
        return plain(self.result)
