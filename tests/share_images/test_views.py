"""Share images (issue 18): every tool page names a PNG of its scenario's answer.

Sizes are read from the PNG's own IHDR chunk (PNG spec, section 11.2.2), not through Pillow,
which wrote them. The alt text's numbers are checked against the tool's JSON answer and, for
the default scenarios, against arithmetic or scikit-learn written out here.
"""

import html
import math
import re
import struct
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings as django_settings
from django.http import QueryDict
from hypothesis import given, settings
from sklearn import metrics as skm

from calculators.catalog import gpus
from calculators.kit import registry
from share_images import card, scenario
from share_images.headline import Headline
from tests.site.test_fuzz import flagship_scenarios

TOOLS = registry.all_tools()
IDS = [t.slug for t in TOOLS]
MINUS = "\u2212"


@pytest.fixture(autouse=True)
def empty_caches():
    # Each test draws its own images: a cached one would hide a render that fails.
    scenario.IMAGES.items.clear()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


def meta(page: str, key: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', page)
    assert found, key
    return html.unescape(found.group(1))


def local(url: str) -> str:
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "testserver", url  # absolute
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_every_tool_declares_a_headline():
    for tool in TOOLS:
        assert callable(tool.headline), f"{tool.slug} has no share headline"


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_every_page_names_a_png_of_1200_by_630_that_answers(client, tool):
    page = client.get(tool.path).content.decode()
    url = meta(page, "og:image")
    canonical = re.search(r'<link rel="canonical" href="([^"]*)"', page).group(1)
    # The image's query is the permalink's: it is a permalink to the same scenario.
    assert url == html.unescape(canonical).replace(tool.path, f"{tool.path}og.png", 1)
    assert meta(page, "twitter:image") == url
    assert meta(page, "twitter:card") == "summary_large_image"
    assert meta(page, "og:image:type") == "image/png"
    assert (meta(page, "og:image:width"), meta(page, "og:image:height")) == ("1200", "630")
    alt = meta(page, "og:image:alt")
    assert alt.startswith(f"{tool.title}: " if tool.title[-1] != "?" else f"{tool.title} ")

    image = client.get(local(url))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert png_size(image.content) == (1200, 630)
    assert len(image.content) <= 150 * 1024  # the budget
    cache = image["Cache-Control"]
    assert "public" in cache and f"max-age={django_settings.CALCULATOR_MAX_AGE}" in cache
    assert "Set-Cookie" not in image

    head = client.head(local(url))
    assert head.status_code == 200 and head.content == b""
    for name in ("Content-Type", "Cache-Control", "ETag", "Vary", "Content-Encoding"):
        assert head.get(name) == image.get(name), name
    again = client.get(local(url), HTTP_IF_NONE_MATCH=image["ETag"])
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_same_scenario_same_bytes_and_another_scenario_other_bytes(client, tool):
    first = client.get(f"{tool.path}og.png").content
    scenario.IMAGES.items.clear()
    assert client.get(f"{tool.path}og.png").content == first  # drawn again, byte for byte
    other = other_scenario(tool)
    assert client.get(f"{tool.path}og.png?{other}&format=json").status_code == 200
    assert client.get(f"{tool.path}og.png?{other}").content != first


# A second valid scenario of each tool (the GPU cards share theirs).
OTHER_SCENARIOS = {
    "gradient-accumulation": "global_batch=1000&gpus=64&tp=4&pp=2",
    "lr-scaling": "optimizer=sgd&new_batch=64",
    "activation-memory": "seq_len=8192&recompute=full",
    "gpus": "context=32768&quant=q8_0",
    "metrics-regression": "y_true=1,2,3&y_pred=1,2,4",
    "metrics-log-loss": "units=bits",
    "metrics-roc-auc": "mode=scores",
    "metrics-threshold-cost": "cost_fn=20",
    "metrics-silhouette": "mode=clusters",
    "training-plan": "gpus=128&model=llama-3.3-70b",
}


def family(tool) -> str:
    return "gpus" if tool.slug.startswith("gpus") else tool.slug


def other_scenario(tool) -> str:
    return OTHER_SCENARIOS[family(tool)]


def test_other_scenarios_are_valid(client):
    for tool in TOOLS:
        other = other_scenario(tool)
        assert client.get(f"{tool.path}?{other}&format=json").status_code == 200, tool.slug


def alt_of(client, url: str) -> str:
    return meta(client.get(url).content.decode(), "og:image:alt")


def json_of(client, url: str) -> dict:
    sep = "&" if "?" in url else "?"
    return client.get(f"{url}{sep}format=json").json()


def test_flagship_alt_states_steps_batch_and_tokens(client):
    alt = alt_of(client, "/gradient-accumulation/")
    # 1,024 sequences ÷ (4 per GPU × 8 GPUs) = 32 steps; 1,024 × 4,096 = 4,194,304 tokens.
    assert "32 accumulation steps" in alt
    assert "1,024 sequences per optimizer step" in alt
    assert f"({1024 * 4096:,})" in alt and "4.19M tokens per step" in alt

    url = "/gradient-accumulation/?global_batch=1000&gpus=64&tp=4&pp=2"
    r = json_of(client, url)["result"]
    alt = alt_of(client, url)
    # DP = 64 / (4 · 2) = 8, 32 sequences a micro-step: 1,000 / 32 = 31.25, nearest 31.
    assert r["accumulation_steps"] == 31 and "31 accumulation steps" in alt
    assert f"{31 * 32:,} sequences per optimizer step" in alt
    assert f"({31 * 32 * 4096:,})" in alt
    assert f"{MINUS}0.80%" in alt  # (992 − 1,000) / 1,000
    assert "64 GPUs = TP 4 × PP 2 × DP 8" in alt


def test_lr_alt_states_both_rules(client):
    alt = alt_of(client, "/lr-scaling/")
    # Square root: 3e-4 · √(1024/256) = 6e-4; linear: 3e-4 · 4 = 1.2e-3.
    assert f"6.00e{MINUS}4 learning rate at batch 1,024 (square-root rule)" in alt
    assert f"1.20e{MINUS}3 by the linear rule" in alt
    assert "4× the batch (256 to 1,024)" in alt


def test_activation_alt_states_gib_and_micro_batch(client):
    r = json_of(client, "/activation-memory/")["result"]
    alt = alt_of(client, "/activation-memory/")
    assert f"{r['total_bytes'] / 2**30:,.2f} GiB of activations per GPU" in alt
    assert f"({r['total_bytes'] / 1e9:,.2f} GB)" in alt
    assert f"{r['need_bytes'] / 2**30:,.2f} GiB per GPU in all" in alt
    assert f"{r['largest_micro_batch']} is the largest micro-batch that fits the H100" in alt
    # tests/activation_memory/test_views.py pins the default at 46.76 GiB.
    assert "46.76 GiB" in alt


CARDS = [t for t in TOOLS if t.slug.startswith("gpus-")]


@pytest.mark.parametrize("tool", CARDS, ids=[t.slug for t in CARDS])
def test_card_alt_states_how_many_fit_and_the_largest_that_does(client, tool):
    for query in ("", "?context=32768&quant=q8_0"):
        r = json_of(client, tool.path + query)["result"]
        alt = alt_of(client, tool.path + query)
        fitting = [m for m in r["models"] if m["fits"]]
        assert f"{len(fitting)} of {len(r['models'])} open models fit" in alt
        largest = max(fitting, key=lambda m: m["params"])
        assert f"{largest['name']} is the largest that fits" in alt
        assert f"{largest['total_bytes'] / 2**30:,.2f} GiB" in alt


def test_gpu_index_alt_states_every_card_and_the_largest_model(client):
    r = json_of(client, "/gpus/")["result"]
    alt = alt_of(client, "/gpus/")
    counts = [sum(m["fits"] for m in c["models"]) for c in r["cards"]]
    assert f"{min(counts)}–{max(counts)} of {len(r['cards'][0]['models'])}" in alt
    for c, n in zip(r["cards"], counts, strict=True):
        # The card's short name as the one GPU catalog states it (the pages' own label).
        assert f"{gpus.get(c['card']['slug']).short_name}: {n}" in alt
    everywhere = [m for c in r["cards"] for m in c["models"] if m["fits"]]
    assert f"{max(everywhere, key=lambda m: m['params'])['name']} is the largest" in alt


def test_nothing_fits_is_said_not_drawn_as_an_error(client):
    url = "/gpus/rtx-3060-12gb/?context=131072&quant=f16&batch=64"
    r = json_of(client, url)["result"]
    assert not any(m["fits"] for m in r["models"])
    alt = alt_of(client, url)
    assert f"0 of {len(r['models'])} open models fit" in alt and "none of the models fits" in alt
    assert png_size(client.get(url.replace("/?", "/og.png?")).content) == (1200, 630)


def four(value: float) -> str:
    return f"{value:.4g}".replace("-", MINUS)


def test_metric_alts_match_scikit_learn(client):
    y_true, y_pred = [3, -0.5, 2, 7], [2.5, 0.0, 2, 8]
    alt = alt_of(client, "/metrics/regression/")
    assert f"{four(skm.mean_absolute_error(y_true, y_pred))} MAE" in alt
    assert f"{four(math.sqrt(skm.mean_squared_error(y_true, y_pred)))} RMSE" in alt
    assert f"{four(skm.r2_score(y_true, y_pred))} R²" in alt

    labels, probs = [1, 0, 1, 1, 0, 0, 1, 0], [0.9, 0.1, 0.8, 0.35, 0.2, 0.6, 0.7, 0.05]
    alt = alt_of(client, "/metrics/log-loss/")
    assert f"{four(skm.log_loss(labels, probs))} nats of log loss" in alt
    assert f"{four(skm.brier_score_loss(labels, probs))} Brier score" in alt
    alt = alt_of(client, "/metrics/log-loss/?units=bits")
    assert f"{four(skm.log_loss(labels, probs) / math.log(2))} bits of log loss" in alt

    # The default operating points, with (0, 0) and (1, 1) added, under the trapezoid rule.
    alt = alt_of(client, "/metrics/roc-auc/")
    auc = skm.auc([0, 0.1, 0.2, 0.4, 0.7, 1], [0, 0.5, 0.7, 0.85, 0.95, 1])
    assert f"{four(auc)} AUC" in alt and f"{four(2 * auc - 1)} Gini" in alt
    alt = alt_of(client, "/metrics/roc-auc/?mode=scores")
    assert f"{four(skm.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]))} AUC" in alt

    # Bayes-optimal threshold C_FP / (C_FP + C_FN) = 1 / (1 + 5).
    assert f"{four(1 / 6)} is the threshold" in alt_of(client, "/metrics/threshold-cost/")
    # (b − a) / max(a, b) = (5 − 2) / 5.
    assert "0.6 silhouette" in alt_of(client, "/metrics/silhouette/")
    x = [1, 1.5, 2, 1.2, 6, 6.5, 7, 6.2, 3.5]
    y = [1, 2, 1.2, 1.8, 5, 6, 5.5, 6.2, 3.8]
    mean = skm.silhouette_score(list(zip(x, y, strict=True)), [0, 0, 0, 0, 1, 1, 1, 1, 0])
    assert f"{four(mean)} mean silhouette" in alt_of(client, "/metrics/silhouette/?mode=clusters")


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_bad_input_draws_the_generic_image(client, tool):
    # Every field with every kind of bad value: tests/site/test_bad_input.py.
    generic = client.get(f"{tool.path}og.png?{next(iter(tool.form_class.base_fields))}=%00")
    assert generic.status_code == 200 and generic["Content-Type"] == "image/png"
    assert png_size(generic.content) == (1200, 630)
    assert generic.content != client.get(f"{tool.path}og.png").content


def test_an_invalid_page_names_the_generic_image_with_its_own_query(client):
    page = client.get("/lr-scaling/?base_lr=abc").content.decode()
    url = meta(page, "og:image")
    assert local(url) == "/lr-scaling/og.png?base_lr=abc"
    tool = registry.get("lr-scaling")
    assert meta(page, "og:image:alt") == f"{tool.title}: {tool.blurb}"
    assert client.get(local(url)).content == client.get("/lr-scaling/og.png?new_batch=-1").content


@pytest.mark.parametrize(
    "path", ["/gpus/no-such-card/og.png", "/no-such-tool/og.png", "/og.png", "/gpus/og.png/"]
)
def test_an_image_of_no_page_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_the_image_url_follows_the_host_the_page_was_asked_for(client, settings):
    settings.ALLOWED_HOSTS = ["gradacc.example"]
    page = client.get("/lr-scaling/", HTTP_HOST="gradacc.example", secure=True).content.decode()
    assert meta(page, "og:image").startswith("https://gradacc.example/lr-scaling/og.png?")


def test_the_image_is_drawn_in_the_site_palette():
    from PIL import Image

    tool = registry.get("gradient-accumulation")
    headline = scenario.headline(tool, tool.form(QueryDict()))
    image = Image.open(__import__("io").BytesIO(card.render(tool.title, tool.group, headline)))
    rgb = image.convert("RGB")
    # static/css/site.css: --bg #ffffff, --panel #f4f6f9, --accent #1d4ed8 (the top bar).
    assert rgb.getpixel((600, 200)) == (0xFF, 0xFF, 0xFF)
    assert rgb.getpixel((600, 620)) == (0xF4, 0xF6, 0xF9)
    assert rgb.getpixel((600, 4)) == (0x1D, 0x4E, 0xD8)
    assert set(image.getcolors()) and len(image.getcolors()) <= len(card.PALETTE)
    assert not image.info.get("dpi") and "Software" not in image.info  # nothing but pixels


def check_headline(tool, query: QueryDict) -> None:
    form = tool.form(query)
    if form.is_valid():
        headline = tool.headline(form.inputs(), form.result_json())
        assert isinstance(headline, Headline) and 1 <= len(headline.figures) <= 3
        assert all(f.value and f.label for f in headline.figures)
        assert headline.alt(tool.title).startswith(tool.title)
        # What pages and images draw it from (a tool's cheaper copy of the keys it reads) says
        # the same as the JSON answer.
        assert tool.headline(form.inputs(), form.headline_answer()) == headline


@settings(max_examples=60, deadline=None, derandomize=True)
@given(flagship_scenarios())
def test_flagship_headline_holds_for_any_valid_scenario(scenario_):
    params, ramp, _ = scenario_
    query = QueryDict(urlencode([*params.items(), *ramp.items()]))
    check_headline(registry.get("gradient-accumulation"), query)


BRANCHES = {
    "gradient-accumulation": ["target_tokens=4000000", "global_batch=3&micro_batch=8&gpus=8"],
    "activation-memory": ["gpu=custom&gpu_gib=8", "tp=2&pp=2&sp=1&gpus=16", "preset=custom"],
    "lr-scaling": ["new_batch=1", "optimizer=sgd&base_batch=1&new_batch=1000000"],
    "gpus": [
        "context=131072&quant=f16&batch=64",
        "params_b=7&layers=32&hidden=4096",
        "context=131072&quant=f16&batch=256",
        "cards=4&quant=q2_k&context=2048",
    ],
    "training-plan": [
        "gpus=8&model=llama-3.3-70b",
        "gpu=a100-40gb&gpus=16&tp=1&pp=1&zero=0",
        "model=custom&layers=4&hidden=1024&heads=8&kv_heads=8&ffn_hidden=4096&vocab=32000",
    ],
    "metrics-regression": ["y_true=1,1,1&y_pred=1,2,3"],
    "metrics-threshold-cost": ["prevalence=0.1&fpr=0.1,0.3&tpr=0.6,0.9", "cost_fp=0"],
    "metrics-silhouette": ["a=0&b=0", "mode=clusters&x=1,2,3&y=1,2,3&labels=0,0,0"],
}


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_every_headline_holds_for_its_branches(tool):
    for query in ["", *BRANCHES.get(family(tool), [])]:
        check_headline(tool, QueryDict(query))
