"""Where one tool's request spends its time: cProfile over many requests of its default
scenario, through Django's whole handler (middleware, view, template, compression) in one
process, with production settings (DEBUG off, templates cached).

    .venv/bin/python bench/profile_tool.py gpus-rtx-3060-12gb            # the live fragment
    .venv/bin/python bench/profile_tool.py activation-memory --page -n 300
    .venv/bin/python bench/profile_tool.py lr-scaling --query "batch=512" --sort tottime

Prints the mean wall time per request (CPU-bound: on a busy machine, the best of a few runs
is the figure), then the profile's top functions. The slug is a registry slug (the same as
bench/tools_bench.py prints).
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["DJANGO_DEBUG"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gradacc_site.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from calculators.kit import registry  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("slug", choices=[t.slug for t in registry.all_tools()])
    parser.add_argument("--page", action="store_true", help="the full page, not the fragment")
    parser.add_argument("--json", action="store_true", help="the JSON answer")
    parser.add_argument("--query", default="", help="a scenario other than the defaults")
    parser.add_argument("-n", type=int, default=200, help="requests to profile")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()

    query = "&".join(q for q in (args.query, "format=json" if args.json else "") if q)
    url = registry.get(args.slug).href(query)
    headers = {} if args.page or args.json else {"HX-Request": "true"}
    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_ENCODING="gzip")

    def request():
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code)
        return response

    size = len(request().content)  # warm: imports, template compilation
    start = time.perf_counter()
    for _ in range(args.n):
        request()
    plain_ms = (time.perf_counter() - start) * 1000 / args.n
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.n):
        request()
    profile.disable()
    kind = "JSON" if args.json else "page" if args.page else "fragment"
    print(f"{url} ({kind}): {plain_ms:.2f} ms a request without the profiler, {size:,} bytes")
    pstats.Stats(profile).strip_dirs().sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
