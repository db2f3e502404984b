"""Two instances behind deploy/nginx/gradacc.conf (the nginx deploy/compose.yaml runs): one is
killed mid-load, as when a machine is lost, and started again. No request fails, and traffic
returns to it. All on loopback; the load is a few client threads, bounded in count and time.
"""

import re
import shutil
import threading
import time
import urllib.request

import pytest

from tests.servers import Instance, NginxFront

pytestmark = pytest.mark.skipif(
    not (shutil.which("nginx") or shutil.which("/usr/sbin/nginx")), reason="needs nginx"
)
# Closed-loop clients: at most this many requests at once, which one instance's two workers
# clear without queueing past QUEUE_TIMEOUT (more would be overload, answered 503 by design).
CLIENTS = 4
MAX_REQUESTS_PER_CLIENT = 3000
# A GET the front has not cached yet: each request is a new permalink (global_batch varies).
PERMALINK = "/gradient-accumulation/?global_batch={n}&micro_batch=4&gpus=8"


class Load:
    """CLIENTS threads asking the front for new permalinks until stopped (or their cap)."""

    def __init__(self, base: str):
        self.base = base
        self.statuses: dict[int, int] = {}
        self.failures: list[str] = []
        self.counter = iter(range(1_000, 10**9))
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self.client, daemon=True) for _ in range(CLIENTS)]
        for thread in self.threads:
            thread.start()

    def client(self):
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if self.stopped.is_set():
                return
            with self.lock:
                n = next(self.counter)
            try:
                with urllib.request.urlopen(self.base + PERMALINK.format(n=n), timeout=15) as r:
                    body = r.read()
                    status = r.status
                assert b"</html>" in body, "incomplete page"
            except Exception as error:  # every kind of failure counts, and is shown
                with self.lock:
                    self.failures.append(f"{type(error).__name__}: {error}")
                continue
            with self.lock:
                self.statuses[status] = self.statuses.get(status, 0) + 1

    def stop(self):
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=30)


def served_by(log_lines: list[str], port: int) -> int:
    """Answers the front got from the instance on `port` at the first try (a retried request
    lists every address it tried: "upstream=A, B")."""
    return sum(1 for line in log_lines if re.search(rf"upstream=127\.0\.0\.1:{port} ", line))


def test_instance_killed_mid_load_loses_no_request_and_gets_traffic_back(tmp_path):
    lost, kept = Instance(wait=False), Instance(wait=False)  # two workers each, as the image
    lost.wait_until_up()
    kept.wait_until_up()
    front = NginxFront([f"127.0.0.1:{lost.port}", f"127.0.0.1:{kept.port}"], tmp_path)
    load = None
    try:
        load = Load(front.url)
        time.sleep(3)
        before_kill = front.access_log.read_text().splitlines()
        lost.kill()  # SIGKILL to launcher, nginx and gunicorn at once: nothing closes cleanly
        time.sleep(2)
        during_outage = front.access_log.read_text().splitlines()[len(before_kill) :]
        lost.start()  # the same command on the same port, as a restarted container
        restarted_at = len(front.access_log.read_text().splitlines())
        time.sleep(6)
        load.stop()
        after_restart = front.access_log.read_text().splitlines()[restarted_at:]
    finally:
        if load:
            load.stop()
        front.stop()
        lost.stop()
        kept.stop()

    print(
        f"\nanswers {load.statuses}, failures {len(load.failures)}; first tries on the lost "
        f"instance: {served_by(before_kill, lost.port)} before the kill, "
        f"{served_by(during_outage, lost.port)} while it was down, "
        f"{served_by(after_restart, lost.port)} after its restart; retried: "
        f"{sum(', ' in line for line in during_outage)}"
    )
    assert load.failures == [], load.failures[:5]
    assert set(load.statuses) == {200}
    # Both instances worked before; while one was down, requests that reached it were retried
    # on the other (the log lists both addresses); after the restart it serves again.
    assert served_by(before_kill, lost.port) > 0 and served_by(before_kill, kept.port) > 0
    assert any(f"upstream=127.0.0.1:{lost.port}, " in line for line in during_outage)
    assert served_by(after_restart, lost.port) > 0
