"""The one view every tool is served by: the same URL answers as a page, a fragment or JSON.

    calculator_view(FormClass, "app/page.html")

The tool is looked up in the registry by the URL that matched (so one view serves a family,
such as one page per GPU card) and its form is bound to the query string. Then:

- `format=json`: {"inputs", "result"} from the form, or 400 {"errors"};
- an htmx request (not a history restore): the page template's `result` block rendered alone,
  which never contains the inputs;
- otherwise the whole page.

Page and fragment get the same context: `result`, `errors` (the messages, when there is no
result), `tool`, `posted` and the form's `extra_context()`; the page adds `form` (its inputs),
`related`, `permalink` and `summary`. The result block reads only the first five.

POST, for data too large for a URL: a form that declares `accepts_post = True` is also bound
to a POSTed body (form-encoded or multipart, the same field names, `format=json` in the query
string or the body; the body's values win over the query string's). The answer is the same
three ways, with `posted` true so the page can say that this result has no link, and it is
stored nowhere (`Cache-Control: no-store`). A body over DATA_UPLOAD_MAX_MEMORY_SIZE is answered
413 with a message naming the limit, in the format asked for.
"""

import json
from urllib.parse import unquote

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.template.loader import get_template
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from . import registry

RESULT_BLOCK = "result"


def json_response(payload: dict, status: int = 200) -> HttpResponse:
    """JSON written by orjson, in C: a metric tool's answer at 100,000 values is 14 MB of
    JSON, 0.48 s through json.dumps and 0.04 s through orjson (bench/metrics_bench.py). What
    orjson refuses (an integer over 64 bits) takes json.dumps, as JsonResponse would."""
    try:
        body = orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        body = json.dumps(payload, cls=DjangoJSONEncoder).encode()
    return HttpResponse(body, status=status, content_type="application/json")


def htmx_header(request, name: str) -> str | None:
    """An htmx request header as django-htmx reads it (request.htmx), from the WSGI environ:
    request.headers would first copy every header of the request into a new mapping, in Python,
    for the one or two that decide a fragment (callgrind: about 0.1 M CPU instructions of a
    recompute)."""
    key = "HTTP_" + name.upper().replace("-", "_")
    value = request.META.get(key) or None
    if value and request.META.get(key + "_URI_AUTOENCODED") == "true":
        value = unquote(value)
    return value


def wants_fragment(request) -> bool:
    # An htmx request, but not a history restore: that needs the whole page back. The same test
    # as bool(request.htmx) and not request.htmx.history_restore_request.
    return (
        htmx_header(request, "HX-Request") == "true"
        and htmx_header(request, "HX-History-Restore-Request") != "true"
    )


def wants_json(request, data) -> bool:
    return data.get("format") == "json" or request.GET.get("format") == "json"


def render_calculator(request, tool, form, template_name: str, data=None):
    data = request.GET if data is None else data
    posted = request.method == "POST"
    valid = form.is_valid()
    if wants_json(request, data):
        if valid:
            response = json_response({"inputs": form.inputs(), "result": form.result_json()})
        else:
            response = json_response({"errors": form.errors_by_param()}, status=400)
    else:
        # What the result block prints: the result, or every message that stops it (in field
        # order), and the form's declared extra_context. Not the form itself: the fragment is
        # rendered without it, so a result template that called back into the form would fail
        # every fragment test instead of quietly costing a second pass through the form.
        context = {
            "result": form.result if valid else None,
            "errors": [] if valid else [m for ms in form.errors.values() for m in ms],
            "tool": tool,
            "posted": posted,
            **form.extra_context(),
        }
        template = get_template(template_name)
        if wants_fragment(request):
            html = template.render_block(RESULT_BLOCK, context, request)
        else:
            context["form"] = form  # the inputs, on the whole page only
            query = form.query_string() if valid and not posted else ""
            context["related"] = registry.related_links(tool.slug, form.shared_values())
            # Invalid or POSTed input has no scenario to point at: the tool itself is canonical.
            context["permalink"] = request.build_absolute_uri(
                f"{request.path}?{query}" if query else request.path
            )
            context["summary"] = form.summary()
            html = template.render(context, request)
        response = HttpResponse(html)
    if posted:
        # A POSTed result is reproduced by nothing but its body: no cache keeps it.
        patch_cache_control(response, no_store=True)
    else:
        # The answer depends only on the URL (and HX-Request, named in Vary), so caches may
        # keep it.
        patch_cache_control(response, public=True, max_age=settings.CALCULATOR_MAX_AGE)
    return response


