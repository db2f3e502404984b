from django.http import JsonResponse
from django.shortcuts import render

from calculators.kit.views import calculator_view

from .cards import CARDS
from .forms import CardForm, FitForm, card_href


def unknown_card(request, card):
    """A 404 that names the cards we do know, so a mistyped link is one click from right."""
    if request.GET.get("format") == "json":
        known = ", ".join(c.slug for c in CARDS)
        message = f"Unknown card {card[:60]!r}: use one of {known}."
        return JsonResponse({"errors": {"card": [message]}}, status=404)
    context = {
        "request_path": request.path,
        "card_links": [(c, card_href(c.slug)) for c in CARDS],
    }
    return render(request, "gpu_fit/unknown_card.html", context, status=404)


index = calculator_view(FitForm, "gpu_fit/index.html")
# One view for the family: the registry knows which card each /gpus/<card>/ is.
card = calculator_view(CardForm, "gpu_fit/card.html", unknown=unknown_card)
