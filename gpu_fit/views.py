from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from calculators.engine.model_catalog import MODELS
from calculators.htmx import render_calculator

from .cards import BY_SLUG, CARDS
from .forms import CardForm, FitForm


def tool_slug(card_slug: str) -> str:
    return f"gpus-{card_slug}"


@require_safe
@vary_on_headers("HX-Request")
def index(request):
    context = {"cards": CARDS, "models": MODELS}
    return render_calculator(request, FitForm(request.GET), "gpu_fit/index.html", "gpus", context)


@require_safe
@vary_on_headers("HX-Request")
def card(request, card):
    spec = BY_SLUG.get(card)
    if spec is None:
        return unknown_card(request, card)
    form = CardForm(request.GET, card=spec)
    context = {"card": spec, "cards": CARDS, "models": MODELS}
    return render_calculator(request, form, "gpu_fit/card.html", tool_slug(card), context)


def unknown_card(request, slug):
    """A 404 that names the cards we do know, so a mistyped link is one click from right."""
    if request.GET.get("format") == "json":
        known = ", ".join(c.slug for c in CARDS)
        message = f"Unknown card {slug[:60]!r}: use one of {known}."
        return JsonResponse({"errors": {"card": [message]}}, status=404)
    context = {"request_path": request.path, "cards": CARDS}
    return render(request, "gpu_fit/unknown_card.html", context, status=404)
