"""Every tool on the site, registered by its own app: the home page, the nav, related links, the
view that serves a tool, the API description and the site-wide tests are all built from here.

Apps register from AppConfig.ready(), so `calculators` never imports a sibling app, and a tool
links to another only through this registry (by slug), never by URL name: every link from one
tool to another is `Tool.link(values)` (or `related_links`, `family_query`, which write it the
same way), which keeps only the parameters the target declares in `accepts`, in that order,
drops None, and writes them with the kit's one query writer (querystrings.query).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.urls import reverse

from .fields import plain_number
from .forms import CalculatorForm
from .querystrings import query

GROUPS = ("Batch and training", "Memory and hardware", "Evaluation metrics")


@dataclass(frozen=True)
class Tool:
    slug: str
    title: str
    blurb: str
    group: str
    url_name: str
    # The form behind the page. Required: the view binds it, and the OpenAPI description, the
    # fuzz tests and the site-wide page tests are all built from it, so a tool without one
    # would silently drop out of every one of them.
    form_class: type
    url_kwargs: tuple[tuple[str, str], ...] = ()
    # Extra keyword arguments for the form (one GPU card of a family, say).
    form_kwargs: tuple[tuple[str, object], ...] = ()
    related: tuple[str, ...] = ()
    # Every parameter a link from a sibling may carry (seq_len, micro_batch, gpus, ...), in
    # the order links write them. Each must mean here what it means in the sibling that sends
    # it: a sibling that spells a value differently translates it in the values it passes to
    # link(), never in a query of its own.
    accepts: tuple[str, ...] = ()
    # Of `accepts`, the parameters only a hand-off link carries (one that a sibling builds
    # for this tool, in this tool's terms), left out of related links, which carry whatever
    # fields of the same name the page's own form has: there such a field may mean something
    # else (each tool offered its own GPU ids), or be one of a set that means something only
    # whole (a model's shape).
    hand_off_only: tuple[str, ...] = ()
    # Family members (one page per GPU card, say) stay out of the header nav.
    in_nav: bool = True
    # `headline(inputs, result) -> share_images.headline.Headline`: the answer a shared link's
    # preview image shows, read from the two dicts of the tool's JSON answer. A tool without
    # one shows its title and blurb; tests/share_images/test_views.py requires one of every
    # tool.
    headline: Callable[[dict, dict], Any] | None = None

    def form(self, query):
        return self.form_class(query, **dict(self.form_kwargs))

    def href(self, query: str = "") -> str:
        """This tool's address with a query string the registry wrote (shared_query)."""
        return f"{self.path}?{query}" if query else self.path

    @cached_property
    def path(self) -> str:
        return reverse(self.url_name, kwargs=dict(self.url_kwargs))

    @cached_property
    def related_accepts(self) -> tuple[str, ...]:
        """What a related link to this tool carries: `accepts` but the hand-off-only ones."""
        return tuple(k for k in self.accepts if k not in self.hand_off_only)

    def link(self, values: dict) -> str:
        """This tool with the values it accepts: the one way a tool links to another."""
        return self.href(self.shared_query(values))

    def shared_query(self, values: dict, accepts: tuple[str, ...] | None = None) -> str:
        """The query string of the values this tool accepts (None left out), in its order."""
        names = self.accepts if accepts is None else accepts
        return query([(k, plain_number(v)) for k in names if (v := values.get(k)) is not None])


_tools: dict[str, Tool] = {}
_by_url: dict[tuple, Tool] = {}
_registered = [0]  # how many times register() ran: what is built from the registry and kept


def generation() -> int:
    """Changes whenever a tool is registered, so that what is built from the registry and
    kept (the header's nav, kit/jinja.py) is rebuilt."""
    return _registered[0]


def register(*tools: Tool) -> None:
    for tool in tools:
        if tool.group not in GROUPS:
            raise ValueError(f"{tool.slug}: unknown group {tool.group!r}")
        if not (isinstance(tool.form_class, type) and issubclass(tool.form_class, CalculatorForm)):
            raise TypeError(
                f"{tool.slug}: form_class must be a CalculatorForm subclass, "
                f"not {tool.form_class!r}"
            )
        _tools[tool.slug] = tool
        _by_url[(tool.url_name, tuple(sorted(tool.url_kwargs)))] = tool
        _registered[0] += 1


def get(slug: str) -> Tool:
    return _tools[slug]


def find(slug: str) -> Tool | None:
    """The tool, or None when its app is not installed."""
    return _tools.get(slug)


def at(url_name: str, url_kwargs: dict) -> Tool | None:
    """The tool served at this URL pattern with these arguments (None: no such tool)."""
    return _by_url.get((url_name, tuple(sorted(url_kwargs.items()))))


def grouped() -> list[tuple[str, list[Tool]]]:
    """(group, its tools in registration order) for every group that has a tool."""
    groups = [(g, [t for t in _tools.values() if t.group == g]) for g in GROUPS]
    return [(g, tools) for g, tools in groups if tools]


def nav_groups() -> list[tuple[str, list[Tool]]]:
    return [(g, [t for t in tools if t.in_nav]) for g, tools in grouped()]


def all_tools() -> list[Tool]:
    return list(_tools.values())


def related_links(slug: str, values: dict) -> list[tuple[Tool, str]]:
    """The tool's related siblings that exist, each linked with the shared parameters (not the
    hand-off-only ones: Tool.hand_off_only). Siblings of one family accept the same
    parameters, so each set's query string is written once: a GPU card page links its 19
    sister cards, and writing the query 22 times cost 1.9 M of the page's 19 M CPU
    instructions (callgrind)."""
    queries: dict[tuple[str, ...], str] = {}
    links = []
    for r in get(slug).related:
        tool = _tools.get(r)
        if tool is not None:
            accepts = tool.related_accepts
            shared = queries.get(accepts)
            if shared is None:
                shared = queries[accepts] = tool.shared_query(values, accepts)
            links.append((tool, tool.href(shared)))
    return links


def family_query(slugs, values: dict) -> str:
    """The query string of a link to any of these tools, which all accept the same parameters
    (a family: the GPU card pages, registered with one `accepts`, which a test checks), written
    once for all of them."""
    return get(slugs[0]).shared_query(values) if slugs else ""
