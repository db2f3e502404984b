from calculators.kit.views import calculator_view

from .forms import ActivationMemoryForm

activation_memory = calculator_view(ActivationMemoryForm, "activation_memory/page.html")
