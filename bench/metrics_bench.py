"""Each metric engine, and the CSV reader, at its input limit: 100,000 values per list and 5,000
points for the silhouette.

CPU seconds (time.process_time, the best of BENCH_REPEATS runs) are printed beside wall seconds:
on a shared machine the wall clock also counts other processes' turns. A fixed pure-Python loop
measured in the same run gives the machine's speed, so figures from two machines compare as
ratios. `asdict` is the JSON step as the kit did it (dataclasses.asdict of the result), `plain`
the metric forms' own conversion (eval_metrics/json_values.py) that replaced it. The two
alternatives the engines rejected are timed too: the silhouette's pairwise distances in plain
Python, and a percentile bootstrap for the regression intervals.

Then each tool end to end, as a user reaches it: a POST of 100,000 values (5,000 points for
the silhouette) to its URL through Django's full middleware stack, in-process (the test
client), answered as JSON, as the htmx fragment and as the whole page, and an uploaded CSV
file of the same data. Parsing the form, the engine, the JSON or the template: all of it.

    .venv/bin/python bench/metrics_bench.py          # BENCH_REPEATS=3 by default
"""

import math
import os
import random
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import timing  # noqa: E402  (bench/timing.py: bench/ is on sys.path when run as a script)

from eval_metrics.engine.log_loss import log_loss_metrics  # noqa: E402
from eval_metrics.engine.regression import regression_metrics  # noqa: E402
from eval_metrics.engine.roc import curve_from_points, curve_from_scores  # noqa: E402
from eval_metrics.engine.silhouette import MAX_POINTS, clustering  # noqa: E402
from eval_metrics.engine.threshold_cost import threshold_cost  # noqa: E402
from eval_metrics.json_values import plain  # noqa: E402
from eval_metrics.uploads import MAX_ROWS, read_columns  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
N = MAX_ROWS  # 100,000: the lists' limit
BUDGET = 1.0  # seconds: "well within a second" at the limit


def timed(function, repeats=REPEATS):
    return timing.timed(function, repeats)


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
    speed = timing.machine_speed()
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
    print(
        f"{'engine':<17}{'input':>16}{'CPU s':>9}{'wall s':>9}{'asdict s':>10}{'plain s':>9}"
        "  within 1 s"
    )
    worst = 0.0
    for name, size, function in cases:
        json = name != "CSV upload"  # the reader's columns go to a form, not to JSON
        cpu, wall, result = timed(function)
        json_step = f"{timed(lambda r=result: asdict(r), 1)[0]:>10.3f}" if json else f"{'-':>10}"
        plain_step = f"{timed(lambda r=result: plain(r))[0]:>9.3f}" if json else f"{'-':>9}"
        worst = max(worst, cpu)
        verdict = "yes" if cpu < BUDGET else "NO"
        print(f"{name:<17}{size:>16}{cpu:>9.3f}{wall:>9.3f}{json_step}{plain_step}  {verdict}")
    print()
    python_s = timed(lambda: pure_python_distance_sums(d["x"], d["yy"], d["labels"]), 1)[0]
    engine = timed(lambda: clustering(d["x"], d["yy"], d["labels"]))[0]
    print(
        f"silhouette at {MAX_POINTS:,} points: plain-Python distances {python_s:.2f} s CPU, the "
        f"numpy engine {engine:.3f} s ({python_s / engine:.0f}x)"
    )
    errors = [t - p for t, p in zip(d["y_true"], d["y_pred"], strict=True)]
    one = bootstrap_resample_seconds(errors)
    print(
        f"regression intervals: one bootstrap resample of {N:,} errors takes {one:.3f} s CPU, "
        f"so 1,000 would take {1000 * one:.0f} s; the analytic intervals are part of the "
        "regression row above"
    )
    print(f"\nslowest engine: {worst:.3f} s CPU, {worst / speed:.2f}x the machine's 10M-step loop")
    slowest_view = views(d, speed)
    return 0 if max(worst, slowest_view) < BUDGET else 1


