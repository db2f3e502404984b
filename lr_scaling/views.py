from calculators.kit.views import calculator_view

from .forms import LRScalingForm

lr_scaling = calculator_view(LRScalingForm, "lr_scaling/page.html")
