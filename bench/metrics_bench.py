"""Each metric engine, and the CSV reader, at its input limit: 100,000 values per list and 5,000
points for the silhouette.

CPU seconds (time.process_time, the best of BENCH_REPEATS runs) are printed beside wall seconds:
on a shared machine the wall clock also counts other processes' turns. A fixed pure-Python loop
measured in the same run gives the machine's speed, so figures from two machines compare as
ratios. `asdict` is the JSON step as the kit does it today (dataclasses.asdict of the result).
The two alternatives the engines rejected are timed too: the silhouette's pairwise distances in
plain Python, and a percentile bootstrap for the regression intervals.

    .venv/bin/python bench/metrics_bench.py          # BENCH_REPEATS=3 by default
"""

import math
import os
import random
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval_metrics.engine.log_loss import log_loss_metrics  # noqa: E402
from eval_metrics.engine.regression import regression_metrics  # noqa: E402
from eval_metrics.engine.roc import curve_from_points, curve_from_scores  # noqa: E402
from eval_metrics.engine.silhouette import MAX_POINTS, clustering  # noqa: E402
from eval_metrics.engine.threshold_cost import threshold_cost  # noqa: E402
from eval_metrics.uploads import MAX_ROWS, read_columns  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
N = MAX_ROWS  # 100,000: the lists' limit
BUDGET = 1.0  # seconds: "well within a second" at the limit


def timed(function, repeats=REPEATS):
    """(best CPU seconds, best wall seconds, the last result)."""
    cpu, wall = [], []
    for _ in range(repeats):
        c, w = time.process_time(), time.perf_counter()
        result = function()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return min(cpu), min(wall), result


def machine_speed() -> float:
    def loop():
        total = 0
        for i in range(10_000_000):
            total += i
        return total

    return timed(loop)[0]


def inputs():
    rng = random.Random(0)
    y = tuple(rng.randint(0, 1) for _ in range(N))
    # Every score distinct (the most thresholds) and, separately, scores with heavy ties.
    scores = tuple(rng.gauss(0, 1) + 0.8 * label for label in y)
    tied = tuple(round(s, 1) for s in scores)
    probabilities = tuple(1 / (1 + math.exp(-s)) for s in scores)
    y_true = tuple(rng.gauss(0, 10) for _ in range(N))
    y_pred = tuple(t + rng.gauss(0, 3) for t in y_true)
    fpr = tuple(sorted(rng.random() for _ in range(N)))
    tpr = tuple(min(1.0, f**0.3) for f in fpr)
    k = 8
    labels = tuple(rng.randrange(k) for _ in range(MAX_POINTS))
    x = tuple(rng.gauss(3 * (label % 4), 1) for label in labels)
    yy = tuple(rng.gauss(3 * (label // 4), 1) for label in labels)
    rows = ["id,y_true,y_prob"] + [
        f"{i},{t},{p!r}" for i, (t, p) in enumerate(zip(y, probabilities, strict=True))
    ]
    csv_bytes = ("\n".join(rows) + "\n").encode()
    return locals()


def pure_python_distance_sums(x, y, labels):
    """The silhouette's former engine: every pair's distance in a Python loop."""
    n = len(x)
    sums = [dict.fromkeys(set(labels), 0.0) for _ in range(n)]
    for i in range(n):
        xi, yi, li, row = x[i], y[i], labels[i], sums[i]
        for j in range(i + 1, n):
            d = math.hypot(xi - x[j], yi - y[j])
            row[labels[j]] += d
            sums[j][li] += d
    return sums


def bootstrap_resample_seconds(errors, resamples=5):
    """CPU seconds for one percentile-bootstrap resample of MAE and MSE in plain Python."""
    rng = random.Random(0)
    n = len(errors)

    def one():
        for _ in range(resamples):
            sample = rng.choices(errors, k=n)
            math.fsum(map(abs, sample))
            math.fsum(e * e for e in sample)

    return timed(one, 1)[0] / resamples


def main() -> int:
    speed = machine_speed()
    print(f"machine: a 10,000,000-step Python loop takes {speed:.2f} s CPU here\n")
    d = inputs()
    cases = [
        ("regression", f"{N:,} pairs", lambda: regression_metrics(d["y_true"], d["y_pred"])),
        ("log loss + ECE", f"{N:,} samples", lambda: log_loss_metrics(d["y"], d["probabilities"])),
        ("ROC from scores", f"{N:,} distinct", lambda: curve_from_scores(d["y"], d["scores"])),
        ("ROC from scores", f"{N:,}, ties", lambda: curve_from_scores(d["y"], d["tied"])),
        ("ROC from points", f"{N:,} points", lambda: curve_from_points(d["fpr"], d["tpr"])),
        (
            "threshold cost",
            f"{N:,} scored",
            lambda: threshold_cost(1, 5, y_true=d["y"], y_score=d["probabilities"]),
        ),
        (
            "threshold cost",
            f"{N:,} ROC pts",
            lambda: threshold_cost(1, 5, 0.1, d["fpr"], d["tpr"]),
        ),
        ("silhouette", f"{MAX_POINTS:,} points", lambda: clustering(d["x"], d["yy"], d["labels"])),
        (
            "CSV upload",
            f"{len(d['csv_bytes']) / 1e6:.1f} MB",
            lambda: read_columns(d["csv_bytes"], [("y_true", "y_prob")]),
        ),
    ]
    print(f"{'engine':<17}{'input':>16}{'CPU s':>9}{'wall s':>9}{'asdict s':>10}  within 1 s")
    worst = 0.0
    for name, size, function in cases:
        json = name != "CSV upload"  # the reader's columns go to a form, not to JSON
        cpu, wall, result = timed(function)
        json_step = f"{timed(lambda r=result: asdict(r), 1)[0]:>10.3f}" if json else f"{'-':>10}"
        worst = max(worst, cpu)
        verdict = "yes" if cpu < BUDGET else "NO"
        print(f"{name:<17}{size:>16}{cpu:>9.3f}{wall:>9.3f}{json_step}  {verdict}")
    print()
    plain = timed(lambda: pure_python_distance_sums(d["x"], d["yy"], d["labels"]), 1)[0]
    engine = timed(lambda: clustering(d["x"], d["yy"], d["labels"]))[0]
    print(
        f"silhouette at {MAX_POINTS:,} points: plain-Python distances {plain:.2f} s CPU, the "
        f"numpy engine {engine:.3f} s ({plain / engine:.0f}x)"
    )
    errors = [t - p for t, p in zip(d["y_true"], d["y_pred"], strict=True)]
    one = bootstrap_resample_seconds(errors)
    print(
        f"regression intervals: one bootstrap resample of {N:,} errors takes {one:.3f} s CPU, "
        f"so 1,000 would take {1000 * one:.0f} s; the analytic intervals are part of the "
        "regression row above"
    )
    print(f"\nslowest: {worst:.3f} s CPU, {worst / speed:.2f}x the machine's 10M-step loop")
    return 0 if worst < BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
