from django.apps import AppConfig


class LRScalingConfig(AppConfig):
    name = "lr_scaling"
    verbose_name = "Learning-rate scaling"

    def ready(self):
        from calculators.kit import registry

        from . import share
        from .forms import LRScalingForm

        registry.register(
            registry.Tool(
                slug="lr-scaling",
                title="Learning-Rate Scaling Calculator",
                blurb="A learning rate for a new global batch: square-root rule for Adam, linear "
                "for SGD, with warmup, critical batch and compute-optimal context.",
                group="Batch and training",
                url_name="lr_scaling:lr-scaling",
                related=("gradient-accumulation", "activation-memory", "training-plan"),
                accepts=("base_lr", "base_batch", "new_batch", "seq_len"),
                form_class=LRScalingForm,
                headline=share.headline,
            )
        )
