"""The metric tools in a real browser: live recompute of a list, permalink, modes, no-JS, phone."""

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


def test_works_without_javascript(open_page, site_server):
    page = open_page(java_script_enabled=False)
    page.goto(site_server.url + "/metrics/silhouette/")
    page.get_by_label("b: mean distance to the nearest other cluster (same unit)").fill("4")
    page.get_by_role("button", name="Calculate").click()
    page.wait_for_url(re.compile(r"b=4"))
    assert page.get_by_test_id("silhouette").inner_text() == "0.5000"


def test_phone_width_has_no_horizontal_scroll(open_page, site_server):
    page = open_page(viewport={"width": 375, "height": 800})
    paths = (
        "/metrics/regression/",
        "/metrics/log-loss/",
        "/metrics/roc-auc/?mode=scores",
        "/metrics/threshold-cost/?prevalence=0.1&fpr=0.1&tpr=0.6",
        "/metrics/silhouette/?mode=clusters",
    )
    for path in paths:
        page.goto(site_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
