"""What one live recompute transfers: the htmx fragment of every tool, gzip-compressed as the site
sends it, at its defaults and with every field at its upper bound.

Issue 14's budget is 6 KB. The GPU pages answer for the whole model catalog in one fragment (the
table of every model on the card; `/gpus/`: every model on every card), so they carry their own,
larger ceiling, which keeps them from growing unnoticed; README's performance section says so.
"""

import pytest

from tests.site.tool_fields import TOOLS, upper_bound_path

BUDGET = 6 * 1024
CATALOG_CEILING = 8 * 1024  # measured 7.4-7.9 KB (36 models; /gpus/ on 20 cards)
CATALOG_PAGES = ("gpu_fit:card", "gpu_fit:index")
HTMX = {"HX-Request": "true", "Accept-Encoding": "gzip"}


def budget(tool) -> int:
    return CATALOG_CEILING if tool.url_name in CATALOG_PAGES else BUDGET


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.slug)
def test_a_recompute_fits_its_budget(client, tool):
    for path in (tool.path, upper_bound_path(tool)):
        response = client.get(path, headers=HTMX)
        assert response.status_code == 200, path
        assert len(response.content) <= budget(tool), f"{path}: {len(response.content):,} bytes"
