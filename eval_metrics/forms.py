"""The five metric forms: field names are the public query parameters, and the API description
(/api/openapi.json) is built from them."""

from types import SimpleNamespace

from calculators.kit.fields import DecimalNumberField, PlainChoiceField

from . import charts, tables
from .charts import figure
from .charts import short_number as fmt
from .engine.log_loss import log_loss_metrics
from .engine.regression import regression_metrics
from .engine.roc import curve_from_points, curve_from_scores
from .engine.silhouette import MAX_POINTS, ClusteringSilhouette, clustering, one_point
from .engine.threshold_cost import threshold_cost
from .form_base import (
    MetricForm,
    file_field,
    fraction_list,
    label_list,
    mode_field,
    number_list,
    table_field,
    value_list,
)

# Rows and other values the templates read are namespaces, not dicts: Jinja2 tries an attribute
# before a key, so each `row.loss` on a dict raised and caught an AttributeError (2 µs against
# 0.2 µs, timeit), some sixty times on the default log-loss result.
TABLE_ROWS = 100  # per-sample tables stop here; the JSON carries every sample
RATE_TEXT = "rates from 0 to 1"
PROBABILITY_TEXT = "probabilities from 0 to 1"


class RegressionForm(MetricForm):
    y_true = value_list(
        "True values (y_true)",
        "The targets, in order.",
        (3, -0.5, 2, 7),
        min_count=2,
    )
    y_pred = value_list(
        "Predicted values (y_pred)",
        "One prediction per target, same order.",
        (2.5, 0.0, 2, 8),
        min_count=2,
    )
    csv = table_field(("y_true", "y_pred"))
    file = file_field("y_true and y_pred")
    modes = {"": ("y_true", "y_pred")}
    table_targets = {"": ("y_true", "y_pred")}
    upload_targets = (("", ("y_true", "y_pred")),)

    def compute(self, cleaned):
        return regression_metrics(cleaned["y_true"], cleaned["y_pred"])

    def figures(self) -> dict:
        r = self.result
        y_true, y_pred = r.y_true, r.y_pred
        return {
            "terms": first_pairs(y_true, y_pred),
            "residual_plot": figure(
                charts.residual_plot(y_pred, r.residuals, r.worst), "residual-plot"
            ),
            # The largest absolute errors, largest first.
            "worst_rows": [
                {
                    "sample": i + 1,
                    "y_true": y_true[i],
                    "y_pred": y_pred[i],
                    "residual": r.residuals[i],
                }
                for i in r.worst
            ],
        }

    def summary(self) -> str:
        if not self.result:
            return (
                "MAE, MSE, RMSE, R² and MAPE from true and predicted values, checked against "
                "scikit-learn."
            )
        r = self.result
        r2 = fmt(r.r2) if r.r2_defined else "undefined (all targets equal)"
        return (
            f"{r.n:,} samples: MAE {fmt(r.mae)}, RMSE {fmt(r.rmse)}, R² {r2} "
            f"(the mean predictor scores R² 0, MSE {fmt(r.baseline_mse)})."
        )


