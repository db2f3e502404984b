"""The five metric tools over HTTP: page, fragment, JSON contract, permalink, modes, tables."""

import re
from html import unescape
from urllib.parse import urlparse

import numpy as np
import pytest
from sklearn.metrics import log_loss, r2_score, roc_auc_score, silhouette_score

HX = {"HTTP_HX_REQUEST": "true"}
TOOLS = {
    "metrics-regression": "/metrics/regression/",
    "metrics-log-loss": "/metrics/log-loss/",
    "metrics-roc-auc": "/metrics/roc-auc/",
    "metrics-threshold-cost": "/metrics/threshold-cost/",
    "metrics-silhouette": "/metrics/silhouette/",
}
CONTRACT_KEYS = {
    "/metrics/regression/": ("mae", "mse", "rmse", "r2"),
    "/metrics/log-loss/": ("log_loss",),
    "/metrics/roc-auc/": ("auc", "gini"),
    "/metrics/threshold-cost/": ("threshold",),
    "/metrics/silhouette/": ("silhouette",),
}
URLS = list(TOOLS.values())


def value_of(html, name):
    match = re.search(rf'data-testid="{re.escape(name)}"[^>]*>([^<]*)<', html)
    assert match, name
    return unescape(match.group(1)).strip()


@pytest.mark.parametrize("url", URLS)
def test_page_has_form_result_formula_and_references(client, url):
    r = client.get(url)
    html = r.content.decode()
    assert r.status_code == 200 and "<html" in html
    assert re.search(rf'<form class="inputs" method="get" action="{url}"\s+hx-get="{url}"', html)
    assert 'hx-replace-url="true"' in html and 'hx-target="#result"' in html
    assert '<button type="submit">Calculate</button>' in html  # works without JavaScript
    assert 'id="formula-heading"' in html and 'id="refs-heading"' in html
    assert html.count('<a href="https://') >= 3  # cited sources
    assert 'data-testid="worked-example"' in html
    assert '<link rel="canonical" href="http://testserver' in html
    assert '<meta property="og:description" content="' in html
    assert "Cannot calculate" not in html
    assert "style=" not in html and "<script>" not in html  # strict CSP: no inline style/script


@pytest.mark.parametrize("url", URLS)
def test_fragment_holds_the_result_of_the_scenario(client, url):
    r = client.get(url, **HX)
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-testid="worked-example"' in html


@pytest.mark.parametrize("url", URLS)
def test_json_has_contract_keys_and_reopens_from_the_canonical_link(client, url):
    data = client.get(url, {"format": "json"}).json()
    for key in CONTRACT_KEYS[url]:
        assert isinstance(data["result"][key], float)
    page = client.get(url).content.decode()
    canonical = unescape(re.search(r'<link rel="canonical" href="([^"]+)"', page).group(1))
    parsed = urlparse(canonical)
    again = client.get(f"{parsed.path}?{parsed.query}&format=json").json()
    assert again == data


@pytest.mark.parametrize("url", URLS)
def test_every_svg_has_a_text_alternative(client, url):
    query = {"mode": "clusters"} if "silhouette" in url else {}
    if "threshold" in url:
        query = {"prevalence": "0.1", "fpr": "0.1,0.3", "tpr": "0.6,0.9"}
    html = client.get(url, query).content.decode()
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", html, re.S)
    assert svgs
    for svg in svgs:
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert html.count("<figcaption>") >= len(svgs)


@pytest.mark.parametrize("slug", TOOLS)
def test_related_links_reach_every_sibling(client, slug):
    html = client.get(TOOLS[slug]).content.decode()
    for other in TOOLS:
        if other != slug:
            assert f'data-testid="related-{other}"' in html


def test_home_lists_the_evaluation_group(client):
    html = client.get("/").content.decode()
    assert "Evaluation metrics" in html
    for slug in TOOLS:
        assert f'data-testid="tool-{slug}"' in html


