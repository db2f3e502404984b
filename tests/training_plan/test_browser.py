"""The training planner in a real browser: live recompute, permalink, the hand-off to the
flagship, no-JS, phone width."""

import re

import pytest

pytestmark = pytest.mark.browser
URL = "/training-plan/"


def layout(page):
    return page.get_by_test_id("best-layout").inner_text()


def test_typing_recomputes_updates_url_and_reload_restores(page, site_server):
    page.goto(site_server.url + URL)
    before = page.get_by_test_id("seconds_per_step").inner_text()
    page.evaluate("window.__same_document = true")
    page.get_by_label("GPUs (in total)").fill("128")
    page.wait_for_url(re.compile(r"gpus=128"))
    page.get_by_test_id("seconds_per_step").filter(has_not_text=before).wait_for()
    assert page.evaluate("window.__same_document") is True  # no reload happened
    after = layout(page)
    page.reload()
    assert layout(page) == after
    assert page.get_by_label("GPUs (in total)").input_value() == "128"


def test_the_handoff_carries_the_layout_to_the_flagship(page, site_server):
    page.goto(site_server.url + URL + "?model=llama-3.3-70b&gpus=64&global_batch=256")
    text = layout(page)
    tp = re.search(r"TP (\d+)", text).group(1)
    page.get_by_test_id("link-accumulation").click()
    page.wait_for_url(re.compile(r"/gradient-accumulation/\?"))
    assert page.locator("#id_global_batch").input_value() == "256"
    assert page.locator("#id_gpus").input_value() == "64"
    assert f"tp={tp}" in page.url


def test_works_without_javascript(open_page, site_server):
    page = open_page(java_script_enabled=False)
    page.goto(site_server.url + URL)
    page.get_by_label("Sequence length").fill("4096")
    page.get_by_role("button", name="Calculate").click()
    page.wait_for_url(re.compile(r"seq_len=4096"))
    assert page.get_by_test_id("memory-bar").is_visible()
    assert page.get_by_test_id("calibration").is_visible()


def test_phone_width_has_no_horizontal_scroll(open_page, site_server):
    page = open_page(viewport={"width": 375, "height": 800})
    page.goto(site_server.url + URL + "?model=llama-3.3-70b&gpus=256&global_batch=1024")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
