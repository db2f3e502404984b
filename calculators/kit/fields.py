"""Form fields whose every error names the field and the allowed values.

Parsing is deliberately strict: ASCII digits only (Python's int() would accept Arabic-Indic
digits, which then could not round-trip through a permalink), bounded length, finite values.
"""

import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

from django import forms
from django.core.exceptions import ValidationError

from ..catalog import gpus as gpu_catalog
from .html import Markup, escape

MAX_CHARS = 40
WHOLE = re.compile(r"[+-]?[0-9]+", re.ASCII)
DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)


def plain_number(value) -> str:
    """A number as it goes back into a URL or an input: no grouping, no locale, no noise.

    A list (from a NumberListField) becomes its numbers joined by commas."""
    kind = type(value)
    if kind is int or kind is str:
        # Nearly every value: a link writes twenty-odd of them, and `isinstance(value, list |
        # tuple)` builds the union on every call (timeit: 0.25–0.4 µs an int this way,
        # 0.9–1.1 µs through it).
        return str(value)
    if isinstance(value, list | tuple):
        return ",".join(plain_number(v) for v in value)
    if isinstance(value, float):
        return repr(value) if not value.is_integer() or abs(value) >= 1e16 else str(int(value))
    return str(value)


def bound_text(value) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


class BoundedMixin:
    kind = "a number"

    def __init__(self, *, label, min_value, max_value, unit="", **kwargs):
        self.unit = unit
        self.lo, self.hi = min_value, max_value
        kwargs.setdefault("required", True)
        super().__init__(label=label, min_value=min_value, max_value=max_value, **kwargs)
        self.validators = []  # range is checked in to_python with our own message

    def allowed(self) -> str:
        return f"{self.kind} from {bound_text(self.lo)} to {bound_text(self.hi)}"

    def fail(self, why: str):
        raise ValidationError(f"{self.label} {why}: enter {self.allowed()}.", code="invalid")

    def parse(self, text: str):
        raise NotImplementedError

    def to_python(self, value):
        text = "" if value is None else str(value).strip()
        if not text:
            if self.required:
                self.fail("is required")
            return None
        if len(text) > MAX_CHARS:
            self.fail(f"is too long (over {MAX_CHARS} characters)")
        number = self.parse(text)
        if not self.lo <= number <= self.hi:
            self.fail("is out of range")
        return number

    def validate(self, value):
        pass  # to_python already enforced presence and range


class WholeNumberField(BoundedMixin, forms.IntegerField):
    kind = "a whole number"

    def parse(self, text):
        if not WHOLE.fullmatch(text):
            self.fail("must be a whole number")
        return int(text)


class DecimalNumberField(BoundedMixin, forms.FloatField):
    kind = "a number"

    def parse(self, text):
        if not DECIMAL.fullmatch(text):
            self.fail("must be a plain number such as 0.5 or 3e-4")
        number = float(text)
        if not math.isfinite(number):
            self.fail("must be finite")
        return number

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["step"] = "any"
        return attrs


class PlainChoiceField(forms.ChoiceField):
    def __init__(self, *, label, choices, **kwargs):
        super().__init__(label=label, choices=choices, **kwargs)
        names = ", ".join(value for value, _ in choices)
        message = f"{label} must be one of: {names}."
        self.error_messages = {"required": message, "invalid_choice": message}


