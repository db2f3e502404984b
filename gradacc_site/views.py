from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from calculators.kit.html import escape


@require_safe
def home(request):
    return render(request, "home.html")


@require_safe
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def openapi(request):
    from calculators.kit.openapi import describe

    return JsonResponse(describe(request.build_absolute_uri("/")), json_dumps_params={"indent": 1})


@require_safe
def sitemap(request):
    from calculators.kit import registry

    urls = [request.build_absolute_uri("/")]
    urls += [request.build_absolute_uri(tool.path) for tool in registry.all_tools()]
    body = "".join(f"<url><loc>{escape(url)}</loc></url>" for url in urls)
    return HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>\n',
        content_type="application/xml",
    )


@require_safe
def robots(request):
    sitemap_url = request.build_absolute_uri("/sitemap.xml")
    # Permalinks stay crawlable: link-preview bots that honour robots.txt must see the answer.
    return HttpResponse(
        f"User-agent: *\nAllow: /\nSitemap: {sitemap_url}\n",
        content_type="text/plain",
    )
