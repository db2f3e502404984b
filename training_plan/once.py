"""Parts of the planner's page that depend on nothing in the request: rendered by the first page
that prints them and kept for the life of the process. What they are given is constants (the
published runs of engine/calibration.py and the planner's predictions for them, themselves
worked out once per process), never a request value; while developing (DEBUG, templates
reload) they render each time.

Callgrind, the default /training-plan/ page: the calibration table rendered on every request
cost 1.07M CPU instructions (13 rows of nine formatted cells), kept it costs nothing.
"""

from django.conf import settings
from django.template.loader import get_template

from calculators.kit.html import Markup

from .engine import calibration

_RENDERED: dict[str, Markup] = {}


def calibration_section() -> Markup:
    """The published runs against the planner's predictions, and the furthest of them."""
    html = _RENDERED.get("calibration")
    if html is None:
        context = {"calibration": calibration.rows(), "worst": calibration.worst()}
        html = Markup(get_template("training_plan/_calibration.html").render(context))
        if not settings.DEBUG:
            _RENDERED["calibration"] = html
    return html