class CatalogGpuField(PlainChoiceField):
    """A GPU of the one catalog (calculators/catalog/gpus.py), for a tool that needs some of its
    figures. The select offers, in catalog order and by slug, every GPU that has them, so a new
    GPU, or a new figure for one, reaches each tool that can use it with no list to copy. Any
    other id of an offered GPU (its aliases: the flagship's `a100`, activation memory's
    `h100-80gb`, ids those tools offered before there was one catalog) is taken too and cleans to
    the slug, so an old permalink gives the same answer, its page shows its GPU chosen, and the
    JSON's `inputs` holds one id per GPU.

    `missing(gpu)` names the figures the tool needs that the catalog lacks for that GPU (an
    empty list: offered). A GPU of the catalog without them is refused with a message that says
    which figure is missing; an unknown id, with the ids allowed. `extra_choices` follow the GPUs
    (activation memory's custom capacity) and clean to themselves."""

    def __init__(
        self,
        *,
        label,
        missing: Callable[[gpu_catalog.GPU], list[str]],
        option_text: Callable[[gpu_catalog.GPU], str] = lambda g: g.name,
        extra_choices: tuple[tuple[str, str], ...] = (),
        **kwargs,
    ):
        self.missing = missing
        self.offered = {g.slug: g for g in gpu_catalog.GPUS if not missing(g)}
        self.extras = frozenset(value for value, _ in extra_choices)
        choices = [(slug, option_text(g)) for slug, g in self.offered.items()]
        super().__init__(label=label, choices=[*choices, *extra_choices], **kwargs)
        self.allowed = ", ".join(value for value, _ in self.choices)
        # The other ids of the GPUs offered (each to its slug), which an old link may hold.
        self.other_ids = {a: g.slug for g in self.offered.values() for a in g.aliases}
        message = f"{label} must be one of: {self.allowed}"
        if self.other_ids:
            message += f" (or another id of one of these GPUs: {', '.join(self.other_ids)})"
        self.error_messages = {"required": message + ".", "invalid_choice": message + "."}

    def canonical(self, value) -> str | None:
        """The id this field cleans `value` to (a slug, or an extra choice), or None when it
        does not take it."""
        if not isinstance(value, str):
            return None
        if value in self.extras:
            return value
        gpu = gpu_catalog.BY_ID.get(value)
        return gpu.slug if gpu is not None and gpu.slug in self.offered else None

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return text
        found = self.canonical(text)
        if found is not None:
            return found
        gpu = gpu_catalog.BY_ID.get(text)
        if gpu is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        raise ValidationError(
            f"{self.label}: the GPU catalog has no {' or '.join(self.missing(gpu))} for "
            f"{gpu.name} yet, so this tool cannot use it; choose one of: {self.allowed}.",
            code="invalid_choice",
        )

    def bound_data(self, data, initial):
        # The page shows the GPU chosen whichever of its ids the link gave.
        return self.canonical(data) or data


def takes(form_class, name: str, value) -> bool:
    """Whether a tool's form takes this value for the parameter `name`: a link to another tool
    (found through the registry) carries a value only where its target accepts it."""
    field = form_class.base_fields.get(name)
    if field is None:
        return False
    try:
        field.clean(value)
    except ValidationError:
        return False
    return True


class WholeCountField(BoundedMixin, forms.IntegerField):
    """A whole count that may be written in scientific notation: 4194304, 4.2e6, 15.6e12.

    Parsed with Decimal, so every digit counts (a float would round 17-digit counts).
    """

    kind = "a whole number"

    def parse(self, text):
        if not DECIMAL.fullmatch(text):
            self.fail("must be a number such as 4194304 or 15.6e12")
        number = Decimal(text)
        if not number.is_finite() or abs(number.adjusted()) > 40:
            self.fail("is out of range")
        if number != number.to_integral_value():
            self.fail("must be a whole number")
        return int(number)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["step"] = "any"  # lets browsers accept 15.6e12
        return attrs


# --- The control as a page shows it ---------------------------------------------------------
# Written in Python, not as a Jinja2 macro, because a benchmark says so: the flagship's 22 fields
# took 1.1 to 1.8 ms per page as a macro against 0.27 ms here, on a page of 6.6 ms (CPU time,
# in-process, this project's machine). A field's label, help and fixed attributes are built once
# (calculator forms share their field objects and never change them: kit.forms.SharedFields);
# per request only the value, the chosen option and the errors are written. Every text goes
# through the kit's one escaping helper (kit/html.py).


class StaticMarkup(NamedTuple):
    """What a field writes the same way on every request: all but its value and errors."""

    label: str
    help: str
    attrs: str  # the control's attributes, id and `required` included
    options: tuple[tuple[str, str, str], ...]  # a select's (value, escaped value, escaped text)
    # The whole field without errors, split around its value: head + value + tail for an input
    # or a textarea; for a select, head + each option (chosen or not, both written here) + tail.
    head: str
    tail: str
    option_html: tuple[tuple[str, str, str], ...] | None  # a select's (value, chosen, not)
    value_is_data: bool = False  # value() is data.get(name) (see value_is_data)


def flat_attrs(attrs: dict) -> str:
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {name}")
        elif value is not False and value is not None:
            parts.append(f' {name}="{escape(value)}"')
    return "".join(parts)


