"""Every metric parameter, every kind of bad value: never a 5xx, always a message naming the
field and what is allowed (400 in JSON, 200 with the message on the page)."""

import json
import re
from html import unescape

import pytest

from calculators.kit.list_fields import MAX_VALUES
from eval_metrics.engine.silhouette import MAX_POINTS

TOO_MANY = ",".join(["1"] * (MAX_VALUES + 1))
NUMBER_TEXT_BAD = [
    "nan",
    "inf",
    "-inf",
    "1e309",
    "9" * 400,
    "abc",
    "\u0661\u0662",
    "x" * 10_240,
    "0x10",
    "1_000",
]
LIST_BAD = [*NUMBER_TEXT_BAD, "1,2,three", "1,,nan", ",1,2", "1;2;", TOO_MANY, "1 " * 120_000]
REQUIRED_BLANK = ["", "   ", "\n\n"]
LABEL_BAD = ["2", "0.5", "-1", "1,0,3", "true"]
UNIT_INTERVAL_BAD = ["1.5", "-0.1", "0.2,1.0000001"]
NUMBER_BAD = [*NUMBER_TEXT_BAD, "", "   ", "-1"]
CHOICE_BAD = ["sideways", "", "POINTS", "x" * 10_240]
TABLE_BAD = [
    "1",
    "1,2,3\n4,5,6",
    "a,b\n",
    "nan,1",
    "1,2\n3",
    "1,2\n" * (MAX_VALUES + 1),
    "x" * 10_240,
]

# (url, parameter, what its messages say, extra query making the parameter count, bad values)
CASES = [
    ("/metrics/regression/", "y_true", "y_true", {}, LIST_BAD + REQUIRED_BLANK + ["5"]),
    ("/metrics/regression/", "y_pred", "y_pred", {}, LIST_BAD + REQUIRED_BLANK),
    ("/metrics/regression/", "csv", "Paste a table", {}, TABLE_BAD),
    ("/metrics/log-loss/", "y_true", "y_true", {}, LIST_BAD + REQUIRED_BLANK + LABEL_BAD),
    ("/metrics/log-loss/", "y_prob", "y_prob", {}, LIST_BAD + REQUIRED_BLANK + UNIT_INTERVAL_BAD),
    ("/metrics/log-loss/", "units", "Show the loss in", {}, CHOICE_BAD),
    ("/metrics/log-loss/", "csv", "Paste a table", {}, [*TABLE_BAD, "2,0.5", "1,1.5"]),
    ("/metrics/roc-auc/", "mode", "Mode", {}, CHOICE_BAD),
    ("/metrics/roc-auc/", "fpr", "fpr", {}, LIST_BAD + REQUIRED_BLANK + UNIT_INTERVAL_BAD),
    ("/metrics/roc-auc/", "tpr", "tpr", {}, LIST_BAD + REQUIRED_BLANK + UNIT_INTERVAL_BAD),
    (
        "/metrics/roc-auc/",
        "y_true",
        "y_true",
        {"mode": "scores"},
        LIST_BAD + REQUIRED_BLANK + LABEL_BAD,
    ),
    ("/metrics/roc-auc/", "y_score", "y_score", {"mode": "scores"}, LIST_BAD + REQUIRED_BLANK),
    ("/metrics/roc-auc/", "csv", "Paste a table", {}, [*TABLE_BAD, "0.1,1.2"]),
    ("/metrics/roc-auc/", "csv", "Paste a table", {"mode": "scores"}, [*TABLE_BAD, "3,0.5"]),
    ("/metrics/threshold-cost/", "cost_fp", "cost_fp", {}, NUMBER_BAD),
    ("/metrics/threshold-cost/", "cost_fn", "cost_fn", {}, NUMBER_BAD),
    ("/metrics/threshold-cost/", "prevalence", "Prevalence", {}, [*NUMBER_TEXT_BAD, "-1", "1.5"]),
    (
        "/metrics/threshold-cost/",
        "fpr",
        "fpr",
        {"prevalence": "0.1", "tpr": "0.5"},
        LIST_BAD + UNIT_INTERVAL_BAD,
    ),
    (
        "/metrics/threshold-cost/",
        "tpr",
        "tpr",
        {"prevalence": "0.1", "fpr": "0.5"},
        LIST_BAD + UNIT_INTERVAL_BAD,
    ),
    (
        "/metrics/threshold-cost/",
        "csv",
        "Paste a table",
        {"prevalence": "0.1"},
        [*TABLE_BAD, "0.1,2"],
    ),
    (
        "/metrics/threshold-cost/",
        "y_true",
        "y_true",
        {"y_score": "0.5"},
        LIST_BAD + LABEL_BAD,
    ),
    ("/metrics/threshold-cost/", "y_score", "y_score", {"y_true": "1"}, LIST_BAD),
    (
        "/metrics/threshold-cost/",
        "decision_threshold",
        "decision_threshold",
        {"y_true": "0,1", "y_score": "0.2,0.8"},
        [*NUMBER_TEXT_BAD, "2e15"],
    ),
    ("/metrics/silhouette/", "mode", "Mode", {}, CHOICE_BAD),
    ("/metrics/silhouette/", "a", "a: mean distance", {}, NUMBER_BAD),
    ("/metrics/silhouette/", "b", "b: mean distance", {}, NUMBER_BAD),
    (
        "/metrics/silhouette/",
        "x",
        "(x)",
        {"mode": "clusters"},
        LIST_BAD + REQUIRED_BLANK + [",".join(["1"] * (MAX_POINTS + 1))],
    ),
    ("/metrics/silhouette/", "y", "(y)", {"mode": "clusters"}, LIST_BAD + REQUIRED_BLANK),
    (
        "/metrics/silhouette/",
        "labels",
        "labels",
        {"mode": "clusters"},
        LIST_BAD + REQUIRED_BLANK + ["0.5", "9999999"],
    ),
    (
        "/metrics/silhouette/",
        "csv",
        "Paste a table",
        {"mode": "clusters"},
        [*TABLE_BAD[2:], "1,2", "1,2,0.5"],
    ),
]


