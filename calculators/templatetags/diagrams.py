from django import template
from django.utils.safestring import mark_safe

from ..diagram import pipeline_diagram as pipeline_layout
from ..diagram import pipeline_svg as pipeline_markup
from ..diagram import step_diagram as layout
from ..diagram import step_svg

register = template.Library()


@register.simple_tag
def step_diagram(plan):
    a = plan.accumulation
    return layout(a.data_parallel_size, a.accumulation_steps, plan.inputs.micro_batch)


@register.simple_tag
def svg_markup(diagram):
    # step_svg escapes every text and attribute it writes.
    return mark_safe(step_svg(diagram))


@register.simple_tag
def pipeline_diagram(plan):
    pipe = plan.pipeline
    return pipeline_layout(pipe.pp, pipe.vpp, pipe.microbatches)


@register.simple_tag
def pipeline_svg(diagram):
    # pipeline_svg escapes every text and attribute it writes.
    return mark_safe(pipeline_markup(diagram))
