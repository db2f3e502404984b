from urllib.parse import urlencode

from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from calculators.htmx import render_calculator

from . import agreement, presets
from .forms import ActivationMemoryForm

TEMPLATE = "activation_memory/activation_memory.html"
# What the preset script copies into the fields (the no-JS path applies presets server-side).
PRESET_FIELDS = {p.id: p.fields() for p in presets.PRESETS}
PAPER_RUN_LINKS = [(name, "?" + urlencode(query)) for name, query in presets.paper_run_queries()]


@require_safe
@vary_on_headers("HX-Request")
def activation_memory(request):
    context = {
        "preset_fields": PRESET_FIELDS,
        "presets": presets.PRESETS,
        "paper_runs": PAPER_RUN_LINKS,
        "agreement": agreement.summary(),
    }
    form = ActivationMemoryForm(request.GET)
    return render_calculator(request, form, TEMPLATE, "activation-memory", context)
