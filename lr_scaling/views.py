from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from calculators import registry
from calculators.htmx import render_calculator

from .chart import lr_chart
from .forms import LRScalingForm

SLUG = "lr-scaling"
TEMPLATE = "lr_scaling/lr_scaling.html"


@require_safe
@vary_on_headers("HX-Request")
def lr_scaling(request):
    form = LRScalingForm(request.GET)
    context = {}
    if form.is_valid():
        # Siblings speak in their own parameters: the flagship's global batch is our new batch.
        shared = {**form.inputs(), "global_batch": form.cleaned_data["new_batch"]}
        context = {
            "chart": lr_chart(form.result),
            "related": registry.related_links(SLUG, shared),
            "flagship_link": registry.get("gradient-accumulation").link(shared),
        }
    return render_calculator(request, form, TEMPLATE, SLUG, context)