def test_regression_defaults_are_sklearns_documented_example(client):
    data = client.get("/metrics/regression/", {"format": "json"}).json()
    assert data["inputs"] == {"y_true": [3, -0.5, 2, 7], "y_pred": [2.5, 0, 2, 8]}
    assert data["result"]["mae"] == 0.5 and data["result"]["mse"] == 0.375
    assert data["result"]["r2"] == pytest.approx(r2_score([3, -0.5, 2, 7], [2.5, 0, 2, 8]))
    html = client.get("/metrics/regression/").content.decode()
    assert value_of(html, "mae") == "0.5" and value_of(html, "r2") == "0.9486"


def test_negative_r2_and_zero_target_notes(client):
    html = client.get(
        "/metrics/regression/", {"y_true": "0 1 2 3", "y_pred": "3 2 1 0"}
    ).content.decode()
    assert 'data-testid="note-negative-r2"' in html
    assert 'data-testid="note-mape-zero"' in html and value_of(html, "mape") == "undefined"


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_constant_targets_show_undefined_and_name_scikit_learns_artefact(client):
    query = {"y_true": "0.1 0.1 0.1", "y_pred": "0.2 0.2 0.2"}
    html = client.get("/metrics/regression/", query).content.decode()
    assert value_of(html, "r2") == "undefined"
    assert value_of(html, "r2-stat").startswith("undefined")
    note = re.search(r'data-testid="note-r2-undefined".*?</div>', html, re.S).group(0)
    assert "force_finite=True" in note and "force_finite=False" in note
    # The figure the note quotes is scikit-learn's own answer for these inputs.
    mantissa, exponent = f"{r2_score([0.1] * 3, [0.2] * 3):.2e}".split("e")
    assert f"{mantissa.replace('-', '−')} × 10<sup>{int(exponent)}</sup>" in note
    # JSON keeps the documented force_finite value, flagged as undefined.
    data = client.get("/metrics/regression/", {**query, "format": "json"}).json()["result"]
    assert data["r2_defined"] is False and data["r2"] == r2_score([5, 5, 5], [5, 6, 5]) == 0.0
    worked = re.search(r'data-testid="worked-example".*?</ol>', html, re.S).group(0)
    assert "<strong>undefined</strong>" in worked


def test_lists_accept_commas_spaces_and_newlines(client):
    query = {"y_true": "1,2\n3  4;5", "y_pred": "1.5\t2 ,3\r\n4,6", "format": "json"}
    data = client.get("/metrics/regression/", query).json()
    assert data["inputs"]["y_true"] == [1, 2, 3, 4, 5]
    assert data["inputs"]["y_pred"] == [1.5, 2, 3, 4, 6]


def test_pasted_csv_fills_both_lists_and_the_permalink_carries_the_lists(client):
    csv = "y_true,y_pred\n3,2.5\n-0.5,0\n2,2\n7,8\n"
    data = client.get("/metrics/regression/", {"csv": csv, "y_true": "", "format": "json"}).json()
    assert data["inputs"] == {"y_true": [3, -0.5, 2, 7], "y_pred": [2.5, 0, 2, 8]}
    html = client.get("/metrics/regression/", {"csv": csv, "y_true": "garbage"}).content.decode()
    assert 'data-testid="note-table-used"' in html and "Cannot calculate" not in html
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', html).group(1)
    assert "csv=" not in canonical and "y_true=3%2C-0.5%2C2%2C7" in canonical


def test_tab_separated_paste_from_a_spreadsheet(client):
    data = client.get(
        "/metrics/log-loss/", {"csv": "1\t0.9\n0\t0.1\n0\t0.2\n1\t0.65", "format": "json"}
    ).json()
    assert data["result"]["log_loss"] == pytest.approx(
        log_loss([1, 0, 0, 1], [0.9, 0.1, 0.2, 0.65])
    )


def test_log_loss_in_bits_and_clipping_note(client):
    html = client.get(
        "/metrics/log-loss/", {"y_true": "1 0", "y_prob": "0 0.5", "units": "bits"}
    ).content.decode()
    assert "bits per sample" in html and 'data-testid="note-clipped"' in html
    data = client.get(
        "/metrics/log-loss/", {"y_true": "1 0", "y_prob": "0 0.5", "format": "json"}
    ).json()
    assert data["result"]["log_loss"] == pytest.approx(log_loss([1, 0], [0, 0.5]))
    assert data["result"]["clipped"] == 1


