"""Every tool's live fragment and full page against /healthz, in one run on production gunicorn.

The tools come from the registry (calculators/kit/registry.py), so a tool added later is
benchmarked without an edit here. A family served by one URL pattern (one page per GPU card)
is represented by its first member. Each tool is asked for its default scenario (its bare
path), as an htmx recompute (`HX-Request: true`, the fragment) and as a full page.

The server is gunicorn alone with production settings and two sync workers, as
bench/http_bench.py starts it for its targets (tests/servers.py). The machine is shared, so
what counts is the ratio to /healthz measured in the same run, and close in time: /healthz is
measured between every two tools, a tool's floor is the mean of the /healthz runs just before
and just after it, and each ratio printed is the median over the rounds. The server's CPU time
per request (read from /proc), which contention from other processes inflates less, is printed
beside it as milliseconds.

Targets (issue 14): fragment >= 0.35x and page >= 0.20x of /healthz; a page whose one request
answers for the whole model catalog, >= 0.20x and >= 0.10x: a GPU card page (31 models), and
/gpus/ too (31 models on each of six cards, six times a card page's fits).

    .venv/bin/python bench/tools_bench.py    # BENCH_SECONDS (3) per endpoint, BENCH_ROUNDS (3)
    BENCH_TOOLS=gpus,activation-memory .venv/bin/python bench/tools_bench.py   # only these
"""

import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gradacc_site.settings")

import django  # noqa: E402

django.setup()

from http_bench import server_cpu_seconds  # noqa: E402

from calculators.kit import registry  # noqa: E402
from tests.servers import Gunicorn  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = 8
WORKERS = 2  # the image's default (WEB_CONCURRENCY)
TARGETS = {"fragment": 0.35, "page": 0.20}
# Pages whose one request answers for the whole model catalog, by URL pattern.
CATALOG_TARGETS = {"fragment": 0.20, "page": 0.10}
CATALOG_PAGES = ("gpu_fit:card", "gpu_fit:index")
FRAGMENT = {"HX-Request": "true"}
ONLY = [slug for slug in os.environ.get("BENCH_TOOLS", "").split(",") if slug]


def benchmarked_tools() -> list[registry.Tool]:
    """Every registered tool, one per URL pattern (the first of a family stands for it)."""
    seen, tools = set(), []
    for tool in registry.all_tools():
        if tool.url_name not in seen:
            seen.add(tool.url_name)
            tools.append(tool)
    return [t for t in tools if t.slug in ONLY] if ONLY else tools


def targets(tool: registry.Tool) -> dict[str, float]:
    return CATALOG_TARGETS if tool.url_name in CATALOG_PAGES else TARGETS


def wrk(server: Gunicorn, path: str, headers: dict | None = None) -> tuple[float, float]:
    """Requests per second and the server's CPU milliseconds per request; any answer but
    2xx/3xx fails the run (it would measure errors)."""
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS:g}s"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    cpu = server_cpu_seconds(server.process.pid)
    out = subprocess.run([*args, server.url + path], capture_output=True, text=True, check=True)
    cpu = server_cpu_seconds(server.process.pid) - cpu
    if bad := re.search(r"Non-2xx or 3xx responses: (\d+)", out.stdout):
        raise RuntimeError(f"{path}: {bad.group(1)} error answers")
    requests = int(re.search(r"(\d+) requests in", out.stdout).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out.stdout).group(1))
    return rps, cpu * 1000 / requests


def main() -> int:
    tools = benchmarked_tools()
    server = Gunicorn(workers=WORKERS)
    ratios = {(t.slug, kind): [] for t in tools for kind in TARGETS}
    cpu_ms = {key: [] for key in [*ratios, "healthz"]}
    floors = []
    try:
        print(
            f"{len(tools)} tools, production gunicorn ({WORKERS} sync workers) on {server.url}, "
            f"wrk {CONNECTIONS} connections, {SECONDS:g}s per endpoint, {ROUNDS} rounds"
        )
        for _ in range(ROUNDS):
            before, cpu = wrk(server, "/healthz")
            cpu_ms["healthz"].append(cpu)
            for tool in tools:
                fragment = wrk(server, tool.path, FRAGMENT)
                page = wrk(server, tool.path)
                after, cpu = wrk(server, "/healthz")
                cpu_ms["healthz"].append(cpu)
                floor = (before + after) / 2
                floors.append(floor)
                for kind, (rps, cpu) in (("fragment", fragment), ("page", page)):
                    ratios[tool.slug, kind].append(rps / floor)
                    cpu_ms[tool.slug, kind].append(cpu)
                before = after
    finally:
        server.stop()

    floor_cpu = statistics.median(cpu_ms["healthz"])
    print(
        f"/healthz: {statistics.median(floors):,.0f} req/s, {floor_cpu:.2f} ms of server CPU a "
        "request (medians). Each cell: req/s ratio to /healthz (the target's measure), the "
        "target, and the same ratio by server CPU per request (steadier on a busy machine)."
    )
    print(
        f"{'tool':<24}{'path':<24}{'fragment':>9}{'target':>8}{'by CPU':>8}"
        f"{'page':>9}{'target':>8}{'by CPU':>8}"
    )
    failed = []
    for tool in tools:
        cells = ""
        for kind, target in targets(tool).items():
            ratio = statistics.median(ratios[tool.slug, kind])
            if ratio < target:
                failed.append(f"{tool.slug} {kind}")
            mark = " " if ratio >= target else "!"
            by_cpu = floor_cpu / statistics.median(cpu_ms[tool.slug, kind])
            cells += f"{ratio:>8.2f}x{mark}{target:>6.2f}x{by_cpu:>7.2f}x"
        print(f"{tool.slug:<24}{tool.path:<24}{cells}")
    print("PASS  every tool meets its targets" if not failed else f"FAIL  {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
