from django.urls import path

from . import views

app_name = "gpu_fit"
urlpatterns = [
    path("gpus/", views.index, name="index"),
    path("gpus/<str:card>/", views.card, name="card"),
]
