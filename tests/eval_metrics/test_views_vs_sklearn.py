"""The new numbers as the pages and the JSON show them, POSTed like a real evaluation set,
against independent sources: scikit-learn (roc_auc_score, average_precision_score,
confusion_matrix, precision/recall/f1_score, calibration_curve's binning), DeLong's variance
written here from the paper's placement values, and the standard-error formulas in numpy.
The engines have their own tests; these check that what reaches the reader is the same."""

import re
from html import unescape
from statistics import NormalDist

import numpy as np
import pytest
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

HX = {"HTTP_HX_REQUEST": "true"}
Z = NormalDist().inv_cdf(0.975)


def shown(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{re.escape(testid)}"[^>]*>([^<]*)<', html)
    assert match, testid
    return unescape(match.group(1)).strip()


def number(text: str) -> float:
    """A figure as the page prints it (6 significant digits, thousands commas, true minus)."""
    return float(text.replace(",", "").replace("\u2212", "-").split()[0])


def lines(values) -> str:
    return "\n".join(repr(float(v)) if isinstance(v, float) else str(v) for v in values)


def labels_and_scores(seed: int, n: int):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    # Rounded to one decimal: many ties, as real scores from a coarse model have.
    scores = np.round(rng.normal(0, 1, n) + 0.9 * y, 1)
    return y, scores


def delong_from_placements(y, scores):
    """DeLong, DeLong & Clarke-Pearson 1988, from the definition: each positive's placement
    value is the fraction of negatives it outscores (ties half), each negative's the fraction
    of positives that outscore it; Var(AUC) = S10/m + S01/n with sample variances."""
    pos, neg = scores[y == 1], scores[y == 0]
    greater = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = greater.mean(axis=1), greater.mean(axis=0)
    auc = v10.mean()
    se = np.sqrt(v10.var(ddof=1) / len(pos) + v01.var(ddof=1) / len(neg))
    return auc, (max(0.0, auc - Z * se), min(1.0, auc + Z * se))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_roc_page_and_json_match_sklearn_and_delong(client, seed):
    y, scores = labels_and_scores(seed, 600)
    data = {"mode": "scores", "y_true": lines(y.tolist()), "y_score": lines(scores.tolist())}
    result = client.post("/metrics/roc-auc/?format=json", data).json()["result"]
    auc, ci = delong_from_placements(y, scores)
    assert result["auc"] == pytest.approx(roc_auc_score(y, scores), rel=1e-12)
    assert result["auc"] == pytest.approx(auc, rel=1e-12)
    assert result["auc_ci_95"] == pytest.approx(list(ci), rel=1e-9)
    assert result["average_precision"] == pytest.approx(
        average_precision_score(y, scores), rel=1e-12
    )
    for html in (
        client.post("/metrics/roc-auc/", data).content.decode(),
        client.post("/metrics/roc-auc/", data, **HX).content.decode(),
    ):
        assert number(shown(html, "auc-exact")) == pytest.approx(auc, rel=5e-6)
        low, high = shown(html, "auc_ci_95").split(" to ")
        assert number(low) == pytest.approx(ci[0], abs=5e-5)
        assert number(high) == pytest.approx(ci[1], abs=5e-5)
        ap = average_precision_score(y, scores)
        assert number(shown(html, "average_precision")) == pytest.approx(ap, rel=5e-6)
        assert 'data-testid="pr-curve"' in html and 'data-testid="roc-curve"' in html


def test_threshold_page_confusion_matrices_match_sklearn(client):
    rng = np.random.default_rng(7)
    n = 500
    y = rng.integers(0, 2, n)
    # Probabilities rounded to two decimals, so thresholds tie and land on scores.
    scores = np.round(1 / (1 + np.exp(-(rng.normal(0, 1.2, n) + 1.1 * (y - 0.5)))), 2)
    cost_fp, cost_fn = 1.0, 4.0
    data = {
        "cost_fp": "1",
        "cost_fn": "4",
        "y_true": lines(y.tolist()),
        "y_score": lines(scores.tolist()),
    }
    # The cost-optimal threshold by brute force: every distinct score, and "never positive".
    candidates = [np.inf, *sorted(set(scores.tolist()), reverse=True)]

    def cost(t):
        tn, fp, fn, tp = confusion_matrix(y, scores >= t, labels=[0, 1]).ravel()
        return fp * cost_fp + fn * cost_fn

    best = min(candidates, key=cost)  # min keeps the first, the highest threshold, on a tie
    chosen = cost_fp / (cost_fp + cost_fn)  # the Bayes threshold, the default choice
    html = client.post("/metrics/threshold-cost/", data).content.decode()
    result = client.post("/metrics/threshold-cost/?format=json", data).json()["result"]
    for which, threshold in (("chosen", chosen), ("optimal", best)):
        predicted = scores >= threshold
        tn, fp, fn, tp = confusion_matrix(y, predicted, labels=[0, 1]).ravel()
        for name, value in (("tp", tp), ("fp", fp), ("fn", fn), ("tn", tn)):
            assert number(shown(html, f"{which}-{name}")) == value, (which, name)
            assert result["scores"][which][name] == value
        expected = {
            "precision": precision_score(y, predicted, zero_division=0),
            "recall": recall_score(y, predicted),
            "f1": f1_score(y, predicted),
        }
        for name, value in expected.items():
            assert number(shown(html, f"{which}-{name}")) == pytest.approx(value, rel=5e-6)
            assert result["scores"][which][name] == pytest.approx(value, rel=1e-12)
        assert number(shown(html, f"{which}-total-cost")) == cost(threshold)
    assert result["scores"]["optimal"]["threshold"] == best


def test_log_loss_page_ece_matches_sklearns_binning(client):
    rng = np.random.default_rng(3)
    n = 2_000
    p = np.round(rng.uniform(0, 1, n), 3)  # rounded: some probabilities sit on bin edges
    y = (rng.uniform(0, 1, n) < p**1.3).astype(int)  # a little miscalibrated
    data = {"y_true": lines(y.tolist()), "y_prob": lines(p.tolist())}
    result = client.post("/metrics/log-loss/?format=json", data).json()["result"]
    # scikit-learn's calibration_curve(strategy="uniform", n_bins=10), as its source bins:
    # bins = linspace(0, 1, 11); binids = searchsorted(bins[1:-1], y_prob) (side="left").
    from sklearn.calibration import calibration_curve

    prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
    binids = np.searchsorted(np.linspace(0, 1, 11)[1:-1], p)
    counts = np.bincount(binids, minlength=10)
    counts = counts[counts > 0]
    ece = float(np.sum(counts / n * np.abs(prob_true - prob_pred)))
    assert result["ece"] == pytest.approx(ece, rel=1e-9)
    non_empty = [b for b in result["reliability"] if b["count"]]
    assert [b["observed"] for b in non_empty] == pytest.approx(prob_true.tolist(), rel=1e-12)
    assert [b["mean_predicted"] for b in non_empty] == pytest.approx(prob_pred.tolist(), rel=1e-9)
    html = client.post("/metrics/log-loss/", data).content.decode()
    assert number(shown(html, "ece")) == pytest.approx(ece, rel=5e-6)
    assert 'data-testid="reliability-diagram"' in html and 'data-testid="reliability"' in html
    assert "10 equal-width bins" in unescape(html)


def test_regression_page_intervals_match_the_stated_formulas(client):
    rng = np.random.default_rng(5)
    n = 3_000
    y_true = np.round(rng.normal(10, 4, n), 4)
    y_pred = np.round(y_true + rng.standard_t(4, n), 4)
    data = {"y_true": lines(y_true.tolist()), "y_pred": lines(y_pred.tolist())}
    result = client.post("/metrics/regression/?format=json", data).json()["result"]
    e = y_true - y_pred
    mae, mse = np.abs(e).mean(), (e**2).mean()
    rmse = np.sqrt(mse)
    mae_se = np.abs(e).std(ddof=1) / np.sqrt(n)  # the central limit theorem for a mean
    rmse_se = (e**2).std(ddof=1) / np.sqrt(n) / (2 * rmse)  # the delta method, d√x = dx/2√x
    assert result["mae_ci_95"] == pytest.approx([mae - Z * mae_se, mae + Z * mae_se], rel=1e-9)
    assert result["rmse_ci_95"] == pytest.approx([rmse - Z * rmse_se, rmse + Z * rmse_se], rel=1e-9)
    assert result["ci_method"].startswith("analytic")
    html = unescape(client.post("/metrics/regression/", data).content.decode())
    low, high = shown(html, "mae_ci_95").split(" to ")
    assert number(low) == pytest.approx(mae - Z * mae_se, rel=5e-6)
    assert number(high) == pytest.approx(mae + Z * mae_se, rel=5e-6)
    assert "analytic, not bootstrapped" in html and "delta method" in html


def test_openapi_shows_the_new_result_keys(client):
    spec = client.get("/api/openapi.json").json()

    def result_keys(path):
        operation = spec["paths"][path]["get"]
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        return schema["properties"]["result"]["properties"]

    roc = result_keys("/metrics/roc-auc/")
    assert {"auc_ci_95", "average_precision", "pr_curve", "auc_se"} <= set(roc)
    assert "ece" in result_keys("/metrics/log-loss/")
    assert "reliability" in result_keys("/metrics/log-loss/")
    regression = result_keys("/metrics/regression/")
    assert {"mae_ci_95", "rmse_ci_95", "ci_method"} <= set(regression)
    scores = result_keys("/metrics/threshold-cost/")["scores"]["properties"]
    assert {"precision", "recall", "f1", "tp", "fp", "fn", "tn"} <= set(
        scores["optimal"]["properties"]
    )
    post = spec["paths"]["/metrics/roc-auc/"]["post"]
    assert "Data too large for a URL" in post["description"]
    multipart = post["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    assert multipart["file"]["format"] == "binary"
