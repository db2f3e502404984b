"""Throughput, latency and bytes of the flagship under production gunicorn on loopback.

Each endpoint is driven in the same run, so the ratios to /healthz (the framework floor) are
comparable even on a busy machine. Uses wrk when installed, else a threaded Python client.
"""

import gzip
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "GUNICORN_ACCESS_LOG": "",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen([str(gunicorn), "gradacc_site.wsgi"], cwd=ROOT, env=env)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


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


def main() -> int:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(port)
    try:
        tool = "wrk" if shutil.which("wrk") else "python client"
        print(f"gunicorn on {base}, load by {tool}, {CONNECTIONS} connections, {SECONDS:g}s each")
        rows = {}
        for name, (path, headers) in ENDPOINTS.items():
            if tool == "wrk":
                rows[name] = run_wrk(base + path, headers)
            else:
                rows[name] = run_python(port, path, headers)
        floor = rows["healthz"][0]
        print(f"{'endpoint':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'vs healthz':>12}")
        for name, (rps, p50, p99) in rows.items():
            print(f"{name:<10}{rps:>10.0f}{p50:>10.2f}{p99:>10.2f}{rps / floor:>11.2f}x")
        sizes = first_visit_bytes(base)
        visit = sum(sizes.values())
        recompute = gzip_size(base + FLAGSHIP, {"HX-Request": "true"})
        detail = ", ".join(f"{k} {v:,}" for k, v in sizes.items())
        print(f"first visit: {visit:,} bytes compressed ({detail})")
        print(f"one recompute (fragment): {recompute:,} bytes compressed")
        checks = [
            *((f"{n} >= {t}x healthz", rows[n][0] / floor >= t) for n, t in TARGETS.items()),
            ("first visit <= 60 KB", visit <= 60 * 1024),
            ("recompute <= 6 KB", recompute <= 6 * 1024),
        ]
        for label, ok in checks:
            print(f"{'PASS' if ok else 'FAIL'}  {label}")
        return 0 if all(ok for _, ok in checks) else 1
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
