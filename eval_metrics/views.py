from calculators.kit.views import calculator_view

from . import forms

regression = calculator_view(forms.RegressionForm, "eval_metrics/regression.html")
log_loss = calculator_view(forms.LogLossForm, "eval_metrics/log_loss.html")
roc_auc = calculator_view(forms.RocAucForm, "eval_metrics/roc_auc.html")
threshold_cost = calculator_view(forms.ThresholdCostForm, "eval_metrics/threshold_cost.html")
silhouette = calculator_view(forms.SilhouetteForm, "eval_metrics/silhouette.html")
