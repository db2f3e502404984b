from django.apps import AppConfig


class TrainingPlanConfig(AppConfig):
    name = "training_plan"

    def ready(self):
        from calculators.kit import registry

        from . import share
        from .forms import TrainingPlanForm

        registry.register(
            registry.Tool(
                slug="training-plan",
                title="Training Planner",
                blurb="The fastest layout that fits: TP, PP, CP, DP, micro-batch, recomputation "
                "and ZeRO for a model on a cluster, with step time, MFU and run time.",
                group="Batch and training",
                url_name="training_plan:training-plan",
                related=("gradient-accumulation", "activation-memory", "lr-scaling"),
                accepts=("global_batch", "gpus", "seq_len", "train_tokens"),
                form_class=TrainingPlanForm,
                headline=share.headline,
            )
        )
