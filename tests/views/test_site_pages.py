"""Site-wide pages: home, OpenAPI description, sitemap, robots, read-only methods."""

import re
from xml.etree import ElementTree

import pytest
from django import forms

from calculators import registry


def test_home_lists_every_registered_tool_grouped(client):
    html = client.get("/").content.decode()
    for group, tools in registry.grouped():
        assert f">{group}</h2>" in html
        for tool in tools:
            assert f'href="{tool.path}"' in html


def test_openapi_describes_every_tool_from_its_form(client):
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    for tool in registry.all_tools():
        operation = spec["paths"][tool.path]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert set(tool.form_class.base_fields) <= names
    flagship = spec["paths"]["/gradient-accumulation/"]["get"]
    micro = next(p for p in flagship["parameters"] if p["name"] == "micro_batch")
    assert micro["schema"] == {"type": "integer", "minimum": 1, "maximum": 65536, "default": 4}
    result = flagship["responses"]["200"]["content"]["application/json"]["schema"]
    assert "tokens_per_step" in result["properties"]["result"]["properties"]


def test_openapi_has_a_path_for_every_registered_tool_and_nothing_else(client):
    spec = client.get("/api/openapi.json").json()
    assert set(spec["paths"]) == {tool.path for tool in registry.all_tools()}
    assert "/lr-scaling/" in spec["paths"]  # the one that used to opt out by leaving no form


def test_a_tool_cannot_register_without_its_form():
    fields = dict(slug="x", title="X", blurb="x", group=registry.GROUPS[0], url_name="home")
    with pytest.raises(TypeError, match="form_class"):
        registry.Tool(**fields)
    with pytest.raises(TypeError, match="form_class"):
        registry.register(registry.Tool(**fields, form_class=None))
    with pytest.raises(TypeError, match="form_class"):
        registry.register(registry.Tool(**fields, form_class=forms.Form))
    assert "x" not in {t.slug for t in registry.all_tools()}


def test_sitemap_lists_home_and_tools(client):
    r = client.get("/sitemap.xml")
    assert r["Content-Type"] == "application/xml"
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in ElementTree.fromstring(r.content).findall("s:url/s:loc", ns)]
    assert "http://testserver/" in locs
    assert all(f"http://testserver{t.path}" in locs for t in registry.all_tools())


def test_robots_points_at_the_sitemap(client):
    body = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch", "options"])
def test_only_get_and_head_are_answered(client, method):
    r = getattr(client, method)("/gradient-accumulation/")
    assert r.status_code == 405 and r["Allow"] == "GET, HEAD"


def test_every_tool_page_has_its_own_title_description_and_canonical(client):
    titles = set()
    for tool in registry.all_tools():
        html = client.get(tool.path).content.decode()
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
        description = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
        canonical = re.search(r'<link rel="canonical" href="([^"]*)"', html).group(1)
        assert title not in titles, f"{tool.path} repeats the title {title!r}"
        titles.add(title)
        assert len(description) > 40, tool.path
        assert canonical.startswith(f"http://testserver{tool.path}"), tool.path


def test_nav_marks_where_you_are(client):
    def nav(path):
        html = client.get(path).content.decode()
        return re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)

    assert 'href="/gradient-accumulation/" aria-current="page"' in nav("/gradient-accumulation/")
    # Metric tools are not listed one by one: their group's link on the home page is current.
    metrics = nav("/metrics/roc-auc/")
    assert 'href="/#evaluation-metrics" aria-current="true"' in metrics
    assert metrics.count("aria-current") == 1
    assert "aria-current" not in nav("/")


def test_no_tool_has_a_field_the_quick_clean_loop_skips():
    # forms_base.CalculatorForm._clean_fields leaves out Django's handling of disabled and
    # file fields; this keeps that true for every registered tool.
    for tool in registry.all_tools():
        for name, field in tool.form_class.base_fields.items():
            assert not field.disabled, f"{tool.slug}.{name}"
            assert not isinstance(field, forms.FileField), f"{tool.slug}.{name}"
