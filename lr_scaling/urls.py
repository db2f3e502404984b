from django.urls import path

from . import views

app_name = "lr_scaling"
urlpatterns = [
    path("lr-scaling/", views.lr_scaling, name="lr-scaling"),
]
