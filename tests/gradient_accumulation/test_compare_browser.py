"""Pinning and comparing scenarios, and copying a framework snippet, in a real browser."""

import re

import pytest

from tests.browser import control

pytestmark = pytest.mark.browser
URL = "/gradient-accumulation/"


def row_cells(page, key):
    return page.get_by_test_id(f"compare-{key}").locator("td").all_inner_texts()


def test_pin_compare_reload_and_unpin(page, site_server):
    page.goto(site_server.url + URL + "?gpus=16")
    page.get_by_test_id("pin").click()
    page.wait_for_url(re.compile(r"compare=gpus%3D16"))
    assert "This scenario is pinned" in page.get_by_test_id("compare").inner_text()

    # Change the live scenario: the pinned one stays, side by side, with its delta.
    control(page, "micro_batch").fill("8")
    page.wait_for_url(re.compile(r"micro_batch=8.*compare=gpus%3D16"))
    page.get_by_test_id("compare-table").wait_for()
    current, pinned = row_cells(page, "accumulation_steps")
    assert current == "8"  # 1,024 / (8 x 16)
    assert pinned.startswith("16") and "+100.0%" in pinned
    assert row_cells(page, "micro_batch")[1].startswith("4")

    page.reload()  # the address alone reproduces the comparison
    assert row_cells(page, "accumulation_steps")[0] == "8"
    assert "Pinned 1" in page.get_by_test_id("compare-table").inner_text()

    page.get_by_test_id("unpin-1").click()
    page.wait_for_url(lambda url: "compare=" not in url)
    assert page.get_by_test_id("compare-table").count() == 0
    assert control(page, "micro_batch").input_value() == "8"


def test_copy_button_copies_the_live_snippet(open_page, site_server):
    page = open_page(permissions=["clipboard-read", "clipboard-write"])
    page.goto(site_server.url + URL)
    control(page, "gpus").fill("16")
    page.wait_for_url(re.compile(r"gpus=16"))
    page.get_by_test_id("accumulation_steps").filter(has_text="16").wait_for()
    page.get_by_test_id("config-deepspeed").locator("summary").click()
    button = page.get_by_role("button", name="Copy DeepSpeed (ds_config.json)")
    button.click()  # the button arrived with the swapped fragment and was wired by htmx:load
    copied = page.evaluate("navigator.clipboard.readText()")
    assert '"gradient_accumulation_steps": 16' in copied and copied.startswith("{")
