from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("calculators.urls")),
    path("", include("lr_scaling.urls")),
]
