"""The Jinja2 environment for a result that is re-rendered on every keystroke.

Jinja2 compiles a template to Python functions, so the flagship's long result (stats, notes,
compare table, worked example, diagrams, eight framework snippets) renders several times faster
than through the Django template language, whose per-variable overhead made up most of a live
recompute. The filters and helpers are the very functions the Django templates use, so both
engines print a number the same way."""

from django.template.defaultfilters import pluralize
from jinja2 import Environment, StrictUndefined

from ..result_blocks import (
    config_snippets,
    pipeline_diagram,
    pipeline_svg,
    recipe_rows,
    step_diagram,
    svg_markup,
)
from ..templatetags.fields import form_errors
from ..templatetags.tool_links import tool_link
from . import numbers

GLOBALS = (
    form_errors,
    config_snippets,
    recipe_rows,
    step_diagram,
    svg_markup,
    pipeline_diagram,
    pipeline_svg,
    tool_link,
)


def environment(**options):
    # A misspelt name fails the test that renders it, instead of printing nothing.
    env = Environment(**{**options, "undefined": StrictUndefined})
    # Every number filter the Django templates load, so a new one is there in both engines.
    env.filters.update({**numbers.FILTERS, "pluralize": pluralize})
    env.globals.update({f.__name__: f for f in GLOBALS})
    return env
