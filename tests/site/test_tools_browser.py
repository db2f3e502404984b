"""Every tool in a real browser, driven by the registry and by each tool's form: typing
recomputes in place and the address restores it, without JavaScript the form still answers, and
on a phone the answer stays in view while typing.

One member of a family (one page per GPU card) stands for the family: they share their form and
their templates (tests/site/tool_fields.py PAGE_SHAPES)."""

import html
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django import forms

from calculators.kit.list_fields import NumberListField, NumberTableField
from tests.browser import PHONE, count_settles, settled_after
from tests.site.tool_fields import PAGE_SHAPES, other_values, slug, valid_change

pytestmark = pytest.mark.browser
SUMMARY = re.compile(r'data-testid="result-summary">(.*?)</a>', re.S)


def text_of(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def server_summary(client, tool, url: str) -> str:
    """The one-line summary the server computes for the scenario in `url` (the fragment)."""
    fragment = client.get(tool.path + "?" + urlparse(url).query, HTTP_HX_REQUEST="true")
    return text_of(SUMMARY.search(fragment.content.decode()).group(1))


def shown_summary(page) -> str:
    return " ".join(page.get_by_test_id("result-summary").text_content().split())


@pytest.mark.parametrize("tool", PAGE_SHAPES, ids=slug)
def test_typing_recomputes_in_place_and_the_address_restores_it(page, site_server, client, tool):
    """Change one input with JavaScript on: the result is swapped in without a reload, the
    address becomes the permalink of the new scenario, and reloading it shows the same."""
    name, value = valid_change(tool)
    page.goto(site_server.url + tool.path)
    before = shown_summary(page)
    page.evaluate("window.__same_document = true")  # a reload would forget it
    control = page.locator(f"#{tool.form({})[name].auto_id}")
    if isinstance(tool.form({}).fields[name], forms.ChoiceField):
        control.select_option(value)
    else:
        control.fill(value)
    page.wait_for_url(lambda url: parse_qs(urlparse(url).query).get(name) == [value])
    expected = server_summary(client, tool, page.url)
    assert expected != before, f"{tool.slug}: changing {name} to {value} changes nothing shown"
    # The summary is the phone's pinned line (hidden on a wide screen): read its text.
    page.wait_for_function(
        """(expected) => document.querySelector('[data-testid=result-summary]')
            .textContent.split(/\\s+/).filter(Boolean).join(' ') === expected""",
        arg=expected,
        timeout=10_000,
    )
    assert page.evaluate("window.__same_document") is True, "the page was reloaded"

    page.reload()
    assert shown_summary(page) == expected
    assert control.input_value() == value


@pytest.mark.parametrize("tool", PAGE_SHAPES, ids=slug)
def test_without_javascript_the_form_submits_and_the_page_shows_its_result(
    open_page, site_server, client, tool
):
    name, value = valid_change(tool)
    page = open_page(java_script_enabled=False)
    page.goto(site_server.url + tool.path)
    assert page.get_by_role("button", name="Copy link").is_hidden()  # nothing to copy with
    control = page.locator(f"#{tool.form({})[name].auto_id}")
    if isinstance(tool.form({}).fields[name], forms.ChoiceField):
        control.select_option(value)
    else:
        control.fill(value)
    page.get_by_role("button", name="Calculate", exact=True).click()
    page.wait_for_url(lambda url: parse_qs(urlparse(url).query).get(name) == [value])

    # The page shows the result the server computes for the address the form submitted.
    assert page.get_by_test_id("errors").count() == 0
    shown = shown_summary(page)
    assert shown == server_summary(client, tool, page.url)
    assert not shown.startswith("Cannot calculate")


def open_every_section(page):
    """As a reader would: click every folded section of the inputs open."""
    for details in page.locator("form.inputs details").all():
        if details.is_visible() and not details.evaluate("(d) => d.open"):
            details.locator(":scope > summary").click()


def set_value(page, control, field, name, value):
    """Type `value` into the field as a person would (select it from a list), and wait for the
    live result."""
    control.focus()  # the browser scrolls it into view, as for a tap or Tab
    if isinstance(field, forms.ChoiceField):
        settled_after(page, lambda: control.select_option(value), name, value)
    else:
        page.keyboard.press("Control+A")
        if value:
            settled_after(page, lambda: page.keyboard.type(value), name, value)
        else:
            settled_after(page, lambda: page.keyboard.press("Backspace"), name, value)


def computing_value(tool, name, field, context, current: str) -> str | None:
    """Another value for the field that, changed alone, still computes: the summary then shows
    an answer, not a message. A list shown on the page is tried in reverse order."""
    candidates = other_values(field, field.initial)
    if isinstance(field, NumberListField) and current.strip():
        candidates.append(", ".join(reversed(current.replace(",", " ").split())))
    for value in candidates:
        if value != current and tool.form({**context, name: value}).is_valid():
            return value
    return None


def typed_value(field, current: str) -> str:
    """Something else to put in the field where no value computes: the summary then says why."""
    if isinstance(field, forms.ChoiceField):
        candidates = [str(key) for key, _ in field.choices]
    elif isinstance(field, NumberListField | NumberTableField):
        candidates = ["1 0 1 0", "0 1"]
    else:
        candidates = [str(field.hi), str(field.lo)]
    return next(c for c in candidates if c != current)


def inside(box, viewport) -> bool:
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"] + 0.5
        and box["y"] + box["height"] <= viewport["height"] + 0.5
    )


def overlap(a, b) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("tool", PAGE_SHAPES, ids=slug)
def test_on_a_phone_the_answer_stays_in_view_while_typing_in_any_input(
    open_page, site_server, client, tool
):
    """At 375 × 667, for every input a reader can see (with every section opened), in every
    mode of a form that has modes: focus it, type another value, wait for the live result; the
    one-line summary is inside the viewport, does not cover the input being typed in, and says
    what the server answers for the new address (an answer wherever the value computes). The
    input is then set back, so each is tried from the tool's defaults."""
    page = open_page(viewport=PHONE)
    page.goto(site_server.url + tool.path)
    count_settles(page)
    form = tool.form({})
    modes = [str(k) for k, _ in form.fields["mode"].choices] if "mode" in form.fields else [None]
    typed = answered = 0
    for mode in modes:
        context = {}
        if mode is not None:
            context = {"mode": mode}
            mode_control = page.locator(f"#{form['mode'].auto_id}")
            if mode_control.input_value() != mode:
                set_value(page, mode_control, form.fields["mode"], "mode", mode)
        open_every_section(page)
        for name, field in form.fields.items():
            control = page.locator(f"#{form[name].auto_id}")
            if name == "mode" or not control.is_visible():
                continue  # another mode's input, hidden until that mode is chosen
            if isinstance(field.widget, forms.FileInput):
                continue  # a file is chosen, not typed (tests/eval_metrics/ upload files)
            start = control.input_value()
            value = computing_value(tool, name, field, context, start)
            set_value(page, control, field, name, value or typed_value(field, start))
            typed += 1
            summary = page.get_by_test_id("result-summary")
            box = summary.bounding_box()
            assert summary.is_visible() and box and inside(box, PHONE), (name, box)
            control_box = control.bounding_box()
            assert control_box and not overlap(control_box, box), (name, control_box, box)
            shown = shown_summary(page)
            assert shown == server_summary(client, tool, page.url), (name, shown)
            if value is not None:
                assert not shown.startswith("Cannot calculate"), (name, value, shown)
                answered += 1
            set_value(page, control, field, name, start)
    assert typed >= 2, f"{tool.slug}: only {typed} inputs were visible"
    assert answered, f"{tool.slug}: no input was given a value that computes"
