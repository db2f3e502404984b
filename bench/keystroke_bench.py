"""Keystroke to settled result, in a real browser: what a person typing into a tool waits for.

Production gunicorn (tests/servers.py) serves the site on loopback; Debian's chromium, driven
by Playwright with the test suite's launch arguments (tests/conftest.py), opens a page and types
a few dozen values into one number input, each as a person would: select the old value, type
the new one key by key. For each value the page itself records, on its own clock
(performance.now), the last keystroke's `input` event and the moments htmx sends the request,
has the answer (`htmx:beforeSwap`), has swapped it in and has settled it (`htmx:afterSettle`),
for the request that carries the final value. The time from the last keystroke to that settle
is the figure; the phases between say where it goes (the input delay of hx-trigger, the server
and the network, the swap, htmx's settle delay).

Target (issue 14): median at most 150 ms on each page.

    .venv/bin/python bench/keystroke_bench.py          # KEYSTROKE_VALUES (30) per page
"""

import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gradacc_site.settings")

import django  # noqa: E402

django.setup()

from calculators.kit import registry  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.servers import Gunicorn  # noqa: E402

VALUES = int(os.environ.get("KEYSTROKE_VALUES", "30"))
TARGET_MS = 150
KEY_GAP_MS = 40  # between the keys of one value: a fast typist, inside any debounce

# The tool (by registry slug; a GPU card page: the first of the family), the input typed into
# (its query parameter) and the values typed, all valid.
FIRST_CARD = next(t.slug for t in registry.all_tools() if t.url_name == "gpu_fit:card")
PAGES = (
    ("gradient-accumulation", "global_batch", lambda i: 512 + 24 * i),
    (FIRST_CARD, "context", lambda i: 4096 + 256 * i),
    ("activation-memory", "seq_len", lambda i: 2048 + 64 * i),
)

# Marks, on the page's own clock, each recompute's moments, keyed by the request's path.
RECORDER = """
window.__marks = {input: 0, requests: []};
document.querySelector("form[hx-get]").addEventListener("input", () => {
  window.__marks.input = performance.now();
}, true);
document.body.addEventListener("htmx:beforeRequest", (event) => {
  const formData = event.detail.requestConfig.formData;
  window.__marks.requests.push({
    xhr: event.detail.xhr,
    params: Object.fromEntries(formData ? formData.entries() : []),
    sent: performance.now(),
  });
});
for (const [name, key] of [["htmx:beforeSwap", "answered"], ["htmx:afterSwap", "swapped"],
                           ["htmx:afterSettle", "settled"]]) {
  document.body.addEventListener(name, (event) => {
    const request = window.__marks.requests.find((r) => r.xhr === event.detail.xhr);
    if (request && !(key in request)) request[key] = performance.now();
  });
}
"""

# The recompute that carries `value` for `name`, once it has settled: its marks, or null.
SETTLED = """([name, value]) => {
  const r = window.__marks.requests.find((r) => r.params[name] === value && r.settled);
  return r ? {input: window.__marks.input, sent: r.sent, answered: r.answered,
              swapped: r.swapped, settled: r.settled} : null;
}"""


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def type_values(page, url: str, name: str, value_at) -> list[dict]:
    page.goto(url)
    page.evaluate(RECORDER)
    field = page.locator(f"input[name={name}]")
    marks = []
    for i in range(VALUES):
        value = str(value_at(i))
        field.click()
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.type(value, delay=KEY_GAP_MS)
        handle = page.wait_for_function(SETTLED, arg=[name, value], timeout=10_000)
        marks.append(handle.json_value())
        page.wait_for_timeout(150)  # let the page go idle before the next value
    return marks


def main() -> int:
    from playwright.sync_api import sync_playwright

    server = Gunicorn(workers=2)
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            for slug, name, value_at in PAGES:
                path = registry.get(slug).path
                page.goto(server.url + path)  # a first visit: caches and compiles
                rows.append((path, name, type_values(page, server.url + path, name, value_at)))
            browser.close()
    finally:
        server.stop()

    print(
        f"keystroke to settled result, chromium on loopback against production gunicorn, "
        f"{VALUES} values a page, median (p90) in ms"
    )
    header = ("page", "input", "settled", "delay", "server", "swap", "settle")
    print(f"{header[0]:<26}{header[1]:<14}" + "".join(f"{h:>15}" for h in header[2:]))
    failed = []
    for path, name, marks in rows:
        phases = {
            "settled": [m["settled"] - m["input"] for m in marks],
            "delay": [m["sent"] - m["input"] for m in marks],
            "server": [m["answered"] - m["sent"] for m in marks],
            "swap": [m["swapped"] - m["answered"] for m in marks],
            "settle": [m["settled"] - m["swapped"] for m in marks],
        }
        cells = "".join(
            f"{statistics.median(v):>8.0f} ({percentile(v, 90):>4.0f})" for v in phases.values()
        )
        print(f"{path:<26}{name:<14}{cells}")
        if statistics.median(phases["settled"]) > TARGET_MS:
            failed.append(path)
    print(
        f"PASS  every page settles within {TARGET_MS} ms (median)"
        if not failed
        else f"FAIL  median over {TARGET_MS} ms: {', '.join(failed)}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
