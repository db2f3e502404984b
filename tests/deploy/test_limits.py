"""The limits of the two nginx configurations are the site's own, and the image's nginx passes
on only what gunicorn alone would have trusted. Real processes on loopback."""

import http.client
import re
import runpy
import shutil
import subprocess
import sys

import pytest
from django.conf import settings

from tests.servers import ROOT, Instance, NginxFront

pytestmark = pytest.mark.skipif(
    not (shutil.which("nginx") or shutil.which("/usr/sbin/nginx")), reason="needs nginx"
)
CONFS = [ROOT / "deploy" / "nginx" / "instance.conf", ROOT / "deploy" / "nginx" / "gradacc.conf"]
GUNICORN = runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def nginx_size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmM]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2}[unit.lower()]


@pytest.mark.parametrize("conf", CONFS, ids=lambda p: p.name)
def test_nginx_limits_are_the_sites_own(conf):
    text = conf.read_text()
    body = re.search(r"client_max_body_size (\S+);", text).group(1)
    assert nginx_size(body) == settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # Django's cap on a body
    read_timeout = re.search(r"proxy_read_timeout (\d+)s;", text).group(1)
    assert int(read_timeout) == GUNICORN["timeout"]  # a request gunicorn would still finish
    # Bodies are kept in memory whole: no temporary file of anyone's data.
    buffer = re.search(r"client_body_buffer_size (\S+);", text).group(1)
    assert nginx_size(buffer) >= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    count, size = re.search(r"large_client_header_buffers (\d+) (\S+);", text).groups()
    # A request line must fit one buffer, with its CRLF; gunicorn's limit excludes the CRLF.
    assert nginx_size(size) >= GUNICORN["limit_request_line"] + 2


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """An instance as the image runs it, trusting X-Forwarded-Proto only from 127.0.0.2, with
    the front nginx before it (which connects from 127.0.0.1)."""
    instance = Instance(
        workers=1,
        DJANGO_SECURE_SSL="1",
        DJANGO_TRUST_X_FORWARDED_PROTO="1",
        FORWARDED_ALLOW_IPS="127.0.0.2",
    )
    front = NginxFront([f"127.0.0.1:{instance.port}"], tmp_path_factory.mktemp("front"))
    yield instance, front
    front.stop()
    instance.stop()


def ask(port, method, path, headers=None, body=None, source="127.0.0.1"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.source_address = (source, 0)
    try:
        connection.request(
            method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})}
        )
        response = connection.getresponse()
        response.read()
        return response.status, response.headers
    finally:
        connection.close()


def test_request_lines_gunicorn_accepts_pass_both_proxies(chain):
    instance, front = chain
    path = "/healthz?q="
    longest = path + "a" * (GUNICORN["limit_request_line"] - len(f"GET {path} HTTP/1.1"))
    assert len(f"GET {longest} HTTP/1.1") == GUNICORN["limit_request_line"]
    https = {"X-Forwarded-Proto": "https"}
    assert ask(instance.port, "GET", longest, https, source="127.0.0.2")[0] == 200
    # The front says http (it terminates no TLS here): the answer is the site's HTTPS redirect.
    assert ask(front.port, "GET", longest)[0] == 301
    too_long = path + "a" * 9000
    assert ask(instance.port, "GET", too_long)[0] == 414
    assert ask(front.port, "GET", too_long)[0] == 414


def test_bodies_up_to_the_sites_cap_reach_django_and_larger_ones_are_refused(chain):
    instance, front = chain
    cap = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    form = {"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-Proto": "https"}
    status, headers = ask(instance.port, "POST", "/healthz", form, b"a" * cap, source="127.0.0.2")
    # Django's answer, whole: /healthz is GET-only, and says so (nginx sets no Allow header).
    assert status == 405 and "GET" in headers["Allow"]
    # Through the front (plain http here): Django's redirect to HTTPS, whole.
    status, headers = ask(front.port, "POST", "/healthz", form, b"a" * cap)
    assert status == 301 and headers["Location"].startswith("https://")
    assert ask(instance.port, "POST", "/healthz", form, b"a" * (cap + 1))[0] == 413
    assert ask(front.port, "POST", "/healthz", form, b"a" * (cap + 1))[0] == 413


def test_a_hundred_thousand_values_post_through_both_proxies(chain):
    """The metric tools' limit end to end: 100,000 values by POST reach the tool through the
    image's nginx and gunicorn and are answered; a body over the cap is refused by nginx."""
    from calculators.kit.list_fields import MAX_VALUES

    instance, front = chain
    values = "%0A".join(["0.123456789012345"] * MAX_VALUES)
    body = f"y_true={values}&y_pred={values}&format=json".encode()
    form = {"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-Proto": "https"}
    status, _ = ask(instance.port, "POST", "/metrics/regression/", form, body, "127.0.0.2")
    assert status == 200
    cap = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert ask(instance.port, "POST", "/metrics/regression/", form, b"a" * (cap + 1))[0] == 413
    assert ask(front.port, "POST", "/metrics/regression/", form, b"a" * (cap + 1))[0] == 413


def test_only_a_trusted_peer_may_say_https(chain):
    """gunicorn trusts every header from its unix socket, so nginx must filter them as gunicorn
    filtered them when it faced clients: X-Forwarded-Proto only from FORWARDED_ALLOW_IPS."""
    instance, _ = chain
    https = {"X-Forwarded-Proto": "https"}
    assert ask(instance.port, "GET", "/healthz", https, source="127.0.0.2")[0] == 200
    # From anyone else the claim is dropped and the site redirects to HTTPS.
    assert ask(instance.port, "GET", "/healthz", https)[0] == 301
    # gunicorn's other scheme headers are never passed on, even from a trusted peer.
    for header, value in (("X-Forwarded-Ssl", "on"), ("X-Forwarded-Protocol", "ssl")):
        assert ask(instance.port, "GET", "/healthz", {header: value}, source="127.0.0.2")[0] == 301


def test_healthcheck_passes_behind_tls_where_no_proxy_is_trusted(chain):
    """DJANGO_SECURE_SSL=1, and the check's own "https" is not trusted from 127.0.0.1 here:
    the site's HTTPS redirect still shows that nginx and a worker answer."""
    instance, _ = chain
    check = [sys.executable, "deploy/healthcheck.py"]
    assert subprocess.run(check, cwd=ROOT, env=instance.env, timeout=30).returncode == 0
