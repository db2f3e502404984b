import gzip

from django.http import HttpResponseNotAllowed
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers

READ_METHODS = ("GET", "HEAD")


class ReadOnlySiteMiddleware:
    """Every page is a pure function of its URL, so only GET and HEAD mean anything here.

    Answering 405 up front (before CSRF would answer 403) gives every other method the same
    honest reply, whatever URL it is sent to."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in READ_METHODS:
            return HttpResponseNotAllowed(READ_METHODS)
        return self.get_response(request)


class QuickGZipMiddleware(GZipMiddleware):
    """Django's gzip, at lower levels: compressing the flagship page at Django's level 6 cost
    more than rendering half of it. Live-update fragments (the bytes sent on every keystroke)
    get level 4, within 3% of level 6's size; everything else (pages, fetched once per visit,
    and JSON) gets level 1, about 12% larger for a third of the CPU.

    Django's BREACH padding is left out: no response carries a secret or a cookie."""

    fragment_level, other_level = 4, 1

    def process_response(self, request, response):
        if response.streaming or len(response.content) < 200 or "Content-Encoding" in response:
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Encoding",))
        if "gzip" not in request.META.get("HTTP_ACCEPT_ENCODING", ""):
            return response
        fragment = request.headers.get("HX-Request") == "true"
        level = self.fragment_level if fragment else self.other_level
        compressed = gzip.compress(response.content, compresslevel=level, mtime=0)
        if len(compressed) < len(response.content):
            response.content = compressed
            response["Content-Length"] = str(len(compressed))
            response["Content-Encoding"] = "gzip"
        return response
