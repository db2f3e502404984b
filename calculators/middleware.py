from django.http import HttpResponseNotAllowed

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
