from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("api/openapi.json", views.openapi, name="openapi"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
    path("", include("calculators.urls")),
    path("", include("gpu_fit.urls")),
    path("", include("activation_memory.urls")),
    path("", include("eval_metrics.urls")),
    path("", include("lr_scaling.urls")),
    path("", include("training_plan.urls")),
    path("", include("share_images.urls")),
]
