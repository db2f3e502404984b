from django.urls import path

from . import views

app_name = "eval_metrics"
urlpatterns = [
    path("metrics/regression/", views.regression, name="regression"),
    path("metrics/log-loss/", views.log_loss, name="log-loss"),
    path("metrics/roc-auc/", views.roc_auc, name="roc-auc"),
    path("metrics/threshold-cost/", views.threshold_cost, name="threshold-cost"),
    path("metrics/silhouette/", views.silhouette, name="silhouette"),
]
