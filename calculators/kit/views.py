"""The one view every tool is served by: the same URL answers as a page, a fragment or JSON.

    calculator_view(FormClass, "app/page.html")

The tool is looked up in the registry by the URL that matched (so one view serves a family,
such as one page per GPU card) and its form is bound to the query string. Then:

- `format=json`: {"inputs", "result"} from the form, or 400 {"errors"};
- an htmx request (not a history restore): the page template's `result` block rendered alone,
  which never contains the inputs;
- otherwise the whole page.

Page and fragment get the same context: `result`, `errors` (the messages, when there is no
result), `tool` and the form's `extra_context()`; the page adds `form` (its inputs), `related`,
`permalink` and `summary`. The result block reads only the first four.
"""

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import get_template
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from . import registry

RESULT_BLOCK = "result"


def wants_fragment(request) -> bool:
    # A history restore needs the whole page back, not just the result.
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_calculator(request, tool, form, template_name: str):
    valid = form.is_valid()
    if request.GET.get("format") == "json":
        if valid:
            response = JsonResponse({"inputs": form.inputs(), "result": form.result_json()})
        else:
            response = JsonResponse({"errors": form.errors_by_param()}, status=400)
    else:
        # What the result block prints: the result, or every message that stops it (in field
        # order), and the form's declared extra_context. Not the form itself: the fragment is
        # rendered without it, so a result template that called back into the form would fail
        # every fragment test instead of quietly costing a second pass through the form.
        context = {
            "result": form.result if valid else None,
            "errors": [] if valid else [m for ms in form.errors.values() for m in ms],
            "tool": tool,
            **form.extra_context(),
        }
        template = get_template(template_name)
        if wants_fragment(request):
            html = template.render_block(RESULT_BLOCK, context, request)
        else:
            context["form"] = form  # the inputs, on the whole page only
            query = form.query_string() if valid else ""
            context["related"] = registry.related_links(tool.slug, form.shared_values())
            # Invalid input has no scenario to point at: the tool itself is canonical then.
            context["permalink"] = request.build_absolute_uri(
                f"{request.path}?{query}" if query else request.path
            )
            context["summary"] = form.summary()
            html = template.render(context, request)
        response = HttpResponse(html)
    # The answer depends only on the URL (and HX-Request, named in Vary), so caches may keep it.
    patch_cache_control(response, public=True, max_age=settings.CALCULATOR_MAX_AGE)
    return response


def calculator_view(form_class, template_name: str, *, unknown=None):
    """A GET (and HEAD) view binding `form_class` to the query string, rendering by the rule
    above. `unknown(request, **url_kwargs)` answers a URL the registry has no tool for (an
    unknown GPU card, say); without it that is a plain 404."""

    @require_safe
    @vary_on_headers("HX-Request")
    def view(request, **url_kwargs):
        tool = registry.at(request.resolver_match.view_name, url_kwargs)
        if tool is None:
            if unknown is None:
                raise Http404("No such tool.")
            return unknown(request, **url_kwargs)
        if tool.form_class is not form_class:
            raise LookupError(f"{tool.slug} is registered with {tool.form_class.__name__}")
        form = form_class(request.GET, **dict(tool.form_kwargs))
        return render_calculator(request, tool, form, template_name)

    return view
