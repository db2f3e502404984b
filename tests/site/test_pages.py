"""Site-wide pages: home, OpenAPI description, sitemap, robots, read-only methods."""

import re
from xml.etree import ElementTree

import pytest
from django import forms
from django.urls import URLResolver, get_resolver

from calculators.kit import registry


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
        fields = tool.form_class.base_fields
        files = {name for name, f in fields.items() if isinstance(f.widget, forms.FileInput)}
        assert set(fields) - files <= names
        assert not files & names  # a file cannot travel in a query string
        if tool.form_class.accepts_post:
            body = spec["paths"][tool.path]["post"]["requestBody"]["content"]
            assert set(fields) <= set(body["multipart/form-data"]["schema"]["properties"])
        else:
            assert not files and "post" not in spec["paths"][tool.path]
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


@pytest.mark.parametrize("tool", registry.all_tools(), ids=lambda tool: tool.slug)
def test_every_tool_answers_a_page_a_fragment_and_a_history_restore(client, tool):
    """The three answers of one URL: the whole page (every input, a canonical permalink, a
    share description), the htmx fragment (the result alone, no layout and no inputs, so a swap
    never replaces what the user is typing in) and, for htmx's history restore, the page again.
    A shared cache must key on HX-Request, since the page and the fragment share the URL."""
    page = client.get(tool.path)
    html = page.content.decode()
    assert page.status_code == 200 and "<html" in html
    for name in tool.form_class.base_fields:
        assert f'name="{name}"' in html, (tool.slug, name)
    assert '<link rel="canonical"' in html and 'property="og:description"' in html

    fragment = client.get(tool.path, HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert fragment.status_code == 200 and 'data-testid="result-summary"' in body
    for tag in ("<html", "<form", "<input", "<select", "<textarea"):
        assert tag not in body, (tool.slug, tag)

    restore = client.get(tool.path, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode()
    for response in (page, fragment, restore):
        assert "HX-Request" in response["Vary"] and "public" in response["Cache-Control"]


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


SITE_PATHS = ["/", "/healthz", "/api/openapi.json", "/sitemap.xml", "/robots.txt"]
TOOL_PATHS = [tool.path for tool in registry.all_tools()]
NOT_FOUND = ["/no-such-page/", "/gpus/no-such-card/", "/gpus/no-such-card/?format=json"]


def requests_for_every_path():
    """(path, extra request headers) for every page the site answers, in every shape."""
    gzip = {"HTTP_ACCEPT_ENCODING": "gzip"}
    for path in SITE_PATHS + NOT_FOUND:
        yield path, {}
        yield path, gzip
    for tool in registry.all_tools():
        first = next(iter(tool.form_class.base_fields))
        yield tool.path, {}
        yield tool.path, gzip
        yield tool.path, {"HTTP_HX_REQUEST": "true"}  # the fragment
        yield f"{tool.path}?format=json", {}
        yield f"{tool.path}?format=json&{first}=%00", {}  # a 400
        yield f"{tool.path}?{first}=%00", {}  # the page with its input error
        yield f"{tool.path}og.png", gzip  # its share image (share_images/)
        yield f"{tool.path}og.png?{first}=%00", {}  # the tool's generic image


def fixed_url_paths(patterns=None, prefix="/"):
    """Every path in the URLconf that takes no argument (the card pages come from the registry)."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = str(entry.pattern)
        if "<" in route:
            continue
        if isinstance(entry, URLResolver):
            yield from fixed_url_paths(entry.url_patterns, prefix + route)
        else:
            yield prefix + route


@pytest.mark.parametrize(
    "path, headers", list(requests_for_every_path()), ids=lambda v: str(v) if v else "plain"
)
def test_head_answers_like_get_without_a_body(client, path, headers):
    # RFC 9110 section 9.3.2: HEAD is GET without the content; uptime monitors, link checkers
    # and link-preview fetchers send it, and `curl -I` does.
    get, head = client.get(path, **headers), client.head(path, **headers)
    assert head.status_code == get.status_code != 405, path
    assert head.content == b""
    for name in (
        "Content-Type",
        "Cache-Control",
        "Vary",
        "Content-Security-Policy",
        "Content-Encoding",
        "X-Content-Type-Options",
        "Referrer-Policy",
    ):
        assert head.get(name) == get.get(name), (path, name)
    assert head.get("Content-Length") in (get.get("Content-Length"), None)
    if get.has_header("Content-Length"):
        assert int(get["Content-Length"]) == len(get.content)  # describes the GET's body


@pytest.mark.parametrize(
    "path, headers", list(requests_for_every_path()), ids=lambda v: str(v) if v else "plain"
)
def test_every_answer_carries_the_security_headers(client, path, headers):
    r = client.get(path, **headers)
    assert r["X-Content-Type-Options"] == "nosniff", path
    assert r["Referrer-Policy"] == "same-origin", path
    assert r["Cross-Origin-Opener-Policy"] == "same-origin", path
    csp = r["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
    assert "unsafe-inline" not in csp, path


def test_every_path_is_walked_and_no_response_sets_a_cookie(client, settings):
    # settings.py keeps Django's CSRF middleware (idle: every other method is refused first);
    # it sets its cookie only for a template that asks for a token, and none does.
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE
    assert not any("session" in m.lower() for m in settings.MIDDLEWARE)
    walked = {path.split("?")[0] for path, _ in requests_for_every_path()}
    assert {"/", "/gpus/", *TOOL_PATHS, *SITE_PATHS} <= walked
    assert set(fixed_url_paths()) <= walked  # a new URL must join the walk above
    for path, headers in requests_for_every_path():
        for method in (client.get, client.head):
            r = method(path, **headers)
            assert "Set-Cookie" not in r and not r.cookies, path


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
    # kit.forms.CalculatorForm._clean_fields leaves out Django's handling of disabled and
    # file fields; this keeps that true for every registered tool.
    for tool in registry.all_tools():
        for name, field in tool.form_class.base_fields.items():
            assert not field.disabled, f"{tool.slug}.{name}"
            assert not isinstance(field, forms.FileField), f"{tool.slug}.{name}"


@pytest.mark.parametrize("tool", registry.all_tools(), ids=lambda t: t.slug)
def test_every_tool_fragment_is_its_page_result_without_inputs(client, tool):
    """The live fragment is the page's result block rendered alone (kit/jinja.py render_block):
    the same markup the page embeds, and never a form control."""
    page = client.get(tool.path).content.decode()
    fragment = client.get(tool.path, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="result-heading"' in fragment
    assert fragment in page
    for control in ("<form", "<input", "<select", "<textarea"):
        assert control not in fragment, (tool.slug, control)


@pytest.mark.parametrize("tool", registry.all_tools(), ids=lambda t: t.slug)
def test_optional_sections_open_only_when_used(tool):
    """Every tool declares its optional input groups in `sections`: at the defaults all are
    folded; a value in one, even a wrong one, opens that one (and a group nested around it,
    which holds the same field) only."""
    sections = tool.form_class.sections
    defaults = tool.form({})
    defaults.is_valid()
    assert defaults.open_sections == frozenset()
    for section, names in sections.items():
        form = tool.form({names[0]: "not a value"})
        form.is_valid()
        holding = {s for s, fields in sections.items() if names[0] in fields}
        assert section in form.open_sections == holding, (tool.slug, section)
