from .forms import GradAccumForm
from .kit.views import calculator_view

gradient_accumulation = calculator_view(
    GradAccumForm,
    "calculators/gradient_accumulation.html",
    "gradient-accumulation",
    # The result is long and re-rendered on every keystroke: Jinja2 renders it fastest.
    result_template="calculators/ga/result.html",
)
