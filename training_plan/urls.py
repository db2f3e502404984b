from django.urls import path

from . import views

app_name = "training_plan"
urlpatterns = [
    path("training-plan/", views.training_plan, name="training-plan"),
]
