"""Shared fixtures. One Playwright and one chromium serve every browser test in the run."""

import os
from urllib.parse import urlparse

import pytest
from hypothesis import settings

# Tests never assert on time: on a shared, loaded machine one slow example is not a failure.
settings.register_profile("site", deadline=None)
settings.load_profile("site")

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright runs an event loop

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class LiveServer:
    """The site on loopback as production serves it: whitenoise serves the hashed static files.

    pytest-django's own live_server puts Django's finder-based static handler in front, which
    cannot find manifest-hashed names; this one passes every request to the real middleware.
    """

    def __init__(self):
        from django.test.testcases import LiveServerThread

        self.thread = LiveServerThread("127.0.0.1", static_handler=lambda handler: handler)
        self.thread.daemon = True
        self.thread.start()
        self.thread.is_ready.wait()
        if self.thread.error:
            raise self.thread.error
        self.url = f"http://127.0.0.1:{self.thread.port}"

    def stop(self):
        self.thread.terminate()


@pytest.fixture(scope="session")
def site_server():
    server = LiveServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageWatch:
    """Collects what a page must never do: console errors, uncaught errors, foreign requests."""

    def __init__(self, origin: str):
        self.origin = origin
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []

    def on_console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def on_request(self, request):
        parsed = urlparse(request.url)
        if (
            parsed.scheme in ("http", "https")
            and f"{parsed.scheme}://{parsed.netloc}" != self.origin
        ):
            self.foreign_requests.append(request.url)


def open_context(browser, server, **options):
    context = browser.new_context(**options)
    page = context.new_page()
    watch = PageWatch(server.url)
    page.on("console", watch.on_console)
    page.on("pageerror", lambda error: watch.console_errors.append(str(error)))
    page.on("request", watch.on_request)
    return context, page, watch


@pytest.fixture
def page(browser, site_server):
    """A fresh page; the test fails if the page logged an error or left the origin."""
    context, page, watch = open_context(browser, site_server)
    yield page
    context.close()
    assert watch.console_errors == [], watch.console_errors
    assert watch.foreign_requests == [], watch.foreign_requests


@pytest.fixture
def open_page(browser, site_server):
    """Factory for pages with their own context options (viewport, JavaScript off, clipboard);
    `expected_console_errors` lists the substrings of console errors a test expects."""
    opened = []

    def factory(expected_console_errors=(), **options):
        context, page, watch = open_context(browser, site_server, **options)
        opened.append((context, watch, expected_console_errors))
        return page

    yield factory
    for context, watch, expected in opened:
        context.close()
        unexpected = [e for e in watch.console_errors if not any(x in e for x in expected)]
        assert unexpected == [], unexpected
        assert watch.foreign_requests == [], watch.foreign_requests
