"""A scenario's share image: where it lives, what its alt text says, and its PNG.

The image's URL is the page's path plus `og.png`, with the page's query: a permalink like the
page, answered the same way for the same query. Valid input draws the tool's headline
(registry.Tool.headline, which reads the tool's JSON answer); invalid input, or a tool with no
headline, draws the tool's title and blurb. Never an error.
"""

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.http import QueryDict

from calculators.kit import registry
from calculators.kit.querystrings import query as write_query

from . import card
from .headline import Headline, lead

logger = logging.getLogger(__name__)


class LRU:
    """A small thread-safe least-recently-used map (functools.lru_cache cannot key on a form)."""

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key, make):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = make()  # outside the lock: two threads may both draw a new image, never block
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


# Images are 15 to 40 KB: 128 of them stay under 5 MB per worker, and an unfurler that fetches
# the same URL twice draws it once. Headlines are not kept: a page works its headline out from
# the answer it has just computed (CalculatorForm.headline_answer), for the alt text, in well
# under a millisecond, so a page's cost is the same on a first view and a repeat one.
IMAGES = LRU(128)


@dataclass(frozen=True)
class ShareImage:
    url: str
    width: int
    height: int
    alt: str


def image_path(tool: registry.Tool) -> str:
    return f"{tool.path}og.png"


def tool_for_image(path: str) -> registry.Tool | None:
    """The tool whose page is `path` less its final `og.png`."""
    page = path.removesuffix("og.png")
    return next((t for t in registry.all_tools() if t.path == page), None)


def headline(tool: registry.Tool, form) -> Headline | None:
    """The headline of a bound form's scenario, or None when there is none to draw."""
    if tool.headline is None or not form.is_valid():
        return None
    try:
        return tool.headline(form.inputs(), form.headline_answer())
    except Exception:
        # The preview is an extra: a fault in one tool's headline must not take its page
        # down. It is logged, and the tests call every headline over fuzzed input.
        logger.exception("%s: no share headline for %s", tool.slug, form.query_string())
        return None


def alt_text(tool: registry.Tool, found: Headline | None) -> str:
    return found.alt(tool.title) if found else lead(tool.title) + tool.blurb


def for_page(request, tool: registry.Tool, form) -> ShareImage:
    """The og:image of a rendered page. A valid scenario's image URL carries its canonical
    query (the permalink's); an invalid one carries the query as sent, so the link a person
    pasted unfurls with the tool's generic image rather than another scenario's numbers."""
    found = headline(tool, form)
    if found:
        query = form.query_string()
    else:  # as sent, every value of a repeated name too, by the kit's one query writer
        query = write_query([(k, v) for k, values in request.GET.lists() for v in values])
    path = image_path(tool) + (f"?{query}" if query else "")
    return ShareImage(
        url=request.build_absolute_uri(path),
        width=card.WIDTH,
        height=card.HEIGHT,
        alt=alt_text(tool, found),
    )


def png(tool: registry.Tool, query: QueryDict) -> bytes:
    """The image for `query` on `tool`, drawn once per distinct query while it stays cached."""

    def draw():
        found = headline(tool, tool.form(query))
        return card.render(tool.title, tool.group, found, tool.blurb)

    return IMAGES.get((tool.slug, query.urlencode()), draw)
