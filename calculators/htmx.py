"""The one rule for every calculator: the same URL answers as a page, a fragment or JSON."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from . import registry

RESULT_ENGINE = "jinja2"  # the TEMPLATES entry that renders a tool's own result_template


def wants_fragment(request) -> bool:
    # A history restore needs the whole page back, not just the result.
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_calculator(
    request, form, template_name: str, tool_slug: str, context=None, result_template=None
):
    """`result_template`, when given, is a template of its own (Jinja2, see jinja_env.py) for
    the result: the fragment is that template, and the page gets it rendered as `result_html`.
    Without it the fragment is the page template's `result` partial."""
    valid = form.is_valid()
    if request.GET.get("format") == "json":
        if valid:
            response = JsonResponse({"inputs": form.inputs(), "result": form.result_json()})
        else:
            response = JsonResponse({"errors": form.errors_by_param()}, status=400)
    elif wants_fragment(request):
        context = {"form": form, "result": form.result if valid else None, **(context or {})}
        if result_template:
            response = render(request, result_template, context, using=RESULT_ENGINE)
        else:
            response = render(request, f"{template_name}#result", context)
    else:
        query = form.query_string() if valid else ""
        context = {
            "form": form,
            "result": form.result if valid else None,
            "tool": registry.get(tool_slug),
            "related": registry.related_links(tool_slug, form.inputs() if valid else {}),
            # Invalid input has no scenario to point at: the tool itself is canonical then.
            "permalink": request.build_absolute_uri(
                f"{request.path}?{query}" if query else request.path
            ),
            **(context or {}),
        }
        if result_template:
            # The template engine escaped every value it wrote; the whole is markup.
            html = render_to_string(result_template, context, request, using=RESULT_ENGINE)
            context["result_html"] = mark_safe(html)
        response = render(request, template_name, context)
    # The answer depends only on the URL (and HX-Request, named in Vary), so caches may keep it.
    patch_cache_control(response, public=True, max_age=settings.CALCULATOR_MAX_AGE)
    return response


def calculator_view(form_class, template_name: str, tool_slug: str, result_template=None):
    """A GET view binding `form_class` to the query string and rendering by the rule above.

    HEAD is answered too (require_safe), with GET's headers: the server drops the body. Uptime
    monitors, link checkers and link-preview fetchers send HEAD, and HTTP requires it wherever
    GET works."""

    @require_safe
    @vary_on_headers("HX-Request")
    def view(request):
        form = form_class(request.GET)
        return render_calculator(
            request, form, template_name, tool_slug, result_template=result_template
        )

    return view
