"""The kit's view decides fragment or page from the htmx headers read straight from the WSGI
environ (calculators/kit/views.py, for speed). The reference is django-htmx's own reading,
request.htmx, which the view used before: both must agree on every combination."""

import itertools

from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from calculators.kit.views import wants_fragment

VALUES = [None, "true", "false", "", "%74rue", "TRUE"]


def test_wants_fragment_agrees_with_django_htmx():
    factory = RequestFactory()
    for request_value, restore, encoded in itertools.product(VALUES, VALUES, [None, "true"]):
        headers = {}
        if request_value is not None:
            headers["HX-Request"] = request_value
        if restore is not None:
            headers["HX-History-Restore-Request"] = restore
        if encoded is not None:
            headers["HX-Request-URI-AutoEncoded"] = encoded
            headers["HX-History-Restore-Request-URI-AutoEncoded"] = encoded
        request = factory.get("/", headers=headers)
        htmx = HtmxDetails(request)
        expected = bool(htmx) and not htmx.history_restore_request
        assert wants_fragment(request) == expected, headers
