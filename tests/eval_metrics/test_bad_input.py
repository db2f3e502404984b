"""Bad input particular to the metric tools: lists of different lengths, data the metric cannot
be computed from, another mode's inputs, extreme values. Every field against every kind of bad
value is tests/site/test_bad_input.py."""

import json
import re

import pytest

MISMATCHES = [
    ("/metrics/regression/", {"y_true": "1 2 3", "y_pred": "1 2"}, "y_pred"),
    ("/metrics/log-loss/", {"y_true": "1 0 1", "y_prob": "0.5 0.5"}, "y_prob"),
    ("/metrics/roc-auc/", {"fpr": "0.1 0.2", "tpr": "0.5"}, "tpr"),
    ("/metrics/roc-auc/", {"mode": "scores", "y_true": "0 1", "y_score": "0.5"}, "y_score"),
    ("/metrics/threshold-cost/", {"prevalence": "0.2", "fpr": "0.1 0.2", "tpr": "0.5"}, "tpr"),
    (
        "/metrics/silhouette/",
        {"mode": "clusters", "x": "0 1 2 3", "y": "0 1 2", "labels": "0 1 1 0"},
        "y",
    ),
    (
        "/metrics/silhouette/",
        {"mode": "clusters", "x": "0 1 2 3", "y": "0 1 2 3", "labels": "0 1 1"},
        "labels",
    ),
]


@pytest.mark.parametrize(("url", "query", "param"), MISMATCHES)
def test_mismatched_lengths_name_both_counts(client, url, query, param):
    r = client.get(url, {**query, "format": "json"})
    assert r.status_code == 400
    (message,) = r.json()["errors"][param]
    assert param in message and re.search(r"has [\d,]+ values? but \w+ has [\d,]+ values?", message)
    html = client.get(url, query).content.decode()
    assert "Cannot calculate yet" in html


CALCULATION_ERRORS = [
    ("/metrics/roc-auc/", {"fpr": "0.1 0.3", "tpr": "0.8 0.6"}, "tpr", "falls"),
    (
        "/metrics/roc-auc/",
        {"mode": "scores", "y_true": "1 1", "y_score": "0.2 0.3"},
        "y_true",
        "both labels",
    ),
    ("/metrics/threshold-cost/", {"cost_fp": "0", "cost_fn": "0"}, "cost_fn", "both 0"),
    (
        "/metrics/threshold-cost/",
        {"fpr": "0.1", "tpr": "0.5"},
        "prevalence",
        "prevalence is needed",
    ),
    (
        "/metrics/silhouette/",
        {"mode": "clusters", "x": "0 1 2", "y": "0 1 2", "labels": "0 0 0"},
        "labels",
        "at least 2 clusters",
    ),
    (
        "/metrics/silhouette/",
        {"mode": "clusters", "x": "0 1 2", "y": "0 1 2", "labels": "0 1 2"},
        "labels",
        "fewer clusters than points",
    ),
]


@pytest.mark.parametrize(("url", "query", "param", "says"), CALCULATION_ERRORS)
def test_impossible_calculations_are_field_errors(client, url, query, param, says):
    r = client.get(url, {**query, "format": "json"})
    assert r.status_code == 400
    assert says in " ".join(r.json()["errors"][param])


def test_other_modes_garbage_is_ignored_not_judged(client):
    query = {"mode": "point", "x": "nan", "labels": "zzz", "csv": "junk", "format": "json"}
    r = client.get("/metrics/silhouette/", query)
    assert r.status_code == 200
    unused = {"x": None, "y": None, "labels": None}  # the other mode's inputs, not used
    assert r.json()["inputs"] == {"mode": "point", "a": 2, "b": 5, **unused}


EXTREMES = [
    ("/metrics/regression/", {"y_true": "5e-324,1e15,-1e15", "y_pred": "-1e15,5e-324,1e15"}),
    ("/metrics/regression/", {"y_true": "5e-324,5e-324", "y_pred": "0,1e-300"}),
    ("/metrics/log-loss/", {"y_true": "1,0,1", "y_prob": "0,1,5e-324"}),
    ("/metrics/roc-auc/", {"mode": "scores", "y_true": "0,1,1", "y_score": "5e-324,-5e-324,1e15"}),
    (
        "/metrics/threshold-cost/",
        {"cost_fp": "5e-324", "cost_fn": "3", "prevalence": "1", "fpr": "0", "tpr": "1"},
    ),
    (
        "/metrics/threshold-cost/",
        {
            "cost_fp": "1e12",
            "cost_fn": "5e-324",
            "prevalence": "1e-300",
            "fpr": "0.5",
            "tpr": "0.5",
        },
    ),
    ("/metrics/silhouette/", {"a": "5e-324", "b": "1e15"}),
    (
        "/metrics/silhouette/",
        {"mode": "clusters", "x": "5e-324,0,1e15", "y": "0,5e-324,-1e15", "labels": "0,0,1"},
    ),
]


def reject_constant(name):
    raise AssertionError(f"JSON must not contain {name}")


@pytest.mark.parametrize(("url", "query"), EXTREMES)
def test_extreme_values_give_pages_and_strict_json(client, url, query):
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        r = client.get(url, query, **headers)
        assert r.status_code == 200 and "Cannot calculate" not in r.content.decode()
    r = client.get(url, {**query, "format": "json"})
    assert r.status_code == 200
    json.loads(r.content, parse_constant=reject_constant)  # no NaN or Infinity
