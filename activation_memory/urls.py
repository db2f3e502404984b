from django.urls import path

from . import views

app_name = "activation_memory"
urlpatterns = [
    path("activation-memory/", views.activation_memory, name="activation-memory"),
]
