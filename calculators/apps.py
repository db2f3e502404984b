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
                # The planner's hand-off carries its whole layout, the run's length, the
                # model (for the time estimate) and the GPU with the plan's MFU.
                accepts=(
                    "global_batch",
                    "micro_batch",
                    "gpus",
                    "seq_len",
                    "tp",
                    "pp",
                    "cp",
                    "vpp",
                    "train_tokens",
                    "model",
                    "gpu",
                    "mfu",
                ),
                # Related links would bring other ids under these names: the activation page's
                # gpu is one of its own ids (h100-80gb, not h100-sxm); a GPU card page's model
                # is its worked example, which may be "custom". The MFU goes with its GPU.
                hand_off_only=("model", "gpu", "mfu"),
                form_class=GradAccumForm,
                headline=share.headline,
            )
        )
