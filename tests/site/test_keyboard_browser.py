"""A keyboard-only walk through the flagship: skip link, inputs, a select, a disclosure."""

import re

import pytest

pytestmark = pytest.mark.browser
URL = "/gradient-accumulation/"


def tab_to(page, selector, limit=60):
    """Press Tab until `selector` has focus; fail if the tab order never reaches it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def focus_ring(page) -> str:
    return page.evaluate("getComputedStyle(document.activeElement).outlineStyle")


def test_keyboard_only_walk(page, site_server):
    page.goto(site_server.url + URL)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert focus_ring(page) != "none"
    page.keyboard.press("Enter")
    # Following the link is a navigation Chromium may finish after the key press returns.
    page.wait_for_url(re.compile(r"#main$"))

    tab_to(page, "#id_micro_batch")
    assert focus_ring(page) != "none"
    page.keyboard.press("Control+A")
    page.keyboard.type("8")
    page.wait_for_url(re.compile(r"micro_batch=8"))
    page.get_by_test_id("accumulation_steps").filter(has_text="16").wait_for()

    tab_to(page, "#id_rounding")
    page.keyboard.press("ArrowDown")  # nearest -> up
    page.wait_for_url(re.compile(r"rounding=up"))

    tab_to(page, "details:has(#id_tp) > summary")
    page.keyboard.press("Enter")
    tab_to(page, "#id_tp")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.wait_for_url(re.compile(r"tp=2"))
    page.get_by_test_id("data_parallel_size").filter(has_text="4").wait_for()

    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")  # submitting by keyboard recomputes in place
    page.get_by_test_id("accumulation_steps").filter(has_text="32").wait_for()