def messages_for(client, url, query, param, fmt):
    query = {**query, "format": "json"} if fmt == "json" else query
    r = client.get(url, query)
    assert r.status_code < 500
    if fmt == "json":
        assert r.status_code == 400, (param, str(query)[:80])
        errors = r.json()["errors"]
        assert param in errors, (param, errors)
        return " ".join(errors[param])
    assert r.status_code == 200
    return unescape(r.content.decode())


@pytest.mark.parametrize("fmt", ["json", "html"])
@pytest.mark.parametrize(
    ("url", "param", "name", "extra", "values"), CASES, ids=lambda v: str(v)[:30]
)
def test_bad_values_are_named_errors(client, url, param, name, extra, values, fmt):
    for value in values:
        message = messages_for(client, url, {**extra, param: value}, param, fmt)
        assert name in message, (param, value[:20], message[:300])
        # The allowed values or the limit are stated.
        assert any(word in message for word in (" to ", "one of", "at most", "0 and 1")), message[
            :300
        ]


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


def test_last_repeated_value_wins_for_lists(client):
    r = client.get("/metrics/regression/?y_true=1,2&y_true=5,6,7&y_pred=5,6,8&format=json")
    assert r.status_code == 200 and r.json()["inputs"]["y_true"] == [5, 6, 7]


def test_same_parameter_500_times(client):
    query = "&".join(["y_prob=0.1,0.2"] * 499 + ["y_prob=0.3,0.9"])
    r = client.get(f"/metrics/log-loss/?y_true=0,1&{query}&format=json")
    assert r.status_code == 200 and r.json()["inputs"]["y_prob"] == [0.3, 0.9]


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
