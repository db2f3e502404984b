"""The training planner's search at cluster scale: how long one answer takes, engine only and
through the whole JSON view, for 64 to 16,384 GPUs.

Every run starts cold (a new search, no cached layer times or memory coefficients), as every
request does: nothing is kept between requests. The engine's figure includes working out every
plan it lists (`Result.plans`, as the JSON answer does; the page works out only the four it
shows). CPU seconds (time.process_time, the best of BENCH_REPEATS runs) are printed beside wall
seconds: on a shared machine the wall clock also counts other processes' turns. A fixed
pure-Python loop measured in the same run gives the machine's speed, so figures from two machines
compare as ratios. The target (issue 17): a 1,024-GPU cluster well under 100 ms; the page's
default scenario (the first row) is what bench/tools_bench.py measures for issue 14.

    .venv/bin/python bench/planner_bench.py          # BENCH_REPEATS=5 by default
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gradacc_site.settings")

import django  # noqa: E402
import timing  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from training_plan.engine import Run, calibration, catalog_shape, cluster, plan  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
TARGET = 0.100  # seconds, for 1,024 GPUs

SCENARIOS = [
    # (label, model, GPU, GPUs, sequence length, global batch)
    ("Llama 3.1 8B, 64 × H100", "llama-3.1-8b", "h100-sxm", 64, 8192, 512),
    ("Llama 3.3 70B, 1,024 × H100", "llama-3.3-70b", "h100-sxm", 1024, 8192, 1024),
    ("Qwen2.5 72B, 1,024 × A100 80GB", "qwen2.5-72b", "a100-80gb", 1024, 4096, 2048),
    ("Llama 3.3 70B, 16,384 × H100", "llama-3.3-70b", "h100-sxm", 16384, 8192, 2048),
]


def answer(shape, c, run):
    result = plan(shape, c, run)
    assert result.plans  # every plan worked out, as the JSON answer does
    return result


def timed(function, repeats=REPEATS):
    return timing.timed(function, repeats)


def main():
    speed = timing.machine_speed()
    print(f"machine: 10M-iteration Python loop in {speed:.3f} s CPU")
    print(f"{'scenario':34} {'layouts':>8} {'engine CPU':>11} {'wall':>9} {'JSON view':>10}")
    client = Client(HTTP_HOST="localhost")
    calibration.rows()  # computed once per process, not per request
    verdicts = []
    for label, model, gpu, gpus, seq_len, batch in SCENARIOS:
        shape, c = catalog_shape(model), cluster(gpu, gpus, 8)
        run = Run(seq_len, batch, 10**12)
        cpu, wall, result = timed(lambda: answer(shape, c, run))  # noqa: B023
        query = {"model": model, "gpu": gpu, "gpus": gpus, "seq_len": seq_len}
        query |= {"global_batch": batch, "format": "json"}
        view_cpu, _, response = timed(lambda: client.get("/training-plan/", query))  # noqa: B023
        assert response.status_code == 200, response.content[:200]
        print(
            f"{label:34} {result.layouts_searched:8,} {cpu * 1000:9.1f} ms "
            f"{wall * 1000:6.1f} ms {view_cpu * 1000:7.1f} ms"
        )
        if gpus == 1024:
            verdicts.append((label, cpu))
    for label, cpu in verdicts:
        ok = "within" if cpu < TARGET else "OVER"
        print(f"{label}: {cpu * 1000:.1f} ms CPU, {ok} the {TARGET * 1000:.0f} ms target")


if __name__ == "__main__":
    main()
