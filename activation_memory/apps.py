from django.apps import AppConfig


class ActivationMemoryConfig(AppConfig):
    name = "activation_memory"

    def ready(self):
        from calculators.kit import registry

        from . import share
        from .forms import ActivationMemoryForm

        registry.register(
            registry.Tool(
                slug="activation-memory",
                title="Activation Memory Calculator",
                blurb="Bytes each layer keeps for backward (Korthikanti et al., measured), "
                "weights and optimizer states, and the largest micro-batch that fits a GPU.",
                group="Memory and hardware",
                url_name="activation_memory:activation-memory",
                related=("gradient-accumulation", "lr-scaling", "gpus", "training-plan"),
                accepts=("seq_len", "micro_batch", "gpus", "tp", "pp"),
                form_class=ActivationMemoryForm,
                headline=share.headline,
            )
        )
