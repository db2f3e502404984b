"""The metric tools' live results print their inputs from the result (the values each result
echoes, engine.common.echo), not from the form: each fragment comes out byte for byte the same
with the form's inputs hidden from the result block's context (tests/result_only.py), by GET and
from an uploaded file; and the echoed inputs stay out of the JSON answer's result."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from eval_metrics import forms
from tests.result_only import fragment_pair

SCENARIOS = [
    (forms.RegressionForm, "/metrics/regression/", ""),
    (forms.RegressionForm, "/metrics/regression/", "y_true=0.1,0.1,0.1&y_pred=0.2,0.2,0.2"),
    (forms.RegressionForm, "/metrics/regression/", "csv=y_true,y_pred%0A1,2%0A3,4%0A5,7"),
    (forms.LogLossForm, "/metrics/log-loss/", ""),
    (forms.LogLossForm, "/metrics/log-loss/", "units=bits&y_true=1,0,1,0&y_prob=1e-20,1,0.4,0.6"),
    (forms.RocAucForm, "/metrics/roc-auc/", "mode=scores"),
    (forms.RocAucForm, "/metrics/roc-auc/", "csv=0.1,0.4%0A0.5,0.9"),
    (forms.ThresholdCostForm, "/metrics/threshold-cost/", "prevalence=0.1&fpr=0.1,0.3&tpr=0.5,0.8"),
    (
        forms.ThresholdCostForm,
        "/metrics/threshold-cost/",
        "y_true=0,0,1,1,0,1&y_score=0.1,0.4,0.35,0.8,0.2,0.9",  # at the Bayes threshold
    ),
    (
        forms.ThresholdCostForm,
        "/metrics/threshold-cost/",
        "y_true=0,0,1,1,0,1&y_score=0.1,0.4,0.35,0.8,0.2,0.9&decision_threshold=0.95",
    ),
    (forms.SilhouetteForm, "/metrics/silhouette/", ""),
    (forms.SilhouetteForm, "/metrics/silhouette/", "mode=clusters"),
]


@pytest.mark.parametrize(("form_class", "path", "query"), SCENARIOS)
def test_the_fragment_is_the_same_from_the_result_alone(monkeypatch, form_class, path, query):
    served, hidden = fragment_pair(monkeypatch, form_class, f"{path}?{query}")
    assert hidden == served


def upload():
    data = b"y_true,y_pred\n1,2\n3,5\n4,4\n"
    return {"file": SimpleUploadedFile("data.csv", data, content_type="text/csv")}


def test_a_posted_file_s_fragment_is_the_same_from_the_result_alone(monkeypatch):
    path = "/metrics/regression/"
    served, hidden = fragment_pair(monkeypatch, forms.RegressionForm, path, post=upload)
    assert hidden == served
    assert "data.csv" in served  # the upload's own note, which is not the result's


@pytest.mark.parametrize(
    ("path", "query", "echoed"),
    [
        ("/metrics/regression/", "", {"y_true", "y_pred"}),
        ("/metrics/log-loss/", "units=bits", {"y_true", "y_prob", "units"}),
        ("/metrics/threshold-cost/", "y_true=0,1,1&y_score=1,2,3", {"decision_threshold"}),
    ],
)
def test_the_echoed_inputs_stay_out_of_the_json_result(path, query, echoed):
    data = Client(SERVER_NAME="localhost").get(f"{path}?{query}&format=json").json()
    assert echoed <= set(data["inputs"])
    assert not echoed & set(data["result"])
