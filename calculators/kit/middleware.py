from django.http import HttpResponseNotAllowed
from django.middleware.gzip import GZipMiddleware
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers
from isal import igzip

READ_METHODS = ("GET", "HEAD")
POST_METHODS = (*READ_METHODS, "POST")


class ReadOnlySiteMiddleware:
    """Every page is a pure function of its request, so only GET and HEAD mean anything here,
    and POST to a calculator whose form accepts it (data too large for a URL, kit/views.py).

    Answering 405 up front (before CSRF would answer 403) gives every other method the same
    honest reply, whatever URL it is sent to; a POST waits for the URL to be resolved, to ask
    the view that would answer it.

    The 405's Allow header names what that URL does accept (RFC 9110, 15.5.6): GET, HEAD and
    POST on a calculator that takes POST, GET and HEAD elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in POST_METHODS:
            try:
                view_func = resolve(request.path_info).func
            except Resolver404:
                view_func = None
            return HttpResponseNotAllowed(allowed_methods(view_func))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method == "POST" and not getattr(view_func, "accepts_post", False):
            return HttpResponseNotAllowed(READ_METHODS)
        return None


def allowed_methods(view_func) -> tuple[str, ...]:
    return POST_METHODS if getattr(view_func, "accepts_post", False) else READ_METHODS


class QuickGZipMiddleware(GZipMiddleware):
    """Django's gzip, done by ISA-L's igzip instead of zlib: on the flagship page zlib's level 1
    cost more than rendering a third of it, while igzip's level 2 is about four times faster and
    a little smaller (13.3 KB against zlib's 13.8 KB for the page, 5.8 KB for a fragment).
    The output is ordinary gzip that every browser and proxy reads.

    Django's BREACH padding is left out: no response carries a secret or a cookie."""

    level = 2

    def process_response(self, request, response):
        if response.streaming or len(response.content) < 200 or "Content-Encoding" in response:
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Encoding",))
        if "gzip" not in request.META.get("HTTP_ACCEPT_ENCODING", ""):
            return response
        compressed = igzip.compress(response.content, compresslevel=self.level, mtime=0)
        if len(compressed) < len(response.content):
            response.content = compressed
            response["Content-Length"] = str(len(compressed))
            response["Content-Encoding"] = "gzip"
        return response
