"""Reading a tool page as a visitor would: the links it has to other registered tools, and the
values its inputs show."""

import html
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

from calculators.kit import registry

ANCHOR = re.compile(r'<a href="([^"]*)"([^>]*)>')
TESTID = re.compile(r'data-testid="([^"]*)"')


def tool_at(path: str):
    """The registered tool served at this path, or None."""
    return next((t for t in registry.all_tools() if t.path == path), None)


def links_to_tools(text: str, own_path: str) -> list[tuple]:
    """(target tool, href, [(name, value), ...], data-testid or "") for every <a href> of the
    page that points at another registered tool (the page's own scenarios left out)."""
    found = []
    for raw, rest in ANCHOR.findall(text):
        href = html.unescape(raw)
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or parts.path == own_path:
            continue
        target = tool_at(parts.path)
        if target is not None:
            testid = TESTID.search(rest)
            pairs = parse_qsl(parts.query, keep_blank_values=True)
            found.append((target, href, pairs, testid.group(1) if testid else ""))
    return found


class _Controls(HTMLParser):
    """Each named input's value and each select's chosen option, as the browser would send
    them."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self._select = None
        self._first = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "file"):
            self.values[attrs["name"]] = attrs.get("value") or ""
        elif tag == "select" and attrs.get("name"):
            self._select, self._first = attrs["name"], None
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = attrs.get("value", "")
            if "selected" in attrs:
                self.values[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            self.values.setdefault(self._select, self._first or "")
            self._select = None


def control_values(text: str) -> dict[str, str]:
    parser = _Controls()
    parser.feed(text)
    return parser.values
