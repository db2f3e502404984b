"""The flagship in a real browser: live recompute, permalink, history, copy. No-JS, phone width
and accessibility for every tool are tests/site/."""

import re

import pytest

pytestmark = pytest.mark.browser
URL = "/gradient-accumulation/"


def steps(page):
    return page.get_by_test_id("accumulation_steps").inner_text()


def test_typing_updates_result_and_url_then_reload_restores(page, site_server):
    page.goto(site_server.url + URL)
    assert steps(page) == "32"
    page.evaluate("window.__same_document = true")
    page.get_by_label("Micro-batch").fill("8")
    page.wait_for_url(re.compile(r"micro_batch=8"))
    page.get_by_test_id("accumulation_steps").filter(has_text="16").wait_for()
    assert page.evaluate("window.__same_document") is True  # no reload happened
    page.reload()
    assert steps(page) == "16"
    assert page.get_by_label("Micro-batch").input_value() == "8"


def test_back_button_returns_to_the_scenario(page, site_server):
    page.goto(site_server.url + URL + "?global_batch=1000")
    page.get_by_role("link", name="GradAcc").click()
    page.wait_for_url(site_server.url + "/")
    page.go_back()
    page.wait_for_url(re.compile(r"global_batch=1000"))
    assert steps(page) == "31"


def test_copy_link_copies_the_permalink(open_page, site_server):
    page = open_page(permissions=["clipboard-read", "clipboard-write"])
    page.goto(site_server.url + URL)
    page.get_by_label("GPUs (in total)").fill("16")
    page.wait_for_url(re.compile(r"gpus=16"))
    page.get_by_role("button", name="Copy link").click()
    page.get_by_text("Link copied.").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "gpus=16" in copied and copied == page.url