class LogLossForm(MetricForm):
    y_true = label_list("True labels (y_true)", "0 or 1 for each sample.", (1, 0, 1, 1, 0, 0, 1, 0))
    y_prob = fraction_list(
        "Predicted P(class 1) (y_prob)",
        "The model's probability that each sample is a 1, same order.",
        (0.9, 0.1, 0.8, 0.35, 0.2, 0.6, 0.7, 0.05),
        PROBABILITY_TEXT,
    )
    units = PlainChoiceField(
        label="Show the loss in",
        choices=[("nats", "nats (natural log)"), ("bits", "bits (log base 2)")],
        initial="nats",
        help_text="scikit-learn and PyTorch report nats; JSON always carries both.",
    )
    csv = table_field(("y_true", "y_prob"))
    file = file_field("y_true and y_prob")
    modes = {"": ("y_true", "y_prob")}
    table_targets = {"": ("y_true", "y_prob")}
    upload_targets = (("", ("y_true", "y_prob")),)

    def compute(self, cleaned):
        return log_loss_metrics(cleaned["y_true"], cleaned["y_prob"], cleaned["units"])

    def figures(self) -> dict:
        r = self.result
        y_true, y_prob = r.y_true, r.y_prob
        worst = {w.index for w in r.worst}
        bits = r.units == "bits"
        return {
            # The mean loss and its baseline in the unit the reader chose.
            "shown": SimpleNamespace(
                loss=r.log_loss_bits if bits else r.log_loss,
                baseline=r.baseline_log_loss_bits if bits else r.baseline_log_loss,
                unit="bits" if bits else "nats",
            ),
            "terms": first_pairs(y_true, y_prob),
            "loss_bars": figure(
                charts.contribution_bars(r.per_sample, [w.index for w in r.worst]), "loss-bars"
            ),
            "reliability_diagram": figure(
                charts.reliability_diagram(r.reliability, r.ece), "reliability-diagram"
            ),
            "reliability_rows": tables.reliability_rows(r.reliability),
            # The per-sample table's first TABLE_ROWS rows, the worst ones flagged.
            "rows_shown": min(r.n, TABLE_ROWS),
            "sample_rows": tables.sample_rows(
                y_true, y_prob, r.per_sample, worst, min(r.n, TABLE_ROWS)
            ),
        }

    def summary(self) -> str:
        if not self.result:
            return (
                "Binary log loss in nats or bits, per-sample contributions, the base-rate "
                "baseline and the Brier score."
            )
        r = self.result
        return (
            f"{r.n:,} samples: log loss {fmt(r.log_loss)} nats ({fmt(r.log_loss_bits)} bits) "
            f"against {fmt(r.baseline_log_loss)} for always predicting the base rate "
            f"{fmt(r.base_rate)}; Brier score {fmt(r.brier)}."
        )


class RocAucForm(MetricForm):
    mode = mode_field(
        [("points", "operating points (fpr, tpr)"), ("scores", "labels and scores")], "points"
    )
    fpr = fraction_list(
        "False positive rates (fpr)",
        "One per operating point, any order.",
        (0.1, 0.2, 0.4, 0.7),
        RATE_TEXT,
        required=False,
    )
    tpr = fraction_list(
        "True positive rates (tpr)",
        "The matching true positive rates.",
        (0.5, 0.7, 0.85, 0.95),
        RATE_TEXT,
        required=False,
    )
    y_true = label_list(
        "True labels (y_true)", "0 or 1 for each sample.", (0, 0, 1, 1), required=False
    )
    y_score = value_list(
        "Scores (y_score)",
        "Any score where higher means more likely a 1 (probabilities, logits, margins).",
        (0.1, 0.4, 0.35, 0.8),
        required=False,
    )
    csv = table_field(("fpr, tpr", "or y_true, y_score"))
    file = file_field("y_true and y_score (or y_prob), or fpr and tpr")
    modes = {"points": ("fpr", "tpr"), "scores": ("y_true", "y_score")}
    table_targets = modes
    upload_targets = (("scores", ("y_true", "y_score")), ("points", ("fpr", "tpr")))
    # Labels and scores: the OpenAPI description then shows auc_ci_95, average_precision and
    # the PR curve, which are null for operating points.
    API_EXAMPLE = {"mode": "scores"}

    def compute(self, cleaned):
        if self.chosen_mode() == "scores":
            return curve_from_scores(cleaned["y_true"], cleaned["y_score"])
        return curve_from_points(cleaned["fpr"], cleaned["tpr"])

    def figures(self) -> dict:
        r = self.result
        pr_curve = None
        if r.pr_curve:
            pr_curve = figure(
                charts.pr_plot(r.pr_curve, r.pr_curve_points, r.prevalence, r.average_precision),
                "pr-curve",
            )
        shown = min(len(r.points), TABLE_ROWS)
        return {
            "rows": first_segments(r),
            "rows_shown": shown,
            "point_rows": tables.roc_point_rows(r, shown),
            "roc_curve": figure(charts.roc_plot(r.points), "roc-curve"),
            "pr_curve": pr_curve,
        }

    def summary(self) -> str:
        if not self.result:
            return (
                "ROC-AUC and Gini from operating points or from labels and scores, with the "
                "ROC curve."
            )
        r = self.result
        return f"ROC curve through {len(r.points):,} points: AUC {fmt(r.auc)}, Gini {fmt(r.gini)}."


