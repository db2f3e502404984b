"""The flagship in a real browser: the back button, the copy button. Live recompute, the
permalink, no-JS, phone width and accessibility for every tool are tests/site/."""

import re

import pytest

from tests.browser import control

pytestmark = pytest.mark.browser
URL = "/gradient-accumulation/"


def steps(page):
    return page.get_by_test_id("accumulation_steps").inner_text()


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
    control(page, "gpus").fill("16")
    page.wait_for_url(re.compile(r"gpus=16"))
    page.get_by_role("button", name="Copy link").click()
    page.get_by_text("Link copied.").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "gpus=16" in copied and copied == page.url
