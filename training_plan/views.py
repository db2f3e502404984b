from calculators.kit.views import calculator_view

from .forms import TrainingPlanForm

training_plan = calculator_view(TrainingPlanForm, "training_plan/page.html")
