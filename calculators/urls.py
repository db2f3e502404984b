from django.urls import path

from . import views

app_name = "calculators"
urlpatterns = [
    path("gradient-accumulation/", views.gradient_accumulation, name="gradient-accumulation"),
]
