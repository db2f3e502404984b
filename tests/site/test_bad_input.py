"""Every field of every registered tool, every kind of bad value: never a 5xx, and a message
that names the field by the label its form gives it and says what is allowed, as a 400 in JSON
and on the page (200) in its error box; the page's share image is the tool's generic one.

Which values a field must refuse, and what its message must state, follow from the field's
class and declared bounds, choices and counts (tests/site/tool_fields.py): blank is fine for an
optional field, 1.5 for a decimal one, "0" for a choice that offers it.
"""

from urllib.parse import urlencode

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from calculators.kit.fields import plain_number
from tests.bad_values import BAD, BAD_FILES, error_box_text
from tests.site.tool_fields import (
    TOOLS,
    accepts,
    bad_values_for,
    field_cases,
    mode_context,
    slug,
    states_what_is_allowed,
    valid_change,
)


@pytest.mark.parametrize(
    "tool, name", field_cases(), ids=lambda v: v if isinstance(v, str) else v.slug
)
def test_every_bad_value_is_refused_by_name_with_what_is_allowed(client, tool, name):
    form = tool.form({})
    field = form.fields[name]
    context = mode_context(form, name)
    refused = 0
    first = next(iter(form.fields))
    generic = client.get(f"{tool.path}og.png", {first: "\x00"}).content  # the generic image
    for value in [*BAD, *bad_values_for(field)]:
        query = {**context, name: value}
        data = client.get(tool.path, {**query, "format": "json"})
        page = client.get(tool.path, query)
        image = client.get(f"{tool.path}og.png", query)
        assert data.status_code in (200, 400), (name, value[:20])
        assert page.status_code == 200, (name, value[:20])
        assert image.status_code == 200 and image["Content-Type"] == "image/png", (name, value)
        if accepts(form, name, value):
            continue
        assert image.content == generic, (name, value[:20])
        refused += 1
        assert data.status_code == 400, (name, value[:20])
        messages = data.json()["errors"].get(name)
        assert messages, (name, value[:20], data.json()["errors"])
        message = " ".join(messages)
        assert field.label in message, (name, value[:20], message)
        assert states_what_is_allowed(field, message), (name, value[:20], message)
        shown = " ".join(error_box_text(page).split())
        assert all(" ".join(m.split()) in shown for m in messages), (name, value[:20])
    assert refused, f"{tool.slug}.{name}: no value was refused"


FILE_CASES = [
    (tool, name)
    for tool in TOOLS
    for name, field in tool.form_class.base_fields.items()
    if isinstance(field.widget, forms.FileInput)
]


@pytest.mark.parametrize(
    "tool, name", FILE_CASES, ids=lambda v: v if isinstance(v, str) else v.slug
)
def test_every_broken_file_is_refused_by_name(client, tool, name):
    """An upload field's bad values are files: each is refused as a 400 in JSON and on the page
    (200) in its error box, with a message that says it is the uploaded file and what is wrong."""
    assert tool.form_class.accepts_post
    for content, says in BAD_FILES:
        data = client.post(f"{tool.path}?format=json", {name: SimpleUploadedFile("x.csv", content)})
        page = client.post(tool.path, {name: SimpleUploadedFile("x.csv", content)})
        assert data.status_code == 400 and page.status_code == 200, (name, content)
        errors = data.json()["errors"]
        assert list(errors) == [name], (content, errors)
        message = " ".join(errors[name])
        assert "uploaded file" in message and says in message, (content, message)
        assert " ".join(message.split()) in " ".join(error_box_text(page).split())


def test_every_upload_field_is_tried():
    assert {tool.slug for tool, _ in FILE_CASES} >= {
        tool.slug for tool in TOOLS if tool.form_class.accepts_post
    }


@pytest.mark.parametrize("tool", TOOLS, ids=slug)
def test_a_parameter_repeated_500_times_takes_its_last_value(client, tool):
    """QueryDict.get keeps the last of repeated values: a link edited by appending wins."""
    name, value = valid_change(tool)
    initial = plain_number(tool.form({}).fields[name].initial)
    repeated = urlencode([(name, initial)] * 499 + [(name, value)])
    r = client.get(f"{tool.path}?{repeated}&format=json")
    once = client.get(tool.path, {name: value, "format": "json"})
    assert r.status_code == once.status_code == 200
    assert r.json()["inputs"][name] == once.json()["inputs"][name]
    assert r.json()["inputs"] != client.get(tool.path, {"format": "json"}).json()["inputs"]
