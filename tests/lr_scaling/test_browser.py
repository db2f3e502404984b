"""The LR-scaling page in a real browser: the hand-off from the flagship. Live recompute, the
permalink, no-JS, phone width and accessibility for every tool are tests/site/."""

import re

import pytest

from tests.browser import control, settled_after

pytestmark = pytest.mark.browser
URL = "/lr-scaling/"


def shown(page, testid):
    return page.get_by_test_id(testid).inner_text()


def type_and_settle(page, name, text):
    settled_after(page, lambda: control(page, name).fill(text))


def test_hand_off_from_the_flagship_carries_batch_and_recipe(page, site_server):
    page.goto(site_server.url + "/gradient-accumulation/")
    type_and_settle(page, "global_batch", "2000")
    page.get_by_text("Learning rate from a recipe").click()
    type_and_settle(page, "ref_lr", "3e-4")
    type_and_settle(page, "ref_batch", "256")
    # 2000 / (4 x 8) = 62.5 steps, rounded to 63: the LR must follow the 2,016 actually achieved.
    link = page.get_by_test_id("lr-scaling-link")
    link.and_(page.locator('[href*="new_batch=2016"][href*="base_batch=256"]')).wait_for()
    link.click()
    page.wait_for_url(re.compile(r"/lr-scaling/\?.*new_batch=2016"))
    assert control(page, "base_lr").input_value() == "0.0003"
    assert control(page, "base_batch").input_value() == "256"
    assert control(page, "new_batch").input_value() == "2016"
    # k = 2016 / 256 = 7.875; 3e-4 x sqrt(7.875) = 8.42e-4; 3e-4 x 7.875 = 2.36e-3.
    assert shown(page, "batch_ratio") == "7.875"
    assert shown(page, "recommended_lr") == "8.42e\u22124"
    assert shown(page, "linear_lr") == "2.36e\u22123"
    assert shown(page, "new_batch_tokens").startswith("8.26M")  # 2016 x 4096
    # ... and the page links back with the batch.
    back = page.get_by_test_id("flagship-link").get_attribute("href")
    assert "global_batch=2016" in back and "seq_len=4096" in back
