"""Every page on the site in a real browser: accessibility (axe-core), weight of a first visit,
no console errors, no request leaving the origin (the last two via the `page` fixture)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser import PHONE
from tests.site.tool_fields import PAGE_SHAPES, TOOLS, upper_bound_path

pytestmark = pytest.mark.browser
TOOL_PAGES = ["/", *(t.path for t in TOOLS)]
NOT_FOUND = ["/no-such-page/", "/gpus/no-such-card/"]
FIRST_VISIT_BUDGET = 60 * 1024
AXE = Axe()


def error_path(tool) -> str:
    """The tool with its first input refused: the error box, and on a phone the summary bar
    saying what stops the result."""
    return f"{tool.path}?{next(iter(tool.form({}).fields))}=%00"


def visit(open_page, site_server, path, **options):
    # A 404 page's own status is the one console message a visit to it may log.
    expected = ("status of 404",) if path in NOT_FOUND else ()
    page = open_page(expected_console_errors=expected, **options)
    page.goto(site_server.url + path)
    return page


# Every page as a desktop shows it; on a phone, where the pinned summary shows too, each page
# shape at its defaults and with an input refused.
AXE_VISITS = [(path, None) for path in TOOL_PAGES + NOT_FOUND] + [
    (path, PHONE) for tool in PAGE_SHAPES for path in (tool.path, error_path(tool))
]


@pytest.mark.parametrize(
    "path, viewport", AXE_VISITS, ids=lambda v: v if isinstance(v, str) else "phone" if v else ""
)
def test_no_serious_accessibility_violations(open_page, site_server, path, viewport):
    page = visit(open_page, site_server, path, **({"viewport": viewport} if viewport else {}))
    results = AXE.run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious


@pytest.mark.parametrize("path", TOOL_PAGES)
def test_first_visit_fits_the_budget(page, site_server, path):
    """HTML, CSS, JS and icons of a first visit, as transferred (compressed)."""
    responses = []
    page.on("requestfinished", lambda request: responses.append(request))
    page.goto(site_server.url + path, wait_until="networkidle")
    total = sum(r.sizes()["responseBodySize"] for r in responses)
    assert 0 < total <= FIRST_VISIT_BUDGET, f"{path}: {total:,} bytes"


@pytest.mark.parametrize("path", TOOL_PAGES + NOT_FOUND)
def test_every_svg_has_a_text_alternative(open_page, site_server, path):
    page = visit(open_page, site_server, path)
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('svg')].filter((svg) => {
            if (svg.getAttribute('aria-hidden') === 'true') return false;
            const ids = (svg.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
            const named = ids.some((id) => (document.getElementById(id)?.textContent || '').trim());
            const label = named || svg.getAttribute('aria-label');
            return !(svg.getAttribute('role') === 'img' && label);
        }).map((svg) => svg.outerHTML.slice(0, 120))"""
    )
    assert unlabelled == []


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.slug)
def test_phone_width_has_no_horizontal_scroll(open_page, site_server, tool):
    """At 375 px, with every section of the inputs open: the defaults, an input refused, and
    every field at its upper bound."""
    page = open_page(viewport=PHONE)
    for path in (tool.path, error_path(tool), upper_bound_path(tool)):
        page.goto(site_server.url + path)
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path


def test_home_at_phone_width_has_no_horizontal_scroll(open_page, site_server):
    page = open_page(viewport=PHONE)
    page.goto(site_server.url + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
