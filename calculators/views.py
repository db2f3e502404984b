from .forms import GradAccumForm
from .htmx import calculator_view

gradient_accumulation = calculator_view(
    GradAccumForm, "calculators/gradient_accumulation.html", "gradient-accumulation"
)
