"""The LR-scaling page over HTTP: page, fragment, JSON, hand-offs to and from the flagship."""

import re
from urllib.parse import parse_qs, urlparse

import pytest

URL = "/lr-scaling/"
HX = {"HTTP_HX_REQUEST": "true"}
RICH = {
    "base_warmup": "2000",
    "seq_len": "4096",
    "tokens": "2e12",
    "target_loss": "2.5",
    "layers": "30",
    "hidden": "4096",
}


def shown(html, name):
    match = re.search(rf'data-testid="{name}"[^>]*>([^<]*)<', html)
    assert match, name
    return match.group(1).strip()


def query_of(html, name):
    href = re.search(rf'<a href="([^"]+)" data-testid="{name}"', html).group(1)
    url = urlparse(href.replace("&amp;", "&"))
    return url.path, parse_qs(url.query)


def test_full_page_renders_contract_defaults(client):
    r = client.get(URL)
    html = r.content.decode()
    assert r.status_code == 200 and "<html" in html and 'name="new_batch"' in html
    assert shown(html, "recommended_lr") == "6.00e−4"
    assert shown(html, "batch_ratio") == "4"
    assert shown(html, "linear_lr") == "1.20e−3"
    assert 'data-rule="sqrt"' in html
    assert shown(html, "adam_beta1") == "0.6" and shown(html, "adam_beta2") == "0.996"
    assert '<link rel="canonical"' in html
    assert 'property="og:description" content="3.00e-4 at a batch of 256 becomes 6.00e-4' in html
    assert 'data-testid="lr-chart"' in html and '<title id="lr-chart-title">' in html


def test_fragment_holds_the_result_of_the_scenario(client):
    r = client.get(URL, {"optimizer": "sgd"}, **HX)
    html = r.content.decode()
    assert shown(html, "recommended_lr") == "1.20e−3" and 'data-rule="linear"' in html
    assert 'data-testid="adam-companions"' not in html  # the Adam table is for Adam only


def test_json_has_contract_keys_and_inputs(client):
    data = client.get(URL, {"format": "json"}).json()
    assert data["inputs"]["base_lr"] == 3e-4 and data["inputs"]["base_batch"] == 256
    assert data["inputs"]["new_batch"] == 1024 and data["inputs"]["optimizer"] == "adam"
    assert data["inputs"]["seq_len"] is None
    result = data["result"]
    assert result["batch_ratio"] == 4 and result["recommended_rule"] == "sqrt"
    assert result["linear_lr"] == pytest.approx(1.2e-3)
    assert result["sqrt_lr"] == pytest.approx(6e-4) == result["recommended_lr"]
    assert result["adam_sqrt_rule"]["beta1"] == pytest.approx(0.6)
    assert result["warmup"] is None and result["cautions"] == []


def test_json_with_every_optional_section(client):
    result = client.get(URL, {**RICH, "format": "json"}).json()["result"]
    assert result["warmup"]["same_data_steps"] == 500 and result["warmup"]["same_steps"] == 2000
    assert result["schedule"]["new_steps"] == 476_838  # ceil(2e12 / (1024 x 4096))
    assert result["critical_batch"]["source"] == "kaplan"
    assert result["compute_optimal"]["lr"] == pytest.approx(4.25e-4, rel=0.01)


def test_rich_page_shows_every_section(client):
    html = client.get(URL, RICH).content.decode()
    assert shown(html, "warmup_same_steps") == "2,000"
    assert shown(html, "warmup_same_data_steps") == "500"
    assert shown(html, "warmup_same_data_tokens").startswith("2.1B")  # 2000 x 256 x 4096
    assert shown(html, "new_steps") == "476,838"
    assert shown(html, "deepseek_lr") == "4.25e−4"
    assert 'data-testid="critical-tradeoff"' in html
    assert "<details open>" in html  # sections with values open themselves


def test_cautions_render(client):
    html = client.get(URL, {"base_batch": "64", "new_batch": "4096", "critical_batch": "512"})
    html = html.content.decode()
    for note in ("note-large-ratio", "note-adam-out-of-range", "note-beyond-critical"):
        assert f'data-testid="{note}"' in html


def test_same_batch_says_keep_the_lr(client):
    html = client.get(URL, {"new_batch": "256"}).content.decode()
    assert 'data-testid="note-same-batch"' in html and shown(html, "recommended_lr") == "3.00e−4"


def test_last_repeated_value_wins(client):
    r = client.get(URL + "?new_batch=512&new_batch=2048&format=json")
    assert r.json()["inputs"]["new_batch"] == 2048


def test_links_back_to_the_flagship_with_the_batch(client):
    html = client.get(URL, {"new_batch": "2048", "seq_len": "4096"}).content.decode()
    path, query = query_of(html, "flagship-link")
    assert path == "/gradient-accumulation/"
    assert query == {"global_batch": ["2048"], "seq_len": ["4096"]}
    path, query = query_of(html, "related-gradient-accumulation")
    assert query["global_batch"] == ["2048"]


def test_flagship_hands_off_the_achieved_batch_and_recipe(client):
    html = client.get(
        "/gradient-accumulation/", {"global_batch": "1000", "ref_lr": "3e-4", "ref_batch": "256"}
    ).content.decode()
    path, query = query_of(html, "lr-scaling-link")
    assert path == URL
    # 1000 is not a clean multiple of 32: the achieved batch (992) is what the LR must follow.
    assert query == {
        "base_lr": ["0.0003"],
        "base_batch": ["256"],
        "new_batch": ["992"],
        "seq_len": ["4096"],
    }


def test_flagship_hand_off_without_a_recipe_carries_the_batch_only(client):
    html = client.get("/gradient-accumulation/").content.decode()
    _, query = query_of(html, "lr-scaling-link")
    assert query == {"new_batch": ["1024"], "seq_len": ["4096"]}


def test_home_lists_the_tool(client):
    html = client.get("/").content.decode()
    assert 'data-testid="tool-lr-scaling"' in html
