"""The kit writes every form control itself (kit/fields.py), most of it once per process around
the value. Each control must say what Django's own widget rendering of the same bound field
says: the same name, id, type and value (the visitor's text, escaped and read back intact), the
same chosen option, the same textarea text, on valid and invalid input alike."""

from html.parser import HTMLParser

import pytest
from django.http import QueryDict

from calculators.kit import registry
from calculators.kit.fields import field, value_is_data

HOSTILE = '"><script>alert(1)</script>&amp;'


class Controls(HTMLParser):
    """The first input, select or textarea: its attributes, chosen options and text."""

    def __init__(self):
        super().__init__()
        self.control, self.chosen, self.text, self._in = None, [], "", None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea") and self.control is None:
            self.control = (tag, attrs)
            self._in = tag
        elif tag == "option" and self._in == "select" and "selected" in attrs:
            self.chosen.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "textarea":
            self.text += data


def parsed(html: str) -> Controls:
    parser = Controls()
    parser.feed(html)
    return parser


def one_per_form():
    seen = {}
    for tool in registry.all_tools():
        seen.setdefault((tool.form_class, tool.form_kwargs), tool)
    return list(seen.values())


def validated(tool, hostile: bool):
    """The tool's form after validation: its defaults, or every field given HOSTILE."""
    query = QueryDict(mutable=True)
    if hostile:
        for name in tool.form_class.base_fields:
            query[name] = HOSTILE
    form = tool.form(query)
    form.is_valid()
    return form


@pytest.mark.parametrize("tool", one_per_form(), ids=lambda t: t.slug)
@pytest.mark.parametrize("hostile", [False, True], ids=["defaults", "hostile"])
def test_each_control_matches_djangos_own_rendering(tool, hostile):
    form = validated(tool, hostile)
    for name in form.fields:
        bound = form[name]
        ours, django = parsed(str(field(bound))), parsed(bound.as_widget())
        (tag, attrs), (django_tag, django_attrs) = ours.control, django.control
        assert tag == django_tag, name
        for attr in ("name", "id", "type"):
            assert attrs.get(attr) == django_attrs.get(attr), (name, attr)
        # An empty value: value="" here, no attribute from Django; the same to a browser.
        assert (attrs.get("value") or "") == (django_attrs.get("value") or ""), name
        assert ours.chosen == django.chosen, name
        assert ours.text == django.text, name
        assert (attrs.get("aria-invalid") == "true") == (name in form.errors), name


@pytest.mark.parametrize("tool", one_per_form(), ids=lambda t: t.slug)
@pytest.mark.parametrize("hostile", [False, True], ids=["defaults", "hostile"])
def test_a_value_read_straight_from_the_data_is_what_django_reads(tool, hostile):
    """field() skips BoundField.value() for fields whose value is the data's (value_is_data)."""
    form = validated(tool, hostile)
    straight = [name for name, f in form.fields.items() if value_is_data(f)]
    assert straight  # the kit's own fields all qualify
    for name in straight:
        bound = form[name]
        assert form.data.get(bound.html_name) == bound.value(), name
