"""Parts of the GPU pages that depend on nothing in the request, only on the catalogs: rendered
by the first page that prints them and kept for the life of the process. Rendering them on
every request cost, in one process (best of 7 × 50, the shared machine under heavy load, where
a whole /gpus/ page took about 8 ms): the 36 models' architecture table 4.4 ms, the 19 cards'
spec cells 3.5 ms, the RTX 3090's published runs beside its estimates 0.6 ms. What they are
given is catalog data, never a request value; while developing (DEBUG, templates reload) they
render each time.
"""

from django.conf import settings
from django.template.loader import get_template

from calculators.catalog.models import MODELS
from calculators.kit.html import Markup

from . import calibration
from .cards import CARDS

_RENDERED: dict[tuple[str, str], Markup] = {}


def _once(template_name: str, key: str, context: dict) -> Markup:
    html = _RENDERED.get((template_name, key))
    if html is None:
        html = Markup(get_template(template_name).render(context))
        if not settings.DEBUG:
            _RENDERED[template_name, key] = html
    return html


def catalog_section() -> Markup:
    """The architecture of every catalog model, with its config.json."""
    return _once("gpu_fit/_catalog.html", "", {"models": MODELS})


_CARD_BY_SLUG = {c.slug: c for c in CARDS}


def card_spec_cells(slug: str) -> Markup:
    """One card's cells of the specs table (all but its name, which links with the query)."""
    return _once("gpu_fit/_card_spec_cells.html", slug, {"c": _CARD_BY_SLUG[slug]})


def measured_section(slug: str) -> Markup:
    """A card page's published llama.cpp runs beside the page's range for each (they do not
    depend on the scenario)."""
    context = {"card": _CARD_BY_SLUG[slug], "calibration": calibration.rows_for(slug)}
    return _once("gpu_fit/_measured.html", slug, context)
