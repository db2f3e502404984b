"""Data too large for a URL: POST to the same URL (form-encoded or a CSV file in `file`),
answered as page, fragment and JSON exactly like GET, stored nowhere and said to have no link;
bad files and oversized bodies get a 4xx naming the field and the limit."""

import re
from html import unescape

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from calculators.kit.list_fields import MAX_VALUES
from eval_metrics.engine.silhouette import MAX_POINTS
from eval_metrics.uploads import MAX_UPLOAD_BYTES

HX = {"HTTP_HX_REQUEST": "true"}
SMALL = {
    "/metrics/regression/": {"y_true": "3 -0.5 2 7 1", "y_pred": "2.5 0 2 8 1.5"},
    "/metrics/log-loss/": {"y_true": "1 0 1 1 0", "y_prob": "0.9 0.2 0.6 0.4 0.1"},
    "/metrics/roc-auc/": {"mode": "scores", "y_true": "0 0 1 1 0 1", "y_score": "1 4 3 8 4 9"},
    "/metrics/threshold-cost/": {"y_true": "0 0 1 1 0 1", "y_score": "0.1 0.4 0.3 0.8 0.4 0.9"},
    "/metrics/silhouette/": {
        "mode": "clusters",
        "x": "1 1.5 2 6 6.5 7",
        "y": "1 2 1.2 5 6 5.5",
        "labels": "0 0 0 1 1 1",
    },
}
URLS = list(SMALL)


