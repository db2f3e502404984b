from django import template

from ..diagram import pipeline_diagram as pipeline_layout
from ..diagram import step_diagram as layout

register = template.Library()


@register.simple_tag
def step_diagram(plan):
    a = plan.accumulation
    return layout(a.data_parallel_size, a.accumulation_steps, plan.inputs.micro_batch)


@register.simple_tag
def pipeline_diagram(plan):
    pipe = plan.pipeline
    return pipeline_layout(pipe.pp, pipe.vpp, pipe.microbatches)
