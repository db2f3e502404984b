from calculators.kit.views import calculator_view

from . import forms

regression = calculator_view(
    forms.RegressionForm, "eval_metrics/regression.html", "metrics-regression"
)
log_loss = calculator_view(forms.LogLossForm, "eval_metrics/log_loss.html", "metrics-log-loss")
roc_auc = calculator_view(forms.RocAucForm, "eval_metrics/roc_auc.html", "metrics-roc-auc")
threshold_cost = calculator_view(
    forms.ThresholdCostForm, "eval_metrics/threshold_cost.html", "metrics-threshold-cost"
)
silhouette = calculator_view(
    forms.SilhouetteForm, "eval_metrics/silhouette.html", "metrics-silhouette"
)
