from django.apps import AppConfig


class ShareImagesConfig(AppConfig):
    name = "share_images"
    verbose_name = "Share images"

    def ready(self):
        from calculators.kit import jinja

        from . import scenario

        # jinja2/tool.html writes a page's og:image tags from share_image(request, tool, form).
        # The kit imports no app: this one adds its global, as tools add their filters, before
        # the first template is rendered.
        jinja.register_globals(share_image=scenario.for_page)
