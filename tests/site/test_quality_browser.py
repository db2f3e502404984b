"""Every page on the site in a real browser: accessibility (axe-core), weight of a first visit,
no console errors, no request leaving the origin (the last two via the `page` fixture)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from calculators.kit import registry

pytestmark = pytest.mark.browser
TOOL_PAGES = ["/", *(t.path for t in registry.all_tools())]
NOT_FOUND = ["/no-such-page/", "/gpus/no-such-card/"]
FIRST_VISIT_BUDGET = 60 * 1024
AXE = Axe()


def visit(open_page, site_server, path):
    # A 404 page's own status is the one console message a visit to it may log.
    expected = ("status of 404",) if path in NOT_FOUND else ()
    page = open_page(expected_console_errors=expected)
    page.goto(site_server.url + path)
    return page


@pytest.mark.parametrize("path", TOOL_PAGES + NOT_FOUND)
def test_no_serious_accessibility_violations(open_page, site_server, path):
    page = visit(open_page, site_server, path)
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


@pytest.mark.parametrize("path", TOOL_PAGES)
def test_phone_width_has_no_horizontal_scroll(open_page, site_server, path):
    page = open_page(viewport={"width": 375, "height": 800})
    page.goto(site_server.url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