def test_roc_points_mode_adds_and_says_endpoints(client):
    html = client.get("/metrics/roc-auc/", {"fpr": "0.4 0.1", "tpr": "0.9 0.6"}).content.decode()
    for note in ("note-added-start", "note-added-end", "note-reordered"):
        assert f'data-testid="{note}"' in html
    data = client.get(
        "/metrics/roc-auc/", {"fpr": "0.4 0.1", "tpr": "0.9 0.6", "format": "json"}
    ).json()
    assert data["result"]["auc"] == pytest.approx(np.trapezoid([0, 0.6, 0.9, 1], [0, 0.1, 0.4, 1]))


def test_roc_scores_mode_ignores_the_other_modes_fields(client):
    y, s = "0 0 1 1 0 1", "0.1 0.4 0.35 0.8 0.5 0.5"
    query = {"mode": "scores", "y_true": y, "y_score": s, "fpr": "banana", "format": "json"}
    data = client.get("/metrics/roc-auc/", query).json()
    expected = roc_auc_score([0, 0, 1, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.5, 0.5])
    assert data["result"]["auc"] == pytest.approx(expected)
    # The other mode's inputs are null: the JSON has one shape whatever the mode.
    assert data["inputs"]["fpr"] is None and data["inputs"]["tpr"] is None
    assert data["inputs"]["y_true"] == [0, 0, 1, 1, 0, 1] and data["inputs"]["mode"] == "scores"


def test_modal_fields_are_required_only_in_their_mode(client):
    blank = client.get("/metrics/roc-auc/", {"mode": "scores", "y_score": "", "format": "json"})
    (message,) = blank.json()["errors"]["y_score"]
    assert message.startswith("Scores (y_score): is required. Enter numbers")
    other = client.get("/metrics/roc-auc/", {"mode": "scores", "fpr": "", "format": "json"})
    assert other.status_code == 200
    html = client.get("/metrics/silhouette/").content.decode()
    assert re.search(r'<textarea name="x"[^>]*\brequired\b', html) is None  # may be hidden


def test_threshold_cost_with_and_without_roc_points(client):
    data = client.get(
        "/metrics/threshold-cost/", {"cost_fp": "1", "cost_fn": "4", "format": "json"}
    ).json()
    assert data["result"]["threshold"] == 0.2 and data["result"]["curve"] is None
    query = {"prevalence": "0.1", "csv": "fpr,tpr\n0.05,0.4\n0.1,0.6\n0.3,0.9"}
    html = client.get("/metrics/threshold-cost/", query).content.decode()
    assert value_of(html, "best_fpr") == "0.1" and value_of(html, "best_tpr") == "0.6"
    assert 'data-testid="cost-roc"' in html


def test_silhouette_modes(client):
    data = client.get("/metrics/silhouette/", {"a": "2", "b": "5", "format": "json"}).json()
    assert data["result"]["silhouette"] == pytest.approx(0.6)
    rows = "x,y,label\n0,0,0\n0,1,0\n5,5,1\n5,6,1\n9,9,1"
    data = client.get(
        "/metrics/silhouette/", {"mode": "clusters", "csv": rows, "format": "json"}
    ).json()
    points = [[0, 0], [0, 1], [5, 5], [5, 6], [9, 9]]
    assert data["result"]["silhouette"] == pytest.approx(silhouette_score(points, [0, 0, 1, 1, 1]))
    html = client.get("/metrics/silhouette/", {"mode": "clusters", "csv": rows}).content.decode()
    assert 'data-testid="silhouette-bars"' in html and html.count('class="svg-bar') == 5


def test_ten_thousand_values_are_accepted(client):
    n = 10_000
    y_true = ",".join(str(i % 97) for i in range(n))
    y_pred = ",".join(str((i * 7) % 97) for i in range(n))
    r = client.get("/metrics/regression/", {"y_true": y_true, "y_pred": y_pred})
    assert r.status_code == 200 and "Cannot calculate" not in r.content.decode()
    data = client.get(
        "/metrics/regression/", {"y_true": y_true, "y_pred": y_pred, "format": "json"}
    ).json()
    expected = r2_score([i % 97 for i in range(n)], [(i * 7) % 97 for i in range(n)])
    assert data["result"]["r2"] == pytest.approx(expected)
