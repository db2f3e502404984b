"""The activation-memory page in a real browser: presets (with and without JavaScript), live
recompute, the link on to the flagship. No-JS, phone width and accessibility for every tool are
tests/site/."""

import re

import pytest

from tests.browser import control

pytestmark = pytest.mark.browser
URL = "/activation-memory/"


def total(page):
    return page.get_by_test_id("total_bytes").inner_text()


def test_preset_fills_fields_updates_url_and_reload_restores(page, site_server):
    page.goto(site_server.url + URL)
    before = total(page)
    assert page.get_by_role("button", name="Apply preset").is_hidden()  # JS applies presets
    page.evaluate("window.__same_document = true")
    control(page, "preset").select_option("llama-3.1-8b")
    page.wait_for_url(re.compile(r"vocab=128256"))
    assert control(page, "kv_heads").input_value() == "8"
    assert control(page, "ffn_hidden").input_value() == "14336"
    page.get_by_test_id("total_bytes").filter(has_not_text=before).wait_for()
    assert page.evaluate("window.__same_document") is True  # no reload happened
    after = total(page)
    page.reload()
    assert total(page) == after
    assert control(page, "vocab").input_value() == "128256"


def test_editing_an_architecture_field_marks_the_preset_custom(page, site_server):
    page.goto(site_server.url + URL)
    control(page, "layers").fill("40")
    page.wait_for_url(re.compile(r"layers=40"))
    assert control(page, "preset").input_value() == "custom"
    assert "preset=custom" in page.url


def test_micro_batch_live_then_follow_the_link_to_the_flagship(page, site_server):
    page.goto(site_server.url + URL)
    control(page, "micro_batch").fill("1")
    page.wait_for_url(re.compile(r"micro_batch=1(&|$)"))
    page.get_by_test_id("largest_micro_batch").wait_for()
    largest = page.get_by_test_id("largest_micro_batch").inner_text()
    page.get_by_test_id("accumulation-link").click()
    page.wait_for_url(re.compile(r"/gradient-accumulation/\?micro_batch=" + largest))
    assert control(page, "micro_batch").input_value() == largest
    assert control(page, "seq_len").input_value() == "4096"
    assert control(page, "gpus").input_value() == "8"


def test_apply_preset_works_without_javascript(open_page, site_server):
    page = open_page(java_script_enabled=False)
    page.goto(site_server.url + URL)
    control(page, "preset").select_option("qwen2.5-7b")
    page.get_by_role("button", name="Apply preset").click()
    page.wait_for_url(re.compile(r"apply=preset"))
    assert control(page, "hidden").input_value() == "3584"
    control(page, "seq_len").fill("1024")
    page.get_by_role("button", name="Calculate").click()
    page.wait_for_url(re.compile(r"seq_len=1024"))
    assert control(page, "hidden").input_value() == "3584"  # fields win now
    assert page.get_by_test_id("memory-bar").is_visible()
