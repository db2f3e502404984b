from .forms import GradAccumForm
from .kit.views import calculator_view

gradient_accumulation = calculator_view(GradAccumForm, "calculators/page.html")
