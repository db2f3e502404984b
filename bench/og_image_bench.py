"""Render time and size of every tool's share image (share_images/), in process.

For each tool's default scenario: drawing the PNG from scratch (headline from the JSON answer,
then Pillow), the PNG's size, the headline alone (what a page render adds for og:image:alt),
and the image served again from the view's cache. Medians of BENCH_REPEAT runs each; CPU
time too, since wall time on a shared machine counts other people's work.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gradacc_site.settings")

import django  # noqa: E402

django.setup()

from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402

from calculators.kit import registry  # noqa: E402
from share_images import card, scenario  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
LIMIT_BYTES = 150 * 1024  # the budget


def timed(work) -> tuple[float, float]:
    """Median wall and CPU milliseconds of `work` over REPEAT runs."""
    walls, cpus = [], []
    for _ in range(REPEAT):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def clear():
    scenario.IMAGES.items.clear()


def main():
    client = Client(HTTP_HOST="localhost")
    empty = QueryDict()
    rows = []
    for tool in registry.all_tools():
        form = tool.form(empty)
        form.is_valid()

        def headline(tool=tool, form=form):
            return scenario.headline(tool, form)

        def draw(tool=tool):
            clear()
            return scenario.png(tool, empty)

        png = draw()
        url = f"{tool.path}og.png"
        client.get(url)  # cached from here on
        rows.append(
            (
                tool.slug,
                timed(draw),
                timed(headline),
                timed(lambda url=url: client.get(url)),
                len(png),
            )
        )
        generic = card.render(tool.title, tool.group, None, tool.blurb)
        assert len(generic) <= LIMIT_BYTES

    print(f"Share images, {REPEAT} runs each, median wall ms (CPU ms):")
    print(f"{'tool':28} {'render':>15} {'headline':>15} {'cached GET':>15} {'PNG':>9}")
    for slug, render, head, hit, size in rows:
        cells = [f"{wall:7.1f} ({cpu:5.1f})" for wall, cpu in (render, head, hit)]
        print(f"{slug:28} {cells[0]:>15} {cells[1]:>15} {cells[2]:>15} {size / 1024:6.1f} KB")
    renders = [r[1][0] for r in rows]
    sizes = [r[4] for r in rows]
    print(
        f"render: median {statistics.median(renders):.1f} ms, slowest {max(renders):.1f} ms; "
        f"PNG: median {statistics.median(sizes) / 1024:.1f} KB, largest {max(sizes) / 1024:.1f} KB "
        f"(budget {LIMIT_BYTES // 1024} KB); a cached image is served in "
        f"{statistics.median(r[3][0] for r in rows):.2f} ms"
    )
    if max(sizes) > LIMIT_BYTES:
        raise SystemExit("a share image is over its size budget")


if __name__ == "__main__":
    main()
