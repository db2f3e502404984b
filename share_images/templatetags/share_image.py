from django import template

from .. import scenario

register = template.Library()


@register.simple_tag(takes_context=True)
def share_image(context):
    """This page's og:image (url, width, height, alt), for the layout's head to write out."""
    return scenario.for_page(context["request"], context["tool"], context["form"])
