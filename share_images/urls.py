from django.urls import re_path

from . import views

app_name = "share_images"
urlpatterns = [
    # Every tool page's path plus og.png: /gradient-accumulation/og.png, /gpus/rtx-3090-24gb/og.png.
    # The view answers 404 for a path that is no tool's page.
    re_path(r"^(?P<page>(?:[a-z0-9-]+/)+)og\.png$", views.share_image, name="image"),
]
