"""Behind a caching reverse proxy (deploy/nginx/gradacc.conf, the one deploy/compose.yaml runs,
in front of an instance as the Docker image runs it): permalinks are cached, pages and
fragments never mix."""

import shutil
import urllib.request

import pytest

from tests.servers import Instance, NginxFront

pytestmark = pytest.mark.skipif(
    not (shutil.which("nginx") or shutil.which("/usr/sbin/nginx")), reason="needs nginx"
)
PERMALINK = "/gradient-accumulation/?global_batch=1000&micro_batch=4&gpus=8"


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    app = Instance(workers=1)
    cache = NginxFront([f"127.0.0.1:{app.port}"], tmp_path_factory.mktemp("nginx"))
    yield cache
    cache.stop()
    app.stop()


def fetch(proxy, path, **headers):
    request = urllib.request.Request(proxy.url + path, headers=headers)
    with urllib.request.urlopen(request) as response:
        return response.headers, response.read().decode()


def test_responses_say_how_long_they_may_be_cached(proxy):
    headers, _ = fetch(proxy, PERMALINK)
    assert "public" in headers["Cache-Control"] and "max-age=300" in headers["Cache-Control"]
    assert "HX-Request" in headers["Vary"]


def test_repeated_permalink_is_served_from_the_cache(proxy):
    first, _ = fetch(proxy, PERMALINK + "&seq_len=2048")
    second, body = fetch(proxy, PERMALINK + "&seq_len=2048")
    assert first["X-Cache-Status"] == "MISS"
    assert second["X-Cache-Status"] == "HIT"
    assert "<html" in body


def test_page_and_fragment_of_one_url_never_mix(proxy):
    url = PERMALINK + "&seq_len=1024"
    _, page = fetch(proxy, url)
    headers, fragment = fetch(proxy, url, **{"HX-Request": "true"})
    assert headers["X-Cache-Status"] == "MISS"  # a different variant, not the cached page
    assert "<html" in page and "<html" not in fragment
    again, fragment_again = fetch(proxy, url, **{"HX-Request": "true"})
    page_headers, page_again = fetch(proxy, url)
    assert again["X-Cache-Status"] == "HIT" and "<html" not in fragment_again
    assert page_headers["X-Cache-Status"] == "HIT" and "<html" in page_again


def test_json_stays_json(proxy):
    url = PERMALINK + "&format=json"
    fetch(proxy, url)
    headers, body = fetch(proxy, url)
    assert headers["X-Cache-Status"] == "HIT"
    assert headers["Content-Type"] == "application/json"
    assert body.startswith('{"inputs"')
