"""The kit's list inputs on their own: separators, strict numbers, caps, tables, messages."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from calculators.kit.fields import plain_number
from calculators.kit.list_fields import NumberListField, NumberTableField, fill_from_table


def field(**kwargs):
    options = {"label": "Scores", "min_value": -10, "max_value": 10, **kwargs}
    return NumberListField(**options)


def message(f, value):
    with pytest.raises(ValidationError) as error:
        f.clean(value)
    (text,) = error.value.messages
    return text


def test_separators_and_strict_numbers():
    assert field().clean(" 1,2 3\n4;5\t-6.5e0 ,\r\n+7 ") == (1, 2, 3, 4, 5, -6.5, 7)
    assert field(whole=True, min_value=0, max_value=1).clean("0 1 1.0 0e0") == (0, 1, 1, 0)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("", "is required"),
        ("1, 2, abc", "the 3rd value “abc” is not a plain number"),
        ("1 nan", "the 2nd value “nan” is not a plain number"),
        ("1e309", "too large to be a finite number"),
        ("\u0661", "is not a plain number"),
        ("9" * 400, "too long (over 40 characters)"),
        ("11", "the 1st value, 11, is out of range"),
        (",".join(["1"] * 101), "has 101 values, over the limit"),
        ("1 " * 3000, "too long (over 2,000 characters)"),
    ],
)
def test_every_message_names_the_field_and_the_limits(value, says):
    text = message(field(max_count=100), value)
    assert text.startswith("Scores: ") and says in text
    assert "numbers from -10 to 10" in text and "at most 100 values" in text


def test_whole_numbers_and_custom_allowed_text():
    labels = field(whole=True, min_value=0, max_value=1, allowed_text="only the labels 0 and 1")
    assert "the 2nd value, 0.5, is not a whole number" in message(labels, "1 0.5")
    assert "Enter only the labels 0 and 1" in message(labels, "2")


def test_minimum_count_is_stated():
    text = message(field(min_count=2), "3")
    assert "has 1 value, too few" in text and "at least 2 and at most 100,000 values" in text


def test_optional_list_is_none_when_blank():
    assert field(required=False).clean("  ") is None


def test_table_skips_a_header_and_splits_columns():
    table = NumberTableField(label="Table", columns=("a", "b"))
    assert table.clean("a,b\n1,2\n\n3\t4\n5 6\n") == ((1, 3, 5), (2, 4, 6))
    assert table.clean("") is None


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("a,b\n", "has a header but no rows"),
        ("1,2\n3", "row 2 has 1 value, not 2"),
        ("1,2\n3,x", "row 2: “x” is not a plain number"),
        ("1,2\n" * 11, "has 11 rows, over the limit"),
    ],
)
def test_table_messages_state_the_shape(value, says):
    table = NumberTableField(label="Table", columns=("a", "b"), max_rows=10)
    text = message(table, value)
    assert says in text and "2 columns (a, b)" in text and "at most 10 rows" in text


class PairForm(forms.Form):
    first = field(label="First")
    second = field(label="Second", min_value=0, max_value=1)
    csv = NumberTableField(label="Table", columns=("first", "second"))

    def clean(self):
        fill_from_table(self, "csv", ("first", "second"))
        return self.cleaned_data


def test_a_table_fills_the_lists_and_each_column_keeps_its_rules():
    form = PairForm({"first": "", "second": "junk", "csv": "1,0.5\n2,0.25"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["first"] == (1, 2) and form.cleaned_data["second"] == (0.5, 0.25)
    bad = PairForm({"first": "1", "second": "1", "csv": "1,0.5\n2,7"})
    assert not bad.is_valid()
    (text,) = bad.errors["csv"]
    assert "column second (Second)" in text and "the 2nd value, 7, is out of range" in text


def test_lists_go_back_into_links_as_plain_numbers():
    assert plain_number((1, 0.5, 3e-4, -2.0)) == "1,0.5,0.0003,-2"
