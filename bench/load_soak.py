"""Mixed load and soak: every tool's page, fragment and JSON against production gunicorn.

Run by `make bench-load`. Prints throughput, latency percentiles, errors (must be zero) and each
worker's resident memory at the start and the end (must not grow). URLs come from the live
server's own /sitemap.xml, so every registered tool is covered without a list to maintain.
"""

import os
import re
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from xml.etree import ElementTree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.servers import Gunicorn  # noqa: E402

SECONDS = int(os.environ.get("SOAK_SECONDS", "60"))
WARMUP_BURST_SECONDS, WARMUP_MAX_BURSTS, SETTLED_KIB = 10, 12, 256
CONNECTIONS = 8
WORKERS = 2
# After warm-up, resident memory may wobble by allocator noise; more growth is a leak.
MAX_GROWTH_KIB = 1024

LUA = """
local urls = {%s}
local i = 0
request = function()
  i = i %% #urls + 1
  local u = urls[i]
  local headers = {}
  if u[2] then headers["HX-Request"] = "true" end
  return wrk.format("GET", u[1], headers)
end
"""


def tool_paths(base: str) -> list[str]:
    xml = urllib.request.urlopen(base + "/sitemap.xml").read()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in ElementTree.fromstring(xml).findall("s:url/s:loc", ns)]
    return [re.sub(r"^https?://[^/]+", "", loc) for loc in locs if loc.rstrip("/") != base]


def worker_rss_kib(master_pid: int) -> dict[int, int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    rss = {}
    for pid in map(int, children):
        status = Path(f"/proc/{pid}/status").read_text()
        rss[pid] = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))
    return rss


def lua_script(paths: list[str]) -> str:
    entries = []
    for path in paths:
        entries += [
            f'{{"{path}", false}}',
            f'{{"{path}", true}}',
            f'{{"{path}?format=json", false}}',
        ]
    return LUA % ", ".join(entries)


def run_wrk(url: str, script: str, seconds: int) -> str:
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s", script, url]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def warm_up(server: Gunicorn, script: str) -> dict[int, int]:
    """Load in bursts until no worker's memory moves over two bursts in a row: imports,
    template compilation and the allocator's arenas settle in the first thousands of requests."""
    rss, calm = worker_rss_kib(server.process.pid), 0
    for _ in range(WARMUP_MAX_BURSTS):
        run_wrk(server.url, script, WARMUP_BURST_SECONDS)
        settled = worker_rss_kib(server.process.pid)
        moved = any(abs(settled[pid] - rss.get(pid, 0)) > SETTLED_KIB for pid in settled)
        calm = 0 if moved else calm + 1
        rss = settled
        if calm == 2:
            break
    return rss


def main() -> int:
    server = Gunicorn(workers=WORKERS)
    try:
        paths = tool_paths(server.url)
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
            script.write(lua_script(paths))
            script.flush()
            before = warm_up(server, script.name)
            out = run_wrk(server.url, script.name, SECONDS)
            after = worker_rss_kib(server.process.pid)
    finally:
        server.stop()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    socket_errors = sum(map(int, re.findall(r"(?:connect|read|write|timeout) (\d+)", out)))
    p50, p99 = (re.search(rf"{p}%\s+([\d.]+\w+)", out).group(1) for p in ("50", "99"))
    print(
        f"{len(paths)} tools x (page, fragment, JSON), {SECONDS}s, {CONNECTIONS} connections, "
        f"{WORKERS} gunicorn workers"
    )
    print(f"requests: {total:,}  throughput: {rps:,.0f} req/s  p50: {p50}  p99: {p99}")
    print(f"errors: {non_2xx} non-2xx, {socket_errors} socket errors")
    growth = {pid: after.get(pid, 0) - kib for pid, kib in before.items()}
    for pid, kib in before.items():
        print(
            f"worker {pid}: RSS {kib:,} KiB at start, {after.get(pid, 0):,} KiB at end "
            f"({growth[pid]:+,} KiB)"
        )
    ok = non_2xx == 0 and socket_errors == 0 and all(g <= MAX_GROWTH_KIB for g in growth.values())
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
