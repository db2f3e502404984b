"""Form fields whose every error names the field and the allowed values.

Parsing is deliberately strict: ASCII digits only (Python's int() would accept Arabic-Indic
digits, which then could not round-trip through a permalink), bounded length, finite values.
"""

import math
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

MAX_CHARS = 40
WHOLE = re.compile(r"[+-]?[0-9]+", re.ASCII)
DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)


def plain_number(value) -> str:
    """A number as it goes back into a URL or an input: no grouping, no locale, no noise.

    A list (from a NumberListField) becomes its numbers joined by commas."""
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
