"""Throughput, latency and bytes of the flagship, served as the Docker image serves it (nginx in
front of gunicorn's sync workers, deploy/serve.py), on loopback.

Each endpoint is driven in the same run, so the ratios to /healthz (the framework floor) are
comparable even on a busy machine. The last table is the cost of the nginx in front: the same
load sent, endpoint by endpoint in turn, to the image's server and to gunicorn alone (the
image's server before it had nginx), as throughput and as the servers' CPU time per request
(read from /proc, which contention from other processes on the machine inflates less).
Clients keep their connection to nginx, while gunicorn's sync workers close every one: small
answers come out faster through nginx. The targets (fragment and page against /healthz) are
checked on gunicorn alone, the stack they were set for.
Uses wrk when installed, else a threaded Python client.
"""

import gzip
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from http.client import HTTPConnection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.servers import Gunicorn, Instance, session_pids  # noqa: E402

FLAGSHIP = "/gradient-accumulation/?global_batch=1000&micro_batch=4&gpus=8"
ENDPOINTS = {
    "healthz": ("/healthz", {}),
    "fragment": (FLAGSHIP, {"HX-Request": "true"}),
    "page": (FLAGSHIP, {}),
    "json": (FLAGSHIP + "&format=json", {}),
}
TARGETS = {"fragment": 0.35, "page": 0.2}
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CONNECTIONS = 8
WORKERS = 2  # the image's default (WEB_CONCURRENCY)


def server_cpu_seconds(session: int) -> float:
    """CPU time used so far by every process of a server (its own session: master, workers)."""
    return sum(cpu_seconds(pid) for pid in session_pids(session))


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def run_wrk(url: str, headers: dict) -> tuple[float, float, float]:
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS:g}s", "--latency", url]
    for name, value in headers.items():
        args[1:1] = ["-H", f"{name}: {value}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return rps, wrk_ms(out, "50%"), wrk_ms(out, "99%")


def wrk_ms(out: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_python(port: int, path: str, headers: dict) -> tuple[float, float, float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + SECONDS

    def worker():
        conn = HTTPConnection("127.0.0.1", port)
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            conn.getresponse().read()
            latencies.append((time.perf_counter() - start) * 1000)

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cuts = statistics.quantiles(latencies, n=100)
    return len(latencies) / SECONDS, cuts[49], cuts[98]


def gzip_size(url: str, headers: dict | None = None) -> int:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip", **(headers or {})})
    with urllib.request.urlopen(request) as response:
        body = response.read()
        if response.headers.get("Content-Encoding") != "gzip":
            body = gzip.compress(body)  # count what a compressing CDN would send
        return len(body)


def first_visit_bytes(base: str) -> dict[str, int]:
    html = urllib.request.urlopen(base + FLAGSHIP).read().decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js|svg))"', html)
    sizes = {"html": gzip_size(base + FLAGSHIP)}
    for asset in assets:
        sizes[asset.rsplit("/", 1)[-1]] = gzip_size(base + asset)
    return sizes


def measure(server, path: str, headers: dict) -> tuple[float, float, float, float]:
    """req/s, p50 ms, p99 ms and the server's CPU ms per request, for one endpoint."""
    before = server_cpu_seconds(server.process.pid)
    if shutil.which("wrk"):
        rps, p50, p99 = run_wrk(server.url + path, headers)
    else:
        rps, p50, p99 = run_python(server.port, path, headers)
    cpu_ms = (server_cpu_seconds(server.process.pid) - before) * 1000 / (rps * SECONDS)
    return rps, p50, p99, cpu_ms


def main() -> int:
    image = Instance(workers=WORKERS)
    alone = Gunicorn(workers=WORKERS)
    try:
        tool = "wrk" if shutil.which("wrk") else "python client"
        print(
            f"the image's server (nginx + {WORKERS} sync workers) on {image.url}, load by {tool}, "
            f"{CONNECTIONS} connections, {SECONDS:g}s each"
        )
        rows, bare = {}, {}
        for name, (path, headers) in ENDPOINTS.items():
            rows[name] = measure(image, path, headers)
            bare[name] = measure(alone, path, headers)
        floor = rows["healthz"][0]
        print(f"{'endpoint':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'vs healthz':>12}")
        for name, (rps, p50, p99, _) in rows.items():
            print(f"{name:<10}{rps:>10.0f}{p50:>10.2f}{p99:>10.2f}{rps / floor:>11.2f}x")
        print(f"\nthe cost of nginx in front: the same load on gunicorn alone ({alone.url})")
        print(
            f"{'endpoint':<10}{'req/s':>10}{'alone':>10}{'ratio':>8}{'vs healthz':>12}"
            f"{'CPU ms/req':>12}{'alone':>8}{'ratio':>8}"
        )
        for name in ENDPOINTS:
            rps, cpu = rows[name][0], rows[name][3]
            rps0, cpu0 = bare[name][0], bare[name][3]
            print(
                f"{name:<10}{rps:>10.0f}{rps0:>10.0f}{rps / rps0:>7.2f}x"
                f"{rps0 / bare['healthz'][0]:>11.2f}x{cpu:>12.2f}{cpu0:>8.2f}{cpu / cpu0:>7.2f}x"
            )
        sizes = first_visit_bytes(image.url)
        visit = sum(sizes.values())
        recompute = gzip_size(image.url + FLAGSHIP, {"HX-Request": "true"})
        detail = ", ".join(f"{k} {v:,}" for k, v in sizes.items())
        print(f"first visit: {visit:,} bytes compressed ({detail})")
        print(f"one recompute (fragment): {recompute:,} bytes compressed")
        # The targets are Django's own cost against its floor, as they were set: measured on
        # gunicorn alone, where no proxy's keep-alive makes the floor cheaper.
        floor_alone = bare["healthz"][0]
        checks = [
            *(
                (f"{n} >= {t}x healthz (gunicorn alone)", bare[n][0] / floor_alone >= t)
                for n, t in TARGETS.items()
            ),
            ("first visit <= 60 KB", visit <= 60 * 1024),
            ("recompute <= 6 KB", recompute <= 6 * 1024),
        ]
        for label, ok in checks:
            print(f"{'PASS' if ok else 'FAIL'}  {label}")
        return 0 if all(ok for _, ok in checks) else 1
    finally:
        image.stop()
        alone.stop()


if __name__ == "__main__":
    sys.exit(main())
