"""The training planner in a real browser: the hand-off to the flagship. Live recompute, the
permalink, no-JS, phone width and accessibility for every tool are tests/site/."""

import re

import pytest

pytestmark = pytest.mark.browser
URL = "/training-plan/"


def layout(page):
    return page.get_by_test_id("best-layout").inner_text()


def test_the_handoff_carries_the_layout_to_the_flagship(page, site_server):
    page.goto(site_server.url + URL + "?model=llama-3.3-70b&gpus=64&global_batch=256")
    text = layout(page)
    tp = re.search(r"TP (\d+)", text).group(1)
    page.get_by_test_id("link-accumulation").click()
    page.wait_for_url(re.compile(r"/gradient-accumulation/\?"))
    assert page.locator("#id_global_batch").input_value() == "256"
    assert page.locator("#id_gpus").input_value() == "64"
    assert f"tp={tp}" in page.url
