"""The metric tools in a real browser: modes, large pastes sent by POST, uploads. Live
recompute, the permalink, no-JS, phone width and accessibility for every tool are tests/site/."""

import re

import pytest

from tests.browser import control

pytestmark = pytest.mark.browser


def test_switching_mode_shows_its_fields_and_recomputes(page, site_server):
    page.goto(site_server.url + "/metrics/roc-auc/")
    scores = control(page, "y_score")
    assert not scores.is_visible()
    control(page, "mode").select_option("scores")
    assert scores.is_visible() and not control(page, "fpr").is_visible()
    page.wait_for_url(re.compile(r"mode=scores"))
    page.get_by_test_id("auc").filter(has_text="0.7500").wait_for()


def paste(page, name: str, text: str) -> None:
    """What a paste does: the whole value at once, then one input event. (Playwright's fill
    of 2,000 lines took 26 s in chromium here, growing with the square of the lines.)"""
    page.locator(f'textarea[name="{name}"]').evaluate(
        "(el, text) => { el.value = text; el.dispatchEvent(new Event('input', {bubbles: true})); }",
        text,
    )


def test_a_large_paste_switches_to_post_and_says_it_has_no_link(page, site_server):
    """2,000 predictions make a 30 KB address, past gunicorn's 8,190-byte request line: the live
    form sends them by POST instead, and the page says the result has no link."""
    page.goto(site_server.url + "/metrics/regression/")
    copy = page.locator("[data-copy-link]")
    copy.wait_for()  # site.js shows it once wired
    requests = []
    page.on("request", lambda r: requests.append((r.method, len(r.url))))
    n = 2_000
    paste(page, "y_true", "\n".join(f"{i}.25" for i in range(n)))
    paste(page, "y_pred", "\n".join(f"{i}.5" for i in range(n)))
    page.get_by_test_id("note-no-permalink").wait_for()
    # The MAE of errors all 0.25, from all 2,000 pairs, computed by the server from the body.
    page.get_by_test_id("mae").filter(has_text="0.25").wait_for()
    assert "2,000 samples" in page.locator("#result").inner_text()
    assert ("POST", len(site_server.url + "/metrics/regression/")) in requests
    assert all(length < 8190 for _, length in requests)  # no request line over gunicorn's
    assert not copy.is_visible()
    assert "no link" in page.locator("#inputs-note").inner_text()
    # The address holds no stale scenario: it is the tool's own.
    assert page.url == site_server.url + "/metrics/regression/"
    # Back to a few values: GET again, the address a permalink, Copy link back.
    control(page, "y_true").fill("3\n-0.5\n2\n7")
    control(page, "y_pred").fill("2.5\n0\n2\n8")
    page.wait_for_url(re.compile(r"y_pred=2.5%0A0%0A2%0A8"))
    page.get_by_test_id("mae").filter(has_text="0.5").wait_for()
    assert page.get_by_test_id("note-no-permalink").count() == 0
    assert copy.is_visible()
    assert "permalink" in page.locator("#inputs-note").inner_text()


def test_uploading_a_csv_posts_it_and_shows_the_answer(page, site_server, tmp_path):
    page.goto(site_server.url + "/metrics/roc-auc/")
    # scikit-learn's roc_auc_score documentation example: AUC 0.75. The mode is read from the
    # file's columns (labels and scores), though the page starts in points mode.
    data = tmp_path / "scores.csv"
    data.write_text("y_true,y_score\n0,0.1\n0,0.4\n1,0.35\n1,0.8\n")
    control(page, "file").set_input_files(str(data))
    page.get_by_test_id("note-upload-used").wait_for()
    assert "scores.csv" in page.get_by_test_id("note-no-permalink").inner_text()
    assert page.get_by_test_id("auc").inner_text() == "0.7500"
    assert page.get_by_test_id("average_precision").inner_text().startswith("0.833333")
    assert not page.locator("[data-copy-link]").is_visible()


def test_a_bad_upload_is_explained_in_the_result(page, site_server, tmp_path):
    page.goto(site_server.url + "/metrics/log-loss/")
    data = tmp_path / "book.xlsx"
    data.write_bytes(b"PK\x03\x04" + bytes(64))
    control(page, "file").set_input_files(str(data))
    page.get_by_test_id("errors").filter(has_text="Excel workbook").wait_for()


def test_upload_works_without_javascript(open_page, site_server, tmp_path):
    page = open_page(java_script_enabled=False)
    page.goto(site_server.url + "/metrics/regression/")
    data = tmp_path / "preds.csv"
    data.write_text("y_pred,y_true\n2.5,3\n0,-0.5\n2,2\n8,7\n")  # scikit-learn's MAE example
    control(page, "file").set_input_files(str(data))
    page.get_by_test_id("post-submit").click()
    page.get_by_test_id("note-no-permalink").wait_for()
    assert page.get_by_test_id("mae").inner_text() == "0.5"
    assert page.url == site_server.url + "/metrics/regression/"


def test_data_over_the_body_cap_is_explained_in_the_result(open_page, site_server, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000  # the live server reads it per request
    # The browser logs any 4xx answer as a failed resource; the page shows it as a message.
    page = open_page(expected_console_errors=("status of 413",))
    page.goto(site_server.url + "/metrics/log-loss/")
    n = 3_000
    paste(page, "y_true", "\n".join(str(i % 2) for i in range(n)))
    paste(page, "y_prob", "\n".join("0.123456789" for _ in range(n)))
    errors = page.get_by_test_id("errors").filter(has_text="20,000 bytes")
    errors.wait_for()
    assert "file" in errors.inner_text() or "request" in errors.inner_text()
