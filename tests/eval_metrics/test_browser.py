"""The metric tools in a real browser: live recompute of a list, permalink, modes. No-JS, phone
width and accessibility for every tool are tests/site/."""

import re

import pytest

pytestmark = pytest.mark.browser


def test_typing_a_list_updates_result_and_url_then_reload_restores(page, site_server):
    page.goto(site_server.url + "/metrics/regression/")
    assert page.get_by_test_id("mae").inner_text() == "0.5"
    page.evaluate("window.__same_document = true")
    page.get_by_label("Predicted values (y_pred)").fill("3\n-0.5\n2\n8")
    page.wait_for_url(re.compile(r"y_pred=3%0A-0.5%0A2%0A8"))
    page.get_by_test_id("mae").filter(has_text="0.25").wait_for()
    assert page.evaluate("window.__same_document") is True  # no full reload
    page.reload()
    assert page.get_by_test_id("mae").inner_text() == "0.25"
    assert page.get_by_label("Predicted values (y_pred)").input_value() == "3\n-0.5\n2\n8"


def test_switching_mode_shows_its_fields_and_recomputes(page, site_server):
    page.goto(site_server.url + "/metrics/roc-auc/")
    scores = page.get_by_label("Scores (y_score)")
    assert not scores.is_visible()
    page.get_by_label("Mode").select_option("scores")
    assert scores.is_visible() and not page.get_by_label("False positive rates (fpr)").is_visible()
    page.wait_for_url(re.compile(r"mode=scores"))
    page.get_by_test_id("auc").filter(has_text="0.7500").wait_for()