class ThresholdCostForm(MetricForm):
    cost_fp = DecimalNumberField(
        label="Cost of a false positive (cost_fp)",
        unit="any unit",
        min_value=0,
        max_value=1e12,
        initial=1,
        help_text="What acting on a wrong alarm costs: money, minutes, harm.",
    )
    cost_fn = DecimalNumberField(
        label="Cost of a false negative (cost_fn)",
        unit="same unit",
        min_value=0,
        max_value=1e12,
        initial=5,
        help_text="What missing a real positive costs, in the same unit.",
    )
    prevalence = DecimalNumberField(
        label="Prevalence",
        unit="fraction, optional",
        min_value=0,
        max_value=1,
        required=False,
        help_text="How often the positive class occurs where the model will run, e.g. 0.1.",
    )
    fpr = fraction_list(
        "False positive rates (fpr)",
        "Optional: your model's ROC operating points.",
        None,
        RATE_TEXT,
        required=False,
        unit="optional",
    )
    tpr = fraction_list(
        "True positive rates (tpr)",
        "The matching true positive rates.",
        None,
        RATE_TEXT,
        required=False,
        unit="optional",
    )
    csv = table_field(("fpr", "tpr"))
    y_true = label_list(
        "True labels (y_true)",
        "Optional, instead of ROC points: 0 or 1 for each sample.",
        None,
        required=False,
        unit="optional",
    )
    y_score = value_list(
        "Scores (y_score)",
        "The model's score for each sample, same order; higher means more likely a 1.",
        None,
        required=False,
        unit="optional",
    )
    decision_threshold = DecimalNumberField(
        label="Decide at (decision_threshold)",
        unit="score, optional",
        min_value=-1e15,
        max_value=1e15,
        required=False,
        help_text="Predict 1 when the score is at least this. Blank: the Bayes threshold above, "
        "right for calibrated probabilities.",
    )
    file = file_field("y_true and y_score (or y_prob), or fpr and tpr")
    modes = {"": ("cost_fp", "cost_fn", "prevalence", "fpr", "tpr")}
    table_targets = {"": ("fpr", "tpr")}
    upload_targets = (("", ("y_true", "y_score")), ("", ("fpr", "tpr")))
    # Labels and scores, so the OpenAPI description shows the confusion matrices.
    API_EXAMPLE = {"y_true": "0,0,1,1,0,1", "y_score": "0.1,0.4,0.35,0.8,0.2,0.9"}

    sections = {
        **MetricForm.sections,
        "roc": ("prevalence", "fpr", "tpr", "csv"),
        "scores": ("y_true", "y_score", "decision_threshold"),
    }

    def compute(self, cleaned):
        return threshold_cost(
            cleaned["cost_fp"],
            cleaned["cost_fn"],
            cleaned["prevalence"],
            cleaned["fpr"],
            cleaned["tpr"],
            cleaned.get("y_true"),
            cleaned.get("y_score"),
            cleaned.get("decision_threshold"),
        )

    def figures(self) -> dict:
        r = self.result
        costs = r.curve if r.curve is not None else r.scores
        if costs is None:
            return {"cost_roc": None}
        chart = charts.roc_plot(
            costs.curve.points,
            best=costs.best,
            iso_slope=costs.iso_cost_slope,
            title="ROC curve and the cheapest operating point",
            extra_description=" The cheapest operating point is ringed, with the line of equal "
            "expected cost through it.",
        )
        return {"cost_roc": figure(chart, "cost-roc")}

    def summary(self) -> str:
        if not self.result:
            return (
                "The cost-minimizing classification threshold from the costs of false "
                "positives and false negatives."
            )
        r = self.result
        text = (
            f"A false positive costs {fmt(r.cost_fp)}, a false negative {fmt(r.cost_fn)}: predict "
            f"positive when the calibrated probability is at least {fmt(r.threshold)}."
        )
        if r.curve:
            b = r.curve.best
            text += f" Cheapest ROC point: FPR {fmt(b.fpr)}, TPR {fmt(b.tpr)}."
        if r.scores:
            o = r.scores.optimal
            at = "above every score" if o.threshold is None else f"score ≥ {fmt(o.threshold)}"
            text += f" Cheapest on these {r.scores.curve.positives + r.scores.curve.negatives:,} "
            text += f"samples: predict 1 at {at} (total cost {fmt(o.total_cost)})."
        return text


