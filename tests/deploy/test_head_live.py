"""HEAD through the production server: `curl -I` gets GET's status and headers, and not one byte
of body on the wire (the Django test client drops HEAD bodies itself, so only a real server
shows what a monitor or link checker receives)."""

import socket

import pytest

from calculators.kit import registry
from tests.servers import Gunicorn

SITE_PATHS = ["/", "/healthz", "/api/openapi.json", "/sitemap.xml", "/robots.txt"]
NOT_FOUND = ["/no-such-page/", "/gpus/no-such-card/", "/gpus/no-such-card/og.png"]
# Link-preview fetchers send HEAD for the share image too; two workers may each draw it, and
# the same Content-Length from both shows the same bytes.
IMAGES = [f"{t.path}og.png" for t in registry.all_tools()]
SAME = ("content-type", "content-length", "content-encoding", "cache-control", "vary")


@pytest.fixture(scope="module")
def server():
    app = Gunicorn()
    yield app
    app.stop()


def exchange(server, method: str, path: str) -> tuple[int, dict, bytes]:
    """One request on its own connection, read to the close: status, headers, raw body bytes."""
    request = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n"
        "Connection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request.encode())
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize(
    "path", SITE_PATHS + [t.path for t in registry.all_tools()] + IMAGES + NOT_FOUND
)
def test_head_is_get_without_a_body_on_the_wire(server, path):
    status, headers, body = exchange(server, "GET", path)
    head_status, head_headers, head_body = exchange(server, "HEAD", path)
    assert head_status == status != 405
    assert head_body == b""
    for name in SAME:
        assert head_headers.get(name) == headers.get(name), (path, name)
    assert "content-security-policy" in head_headers
    if "content-length" in headers:
        assert int(headers["content-length"]) == len(body) > 0
