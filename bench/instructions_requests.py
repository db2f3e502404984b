"""The requests bench/instructions.sh counts, run under callgrind: warms every URL up, then
asks each N times when the script's signal file appears, so that only those requests are
counted (instrumentation is switched on and off from outside with callgrind_control)."""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["DJANGO_DEBUG"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gradacc_site.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

FRAGMENT = {"HTTP_HX_REQUEST": "true"}


def main(signals: Path, n: int, jobs: list[str]) -> None:
    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_ENCODING="gzip")
    requests = []
    for job in jobs:
        url, kind = job.rsplit("@", 1)
        headers = FRAGMENT if kind == "fragment" else {}
        for _ in range(3):  # templates compiled, per-process tables built
            client.get(url, **headers)
        requests.append((url, headers))
    (signals / "ready").touch()
    for i, (url, headers) in enumerate(requests):
        while not (signals / f"go{i}").exists():
            time.sleep(0.05)
        for _ in range(n):
            client.get(url, **headers)
        (signals / f"done{i}").touch()


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:])
