from django.apps import AppConfig


class CalculatorsConfig(AppConfig):
    name = "calculators"

    def ready(self):
        from . import share
        from .forms import GradAccumForm
        from .kit import registry

        registry.register(
            registry.Tool(
                slug="gradient-accumulation",
                title="Gradient Accumulation Calculator",
                blurb="Accumulation steps, the batch you actually get, and tokens per step "
                "against published recipes.",
                group="Batch and training",
                url_name="calculators:gradient-accumulation",
                related=("lr-scaling", "activation-memory", "gpus", "training-plan"),
                accepts=("global_batch", "micro_batch", "gpus", "seq_len"),
                form_class=GradAccumForm,
                headline=share.headline,
            )
        )
