import hashlib

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_safe

from . import scenario


@require_safe
def share_image(request, page):
    """The PNG a pasted permalink unfurls with: `<tool path>og.png?<the page's query>`.

    HEAD is answered like GET (link-preview fetchers send it). Like every answer it depends
    only on the URL, so shared caches may keep it as long as the page; the ETag lets a
    fetcher that has it already get a 304."""
    tool = scenario.tool_for_image(request.path)
    if tool is None:
        raise Http404("No tool has this page.")
    png = scenario.png(tool, request.GET)
    etag = f'"{hashlib.blake2b(png, digest_size=12).hexdigest()}"'
    response = HttpResponse(png, content_type="image/png")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=settings.CALCULATOR_MAX_AGE)
    return get_conditional_response(request, etag=etag, response=response)