def refused(request, tool, form_class, template_name, why: str, status: int):
    """A body the server will not read, answered in the format asked for: the query string's
    form with the reason as its error (filed under `file` when the form has one), so a page,
    a fragment and JSON each say it their usual way."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    form = form_class(request.GET, **dict(tool.form_kwargs))
    field = "file" if "file" in form.fields else None
    form.add_error(
        field,
        f"{why} The limit for one request, the uploaded file and every field together, is "
        f"{limit:,} bytes ({limit / 2**20:g} MiB): upload only the columns the tool reads, "
        "or fewer rows.",
    )
    response = render_calculator(request, tool, form, template_name)
    response.status_code = status
    return response


def posted_data(request):
    """(The query string overlaid with the body's fields, the files), or (why the body is
    refused, the status). Django would raise RequestDataTooBig (a bare 400) on reading the
    fields of a body too large, and with only the in-memory upload handler a file larger than
    FILE_UPLOAD_MAX_MEMORY_SIZE would be dropped without a word: the declared length is
    checked first, so both get a 413 that states the limit."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        return f"The request is {length:,} bytes, over the limit.", 413
    try:
        body, files = request.POST, request.FILES
    except RequestDataTooBig:
        return "The request is over the size limit.", 413
    except TooManyFieldsSent:
        return "The request has too many fields.", 400
    data = request.GET.copy()
    for name, values in body.lists():
        data.setlist(name, values)
    return data, files


def calculator_view(form_class, template_name: str, *, unknown=None):
    """A GET (and HEAD) view binding `form_class` to the query string, rendering by the rule
    above; POST too when the form says `accepts_post`. `unknown(request, **url_kwargs)`
    answers a URL the registry has no tool for (an unknown GPU card, say); without it that
    is a plain 404."""

    accepts_post = form_class.accepts_post

    @vary_on_headers("HX-Request")
    def view(request, **url_kwargs):
        tool = registry.at(request.resolver_match.view_name, url_kwargs)
        if tool is None:
            if unknown is None:
                raise Http404("No such tool.")
            return unknown(request, **url_kwargs)
        if tool.form_class is not form_class:
            raise LookupError(f"{tool.slug} is registered with {tool.form_class.__name__}")
        if request.method == "POST":
            data, files = posted_data(request)
            if isinstance(data, str):
                return refused(request, tool, form_class, template_name, data, files)
            form = form_class(data, files=files, **dict(tool.form_kwargs))
            return render_calculator(request, tool, form, template_name, data)
        form = form_class(request.GET, **dict(tool.form_kwargs))
        return render_calculator(request, tool, form, template_name)

    if not accepts_post:
        return require_safe(view)
    # No CSRF token, on purpose: a POST here changes nothing and stores nothing (it is a GET
    # whose data is too large for a URL), there is no session or cookie a forged request could
    # ride on, and a token would need the very cookie the site never sets. A cross-site form
    # can only make the visitor's browser compute a result it then cannot read (the CSP's
    # form-action and the same-origin policy see to that).
    view = csrf_exempt(view)
    view.accepts_post = True  # ReadOnlySiteMiddleware lets POST through to this view only
    return require_http_methods(["GET", "HEAD", "POST"])(view)