class SilhouetteForm(MetricForm):
    mode = mode_field(
        [("point", "one point (a, b)"), ("clusters", "points and cluster labels")], "point"
    )
    a = DecimalNumberField(
        label="a: mean distance to its own cluster",
        unit="any distance unit",
        min_value=0,
        max_value=1e15,
        initial=2,
        required=False,
        help_text="The point's average distance to the other members of its cluster.",
    )
    b = DecimalNumberField(
        label="b: mean distance to the nearest other cluster",
        unit="same unit",
        min_value=0,
        max_value=1e15,
        initial=5,
        required=False,
        help_text="The smallest, over the other clusters, of its mean distance to their members.",
    )
    x = value_list(
        "x coordinates (x)",
        "One per point.",
        (1, 1.5, 2, 1.2, 6, 6.5, 7, 6.2, 3.5),
        max_count=MAX_POINTS,
        min_count=3,
        required=False,
    )
    y = value_list(
        "y coordinates (y)",
        "The matching y coordinates.",
        (1, 2, 1.2, 1.8, 5, 6, 5.5, 6.2, 3.8),
        max_count=MAX_POINTS,
        min_count=3,
        required=False,
    )
    labels = number_list(
        "Cluster labels (labels)",
        "A whole number naming each point's cluster.",
        (0, 0, 0, 0, 1, 1, 1, 1, 0),
        # Any whole numbers: DBSCAN, for one, marks noise as cluster -1.
        min_value=-1_000_000,
        max_value=1_000_000,
        whole=True,
        max_count=MAX_POINTS,
        min_count=3,
        required=False,
    )
    csv = table_field(("x", "y", "label"), max_rows=MAX_POINTS)
    file = file_field("x, y and labels (or label)", max_rows=MAX_POINTS)
    modes = {"point": ("a", "b"), "clusters": ("x", "y", "labels")}
    table_targets = {"clusters": ("x", "y", "labels")}
    upload_targets = (("clusters", ("x", "y", "labels")),)

    def compute(self, cleaned):
        if self.chosen_mode() == "clusters":
            return clustering(cleaned["x"], cleaned["y"], cleaned["labels"])
        return one_point(cleaned["a"], cleaned["b"])

    def figures(self) -> dict:
        r = self.result
        if not isinstance(r, ClusteringSilhouette):  # one point's (a, b)
            return {"clustered": False}
        return {
            "clustered": True,
            "silhouette_bars": figure(
                charts.silhouette_bars(r.points, r.silhouette), "silhouette-bars"
            ),
            "cluster_scatter": figure(charts.cluster_scatter(r.points), "cluster-scatter"),
        }

    def summary(self) -> str:
        if not self.result:
            return (
                "The silhouette of one point from a and b, or of every point in a 2-D "
                "clustering, with its bar chart."
            )
        r = self.result
        if self.chosen_mode() == "clusters":
            return (
                f"{len(r.points):,} points in {len(r.clusters):,} clusters: mean silhouette "
                f"{fmt(r.silhouette)}, {r.negative:,} "
                f"point{'s' if r.negative != 1 else ''} below 0."
            )
        return (
            f"a = {fmt(r.a)}, b = {fmt(r.b)}: silhouette (b − a) / max(a, b) = {fmt(r.silhouette)}."
        )


def first_pairs(first, second, count=3):
    """(first[i], second[i]) for the first `count` samples: the terms a worked example shows."""
    return list(zip(first[:count], second[:count], strict=False))  # not every pair, then three


def first_segments(curve, count=4):
    """The curve's first `count` points, each with the next point and the trapezoid between
    them (None for the last point): what the worked example shows."""
    points = curve.points[: count + 1]
    return [
        SimpleNamespace(
            point=p,
            next=points[i + 1] if i + 1 < len(points) else None,
            area=curve.segment_areas[i] if i < len(curve.segment_areas) else None,
        )
        for i, p in enumerate(points[:count])
    ]