def lines(values) -> str:
    return "\n".join(map(repr, values))  # as pasted from a spreadsheet column


def views(d, speed) -> float:
    """Each tool through its view at its limit; returns the slowest CPU time."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gradacc_site.settings")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from urllib.parse import urlencode

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    client = Client()
    tools = [
        (
            "regression",
            "/metrics/regression/",
            {"y_true": d["y_true"], "y_pred": d["y_pred"]},
            {},
        ),
        ("log loss", "/metrics/log-loss/", {"y_true": d["y"], "y_prob": d["probabilities"]}, {}),
        (
            "ROC-AUC",
            "/metrics/roc-auc/",
            {"y_true": d["y"], "y_score": d["scores"]},
            {"mode": "scores"},
        ),
        (
            "threshold cost",
            "/metrics/threshold-cost/",
            {"y_true": d["y"], "y_score": d["probabilities"]},
            {},
        ),
        ("ROC-AUC points", "/metrics/roc-auc/", {"fpr": d["fpr"], "tpr": d["tpr"]}, {}),
        (
            "threshold points",
            "/metrics/threshold-cost/",
            {"fpr": d["fpr"], "tpr": d["tpr"]},
            {"prevalence": "0.1"},
        ),
        (
            "silhouette",
            "/metrics/silhouette/",
            {"x": d["x"], "y": d["yy"], "labels": d["labels"]},
            {"mode": "clusters"},
        ),
    ]
    print(
        f"\nthrough the view (POST, in-process), CPU s, best of {REPEATS}; "
        "body MB is the form-encoded POST"
    )
    print(
        f"{'tool':<16}{'values':>9}{'body MB':>9}{'JSON':>8}{'fragment':>10}{'page':>8}"
        f"{'upload':>8}  within 1 s"
    )
    slowest = 0.0
    for name, path, columns, extra in tools:
        # The bodies are encoded once, beforehand: the test client's own encoding is not the
        # server's work.
        fields = {key: lines(values) for key, values in columns.items()}
        body = urlencode({**extra, **fields}).encode()
        names = list(columns)
        rows = zip(*columns.values(), strict=True)
        csv_text = ",".join(names) + "\n" + "\n".join(",".join(map(repr, r)) for r in rows)
        file = SimpleUploadedFile("data.csv", csv_text.encode(), content_type="text/csv")
        multipart = encode_multipart(BOUNDARY, {**extra, "file": file})

        def post(query="", headers=None, path=path, body=body):
            kind = "application/x-www-form-urlencoded"
            response = client.generic("POST", path + query, body, kind, **(headers or {}))
            assert response.status_code == 200, (path, response.status_code)
            return response

        def upload(path=path, multipart=multipart):
            response = client.generic("POST", path + "?format=json", multipart, MULTIPART_CONTENT)
            assert response.status_code == 200, (path, response.content[:300])
            return response

        json_s = timed(lambda post=post: post("?format=json"))[0]
        fragment_s = timed(lambda post=post: post(headers={"HTTP_HX_REQUEST": "true"}))[0]
        page_s = timed(lambda post=post: post())[0]
        upload_s = timed(upload)[0]
        worst = max(json_s, fragment_s, page_s, upload_s)
        slowest = max(slowest, worst)
        count = len(next(iter(columns.values())))
        print(
            f"{name:<16}{count:>9,}{len(body) / 1e6:>9.1f}{json_s:>8.3f}{fragment_s:>10.3f}"
            f"{page_s:>8.3f}{upload_s:>8.3f}  {'yes' if worst < BUDGET else 'NO'}"
        )
    print(f"\nslowest answer: {slowest:.3f} s CPU, {slowest / speed:.2f}x the machine's loop")
    return slowest


if __name__ == "__main__":
    sys.exit(main())
