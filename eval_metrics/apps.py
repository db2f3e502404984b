from django.apps import AppConfig

GROUP = "Evaluation metrics"
TOOLS = (
    # slug, title, blurb, url name
    (
        "metrics-regression",
        "Regression Metrics: MAE, MSE, RMSE, R²",
        "Errors of a regression against the mean-predictor baseline, MAPE, and a residual plot.",
        "eval_metrics:regression",
    ),
    (
        "metrics-log-loss",
        "Log Loss (Cross-Entropy) Calculator",
        "Mean log loss in nats or bits, the samples that cost most, the base-rate baseline and "
        "the Brier score.",
        "eval_metrics:log-loss",
    ),
    (
        "metrics-roc-auc",
        "ROC-AUC from Operating Points",
        "Area under the ROC curve and Gini from (FPR, TPR) points or from labels and scores.",
        "eval_metrics:roc-auc",
    ),
    (
        "metrics-threshold-cost",
        "Classification Threshold from Costs",
        "The Bayes-optimal threshold C_FP / (C_FP + C_FN) and the cheapest point on your ROC "
        "curve.",
        "eval_metrics:threshold-cost",
    ),
    (
        "metrics-silhouette",
        "Silhouette Score Calculator",
        "The silhouette (b − a) / max(a, b) of one point, or of every point of a 2-D clustering.",
        "eval_metrics:silhouette",
    ),
)


class EvalMetricsConfig(AppConfig):
    name = "eval_metrics"

    def ready(self):
        from calculators.kit import registry

        from . import forms, share

        form_classes = {
            "metrics-regression": forms.RegressionForm,
            "metrics-log-loss": forms.LogLossForm,
            "metrics-roc-auc": forms.RocAucForm,
            "metrics-threshold-cost": forms.ThresholdCostForm,
            "metrics-silhouette": forms.SilhouetteForm,
        }
        headlines = {
            "metrics-regression": share.regression,
            "metrics-log-loss": share.log_loss,
            "metrics-roc-auc": share.roc_auc,
            "metrics-threshold-cost": share.threshold_cost,
            "metrics-silhouette": share.silhouette,
        }
        slugs = tuple(slug for slug, *_ in TOOLS)
        registry.register(
            *(
                registry.Tool(
                    slug=slug,
                    title=title,
                    blurb=blurb,
                    group=GROUP,
                    url_name=url_name,
                    related=tuple(s for s in slugs if s != slug),
                    form_class=form_classes[slug],
                    headline=headlines[slug],
                    # Five siblings: the header links to their group on the home page instead.
                    in_nav=False,
                )
                for slug, title, blurb, url_name in TOOLS
            )
        )
