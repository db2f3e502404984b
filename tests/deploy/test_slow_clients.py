"""Slow clients against the server as the Docker image runs it (nginx in front of gunicorn).

Two hundred connections hold unfinished requests, half of them headers that never end, half a
2 MB POST body sent a few bytes at a time (or not at all). The site must keep answering, and the
stalled ones must be cut off by the timeouts stated in deploy/nginx/instance.conf. Everything
stays on loopback; every loop is bounded in count and in time.
"""

import contextlib
import select
import shutil
import socket
import threading
import time
import urllib.request

import pytest

from tests.servers import Gunicorn, Instance

pytestmark = pytest.mark.skipif(
    not (shutil.which("nginx") or shutil.which("/usr/sbin/nginx")), reason="needs nginx"
)
PAGE = "/gradient-accumulation/?global_batch=1000&micro_batch=4&gpus=8"
# deploy/nginx/instance.conf: client_header_timeout, client_body_timeout.
HEADER_TIMEOUT_S = 10
BODY_TIMEOUT_S = 10
BODY_BYTES = 2_000_000  # under the 2.5 MiB the site accepts, so only time can end it


def unfinished_headers(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(f"GET {PAGE} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow".encode())
    return sock


def unfinished_body(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    head = (
        "POST /metrics/regression/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {BODY_BYTES}\r\n\r\ny_true="
    )
    sock.sendall(head.encode())
    return sock


def answer_seconds(url: str, limit: float = 5.0) -> float:
    """Seconds until a complete 200 answer; `limit` (a failure) if none came in time."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=limit) as response:
            response.read()
            assert response.status == 200
    except OSError:
        return limit
    return time.perf_counter() - start


def closed_by_server(sockets: list[socket.socket]) -> int:
    """How many of these connections the server has ended (it may say 408 first)."""
    closed = 0
    readable, _, _ = select.select(sockets, [], [], 0.5)
    for sock in readable:
        sock.settimeout(0.5)
        try:
            while sock.recv(4096):
                pass
            closed += 1
        except ConnectionResetError:
            closed += 1
        except TimeoutError:
            pass  # answered something but still open
    return closed


class Trickle:
    """Sends two more bytes of body on each socket every second, until stopped (bounded)."""

    def __init__(self, sockets: list[socket.socket], seconds: float):
        self.sockets, self.deadline = sockets, time.monotonic() + seconds
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stopped.wait(1.0) and time.monotonic() < self.deadline:
            for sock in self.sockets:
                with contextlib.suppress(OSError):  # one the server has already cut off
                    sock.sendall(b"1,")

    def stop(self):
        self.stopped.set()
        self.thread.join(timeout=5)


def close_all(sockets):
    for sock in sockets:
        sock.close()


def test_bare_sync_gunicorn_is_held_by_six_slow_clients():
    """The issue's finding, kept as the control: without nginx in front, six unfinished
    requests hold both sync workers and /healthz goes unanswered. So the probe below can see
    the failure it guards against."""
    server = Gunicorn(workers=2)
    slow = []
    try:
        slow = [unfinished_headers(server.port) for _ in range(6)]
        time.sleep(0.5)
        assert answer_seconds(server.url + "/healthz", limit=2.0) >= 2.0
    finally:
        close_all(slow)
        server.stop()


@pytest.fixture(scope="module")
def instance():
    server = Instance()
    for _ in range(4):  # each worker renders the page once before it is timed
        answer_seconds(server.url + PAGE)
    yield server
    server.stop()


def test_two_hundred_slow_clients_hold_no_worker(instance):
    headers = [unfinished_headers(instance.port) for _ in range(100)]
    sent_at = time.monotonic()
    trickling = [unfinished_body(instance.port) for _ in range(50)]
    stalled = [unfinished_body(instance.port) for _ in range(50)]
    trickle = Trickle(trickling, seconds=HEADER_TIMEOUT_S + 5)
    try:
        # While all 200 are open: the health check and the flagship page, twice a second.
        waits = []
        for _ in range(12):
            waits.append(answer_seconds(instance.url + "/healthz"))
            waits.append(answer_seconds(instance.url + PAGE))
            time.sleep(0.3)
        print(
            f"\n200 slow clients: /healthz and the flagship page answered {len(waits)} times, "
            f"median {sorted(waits)[len(waits) // 2]:.3f} s, slowest {max(waits):.3f} s"
        )
        assert max(waits) < 1.0, sorted(waits)[-5:]

        # Past the timeouts: stalled headers and stalled bodies are gone; a body that keeps
        # coming is still being read, by nginx alone (the site answered throughout).
        cut_off_by = sent_at + max(HEADER_TIMEOUT_S, BODY_TIMEOUT_S) + 1.5
        time.sleep(max(0.0, cut_off_by - time.monotonic()))
        assert closed_by_server(headers) == len(headers)
        assert closed_by_server(stalled) == len(stalled)
        assert closed_by_server(trickling) == 0
        assert answer_seconds(instance.url + "/healthz") < 1.0
    finally:
        trickle.stop()
        close_all(headers + trickling + stalled)