def csv_file(text: str, name: str = "data.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def as_csv(columns: dict) -> str:
    names = list(columns)
    rows = zip(*(columns[n].split() for n in names), strict=True)
    return ",".join(names) + "\n" + "\n".join(",".join(r) for r in rows) + "\n"


def errors_of(response) -> dict:
    assert response.status_code in (400, 413), response.status_code
    return response.json()["errors"]


@pytest.mark.parametrize("url", URLS)
def test_post_answers_json_like_get(client, url):
    got = client.get(url, {**SMALL[url], "format": "json"})
    posted = client.post(url, {**SMALL[url], "format": "json"})  # format in the body
    posted_query = client.post(f"{url}?format=json", SMALL[url])  # or in the query string
    assert got.status_code == posted.status_code == posted_query.status_code == 200
    assert posted.json() == got.json() == posted_query.json()
    assert posted["Content-Type"] == "application/json"


@pytest.mark.parametrize("url", URLS)
def test_post_fragment_is_the_get_fragment_with_the_no_link_note(client, url):
    got = client.get(url, SMALL[url], **HX).content.decode()
    posted = client.post(url, SMALL[url], **HX).content.decode()
    assert "<form" not in posted and "<input" not in posted and "<textarea" not in posted
    note = re.search(r'<div class="note warn" data-testid="note-no-permalink">.*?</div>', posted)
    assert note and "This result has no link" in note.group(0)
    assert posted.replace(note.group(0), "").strip() == got.strip()


@pytest.mark.parametrize("url", URLS)
def test_post_page_says_it_has_no_link_and_is_stored_nowhere(client, url):
    r = client.post(url, SMALL[url])
    html = r.content.decode()
    assert r.status_code == 200 and "<html" in html
    assert 'data-testid="note-no-permalink"' in html
    # Canonical is the tool itself, not a scenario; no preview image of megabytes of query.
    assert f'<link rel="canonical" href="http://testserver{url}">' in html
    assert "og:image" not in html
    assert "no-store" in r["Cache-Control"] and "public" not in r["Cache-Control"]
    assert "Set-Cookie" not in r and not r.cookies
    assert "style=" not in html and "<script>" not in html  # strict CSP
    # The inputs come back, so the person can keep working on them without JavaScript.
    first = next(iter(v for k, v in SMALL[url].items() if k != "mode"))
    assert first in unescape(html)
    get_html = client.get(url, SMALL[url]).content.decode()
    assert 'data-testid="note-no-permalink"' not in get_html


def test_get_stays_cacheable_and_post_only_where_a_form_accepts_it(client):
    r = client.get("/metrics/roc-auc/")
    assert "public" in r["Cache-Control"] and "max-age" in r["Cache-Control"]
    assert client.head("/metrics/roc-auc/").status_code == 200
    for method in ("put", "delete", "patch"):
        assert getattr(client, method)("/metrics/roc-auc/").status_code == 405
    # A tool whose form does not accept POST still refuses it (the kit's opt-in).
    r = client.post("/gradient-accumulation/", {"seq_len": "4096"})
    assert r.status_code == 405 and r["Allow"] == "GET, HEAD"


def test_post_needs_no_csrf_token(settings):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    r = strict.post("/metrics/regression/?format=json", SMALL["/metrics/regression/"])
    assert r.status_code == 200 and r.json()["result"]["n"] == 5


def test_upload_settings_keep_files_in_memory_under_one_cap():
    assert settings.FILE_UPLOAD_HANDLERS == [
        "django.core.files.uploadhandler.MemoryFileUploadHandler"
    ]
    assert (
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        == settings.FILE_UPLOAD_MAX_MEMORY_SIZE
        == MAX_UPLOAD_BYTES
        == 10 * 1024 * 1024
    )


@pytest.mark.parametrize("url", URLS)
def test_uploaded_csv_gives_the_same_answer_as_the_lists(client, url):
    columns = {k: v for k, v in SMALL[url].items() if k != "mode"}
    extra = {"mode": SMALL[url]["mode"]} if "mode" in SMALL[url] else {}
    expected = client.get(url, {**SMALL[url], "format": "json"}).json()
    r = client.post(f"{url}?format=json", {**extra, "file": csv_file(as_csv(columns))})
    assert r.status_code == 200, r.content[:300]
    assert r.json() == expected
    # The page names the file and the columns it read.
    html = client.post(url, {**extra, "file": csv_file(as_csv(columns), "preds.csv")})
    html = unescape(html.content.decode())
    assert 'data-testid="note-upload-used"' in html and "preds.csv" in html


def test_upload_picks_the_mode_and_aliases_from_the_header(client):
    # Mode left at its default (points): a file of labels and scores means scores.
    text = "id,label_text,y_prob,y_true\n1,a,0.1,0\n2,b,0.4,0\n3,c,0.35,1\n4,d,0.8,1\n"
    r = client.post("/metrics/roc-auc/?format=json", {"file": csv_file(text)})
    data = r.json()
    assert data["inputs"]["mode"] == "scores"
    assert data["result"]["auc"] == 0.75  # scikit-learn's roc_auc_score docs example
    text = "x;y;label\n1;1;0\n1.5;2;0\n2;1.2;0\n6;5;1\n6.5;6;1\n7;5.5;1\n"
    r = client.post("/metrics/silhouette/?format=json", {"file": csv_file(text)})
    assert r.json()["inputs"]["mode"] == "clusters"
    assert r.json()["inputs"]["labels"] == [0, 0, 0, 1, 1, 1]


# What the regression tool reads wrongly in a file it can open; tests/site/test_bad_input.py
# sends every upload field the files no tool can read.
BAD_ROWS = [
    (b"y_true,y_pred\n1,2\n3,abc\n", "abc"),
    (b"y_true,y_pred\n1,2\n3,0,5\n", "line 3"),
    (b"y_true,y_pred\n1,2\n3,\n", "empty cell"),
    (b"y_true,y_pred\n1,2\n3,nan\n", "nan"),
    (b"y_true,y_pred\n", "no rows"),
]


@pytest.mark.parametrize(("content", "says"), BAD_ROWS, ids=lambda v: str(v)[:20])
def test_bad_files_get_a_message_naming_the_file(client, content, says):
    upload = SimpleUploadedFile("bad.csv", content)
    errors = errors_of(client.post("/metrics/regression/?format=json", {"file": upload}))
    assert list(errors) == ["file"]
    message = errors["file"][0]
    assert "uploaded file" in message and says in message, message
    # The page shows the same message, with a 200 like any other input error.
    upload = SimpleUploadedFile("bad.csv", content)
    r = client.post("/metrics/regression/", {"file": upload})
    assert r.status_code == 200
    assert message in unescape(r.content.decode())


def test_wrong_columns_name_what_the_tool_reads_and_what_was_found(client):
    r = client.post("/metrics/roc-auc/?format=json", {"file": csv_file("score,target\n0.5,1\n")})
    message = errors_of(r)["file"][0]
    assert "score, target" in message  # found
    assert "y_true and y_score (or y_prob)" in message and "fpr and tpr" in message  # read


def test_uploaded_values_are_checked_by_the_lists_rules(client):
    r = client.post("/metrics/log-loss/?format=json", {"file": csv_file("y_true,y_prob\n2,0.5\n")})
    message = errors_of(r)["file"][0]
    assert "column y_true" in message and "only the labels 0 and 1" in message
    rows = "x,y,labels\n" + "".join(f"{i},{i % 7},{i % 2}\n" for i in range(MAX_POINTS + 1))
    r = client.post("/metrics/silhouette/?format=json", {"file": csv_file(rows)})
    message = errors_of(r)["file"][0]
    assert f"{MAX_POINTS + 1:,} rows, over the limit of {MAX_POINTS:,}" in message


def test_a_body_over_the_cap_is_413_naming_the_field_and_the_limit(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    big = {"y_true": " ".join(["1"] * 1_500), "y_pred": " ".join(["2"] * 1_500)}
    r = client.post("/metrics/regression/?format=json", big)
    message = errors_of(r)["file"][0]
    assert r.status_code == 413 and "2,000 bytes" in message and "over the limit" in message
    r = client.post("/metrics/regression/?format=json", {"file": csv_file("y_true,y_pred\n" * 200)})
    assert r.status_code == 413 and "2,000 bytes" in errors_of(r)["file"][0]
    # The page and the fragment say it too, with the form's own error block.
    page = client.post("/metrics/regression/", big)
    assert page.status_code == 413 and "2,000 bytes" in unescape(page.content.decode())
    fragment = client.post("/metrics/regression/", big, **HX)
    html = unescape(fragment.content.decode())
    assert fragment.status_code == 413 and 'data-testid="errors"' in html and "2,000" in html


def test_a_real_body_over_ten_mib_is_refused_before_it_is_read(client):
    body = b"y_true=" + b"1%2C" * (MAX_UPLOAD_BYTES // 4 + 1)
    r = client.generic(
        "POST",
        "/metrics/regression/?format=json",
        body,
        "application/x-www-form-urlencoded",
    )
    assert r.status_code == 413
    assert f"{MAX_UPLOAD_BYTES:,} bytes (10 MiB)" in r.json()["errors"]["file"][0]


def test_a_hundred_thousand_values_are_accepted_and_one_more_refused(client):
    ones = "\n".join(["1"] * MAX_VALUES)
    twos = "\n".join(["2"] * MAX_VALUES)
    r = client.post("/metrics/regression/?format=json", {"y_true": ones, "y_pred": twos})
    assert r.status_code == 200 and r.json()["result"]["mae"] == 1.0
    r = client.post(
        "/metrics/regression/?format=json",
        {"y_true": ones + "\n1", "y_pred": twos + "\n2"},
    )
    message = " ".join(errors_of(r)["y_true"])
    assert f"{MAX_VALUES + 1:,} values, over the limit" in message
    assert f"at most {MAX_VALUES:,} values" in message


def test_stated_limits_agree_with_the_enforced_ones(client):
    html = unescape(client.get("/metrics/log-loss/").content.decode())
    assert f"up to {MAX_VALUES:,} values" in html  # each list's help text
    assert f"Up to {MAX_VALUES:,} per list ({MAX_POINTS:,} points for silhouettes" in html
    assert "10 MiB" in html
    assert f'data-max-body-bytes="{MAX_UPLOAD_BYTES}"' in html
    # The address the browser sends by GET stays well under gunicorn's request line limit.
    limit = int(re.search(r'data-max-url-bytes="(\d+)"', html).group(1))
    assert limit + len("GET  HTTP/1.1") + 1_000 < 8190
    html = unescape(client.get("/metrics/silhouette/").content.decode())
    assert f"up to {MAX_POINTS:,} values" in html and f"up to {MAX_POINTS:,} rows" in html