def static_markup(bound) -> StaticMarkup:
    """Built once per field and kept on it, keyed by what its id is made of (the form's auto_id
    format and the field's name) in case a form is ever bound under another auto_id."""
    field = bound.field
    kept = field.__dict__.setdefault("_static_markup", {})
    key = (bound.form.auto_id, bound.html_name)
    try:
        return kept[key]
    except KeyError:
        pass
    widget, auto_id = field.widget, bound.auto_id
    select = isinstance(widget, forms.Select)
    unit = getattr(field, "unit", "")
    unit_html = f' <span class="unit">({escape(unit)})</span>' if unit else ""
    attrs = dict(widget.attrs)
    # No `required` on a select: one without an empty first option is invalid HTML with it.
    if field.required and bound.form.use_required_attribute and not select:
        attrs["required"] = True
    attrs["id"] = auto_id
    choices = getattr(field, "choices", ()) if select else ()
    label = f'<label for="{auto_id}">{escape(bound.label)}{unit_html}</label>'
    help_html = (
        f'<p class="help" id="{auto_id}_helptext">{escape(field.help_text)}</p>'
        if field.help_text
        else ""
    )
    options = tuple((str(v), escape(v), escape(text)) for v, text in choices)
    fixed = StaticMarkup(label, help_html, flat_attrs(attrs), options, "", "", None)
    # The error-free field, written by the same code as a field with errors (control_html),
    # around a placeholder value that no escaped text can contain.
    whole = f'<div class="field">{label}{control_html(bound, None, fixed, MARK)}{help_html}</div>'
    head, tail = whole.split(MARK) if not select else whole.split(MARK_OPTIONS)
    option_html = (
        tuple(
            (
                v,
                f'<option value="{value}" selected>{text}</option>',
                f'<option value="{value}">{text}</option>',
            )
            for v, value, text in options
        )
        if select
        else None
    )
    kept[key] = fixed._replace(
        head=head, tail=tail, option_html=option_html, value_is_data=value_is_data(field)
    )
    return kept[key]


def value_is_data(field) -> bool:
    """Whether a bound field's value() is just the submitted value as the data holds it, as it
    is for every field whose field and widget keep Django's own reading of a single value: not
    disabled, no bound_data or prepare_value of its own, one value per name."""
    widget = field.widget
    return (
        not field.disabled
        and type(field).bound_data is forms.Field.bound_data
        and type(field).prepare_value is forms.Field.prepare_value
        and type(widget).value_from_datadict
        in (forms.Widget.value_from_datadict, forms.widgets.ChoiceWidget.value_from_datadict)
        and not getattr(widget, "allow_multiple_selected", False)
    )


MARK = "\x00value\x00"  # stands for the value while the fixed parts are written
MARK_OPTIONS = "\x00options\x00"
NO_VALUE = object()


def control_html(bound, errors, fixed: StaticMarkup, value=NO_VALUE) -> str:
    widget = bound.field.widget
    described = [f"{bound.auto_id}_helptext"] if fixed.help else []
    if errors:
        described.append(f"{bound.auto_id}_error")
    state = ' aria-invalid="true"' if errors else ""
    if described:
        state += f' aria-describedby="{" ".join(described)}"'
    name = escape(bound.html_name)
    placeholder = value is MARK
    if not placeholder:
        value = bound.value()
    if isinstance(widget, forms.Select):
        if placeholder:
            options = MARK_OPTIONS
        else:
            chosen = "" if value is None else str(value)
            options = "".join(
                f'<option value="{value}"{" selected" if v == chosen else ""}>{text}</option>'
                for v, value, text in fixed.options
            )
        return f'<select name="{name}"{fixed.attrs}{state}>{options}</select>'
    text = MARK if placeholder else "" if value is None else escape(value)
    if isinstance(widget, forms.Textarea):
        # The newline after the tag keeps a value's own leading newline (HTML drops the first).
        return f'<textarea name="{name}"{fixed.attrs}{state}>\n{text}</textarea>'
    kind = escape(widget.input_type)
    return f'<input type="{kind}" name="{name}" value="{text}"{fixed.attrs}{state}>'


def field(bound) -> Markup:
    """One labelled control with its unit, help and errors, tied together for screen readers:
    aria-describedby names the help and error ids written here, aria-invalid marks an error.
    Templates call it as field(form.name)."""
    form = bound.form
    errors = form.errors.get(bound.name)
    fixed = static_markup(bound)
    if not errors:
        # Nearly every field of every request: the fixed parts around the value, written once.
        # 27 fields of the flagship's page: 255 µs the long way, 110 µs this way (timeit).
        # The value straight from the data where that is what value() returns: value() takes
        # five more calls through Django to find so (about 4,000 CPU instructions a field).
        if fixed.value_is_data and form.is_bound:
            value = form.data.get(bound.html_name)
        else:
            value = bound.value()
        if fixed.option_html is not None:
            chosen = "" if value is None else str(value)
            middle = "".join(yes if v == chosen else no for v, yes, no in fixed.option_html)
        else:
            middle = "" if value is None else escape(value)
        return Markup(fixed.head + middle + fixed.tail)
    errors_html = (
        f'<div class="error" id="{bound.auto_id}_error">'
        + "".join(f"<p>{escape(e)}</p>" for e in errors)
        + "</div>"
    )
    return Markup(
        f'<div class="field has-error">{fixed.label}{control_html(bound, errors, fixed)}'
        f"{fixed.help}{errors_html}</div>"
    )
