from django.apps import AppConfig


class ShareImagesConfig(AppConfig):
    name = "share_images"
    verbose_name = "Share images"
