from django.apps import AppConfig

# What a sibling's link may set, in the form's order.
SHAPE = ("arch", "hidden", "layers", "heads", "kv_heads", "head_dim", "ffn_hidden", "vocab", "tied")
RUN = (
    "seq_len", "micro_batch", "attention", "recompute", "tp", "sp", "pp", "vpp",
    "accumulation_steps", "gpus", "zero", "precision", "optimizer",
)  # fmt: skip
GPU = ("gpu", "gpu_gib")


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
                # Everything the planner's and the GPU pages' hand-offs set: the model's
                # shape, the micro-batch, the layout, recomputation, ZeRO and the GPU.
                accepts=(*SHAPE, *RUN, *GPU, "reserve_pct"),
                # A model's shape means something only whole: the flagship's, the LR page's
                # and the GPU pages' optional custom-model fields (a few of them, say) mixed
                # with this page's defaults describe a model nobody trains, and heads that
                # kv_heads does not divide stop the page. And the flagship's gpu is one of its
                # own ids (h100-sxm, not h100-80gb). So only a hand-off carries these.
                hand_off_only=(*SHAPE, *GPU),
                form_class=ActivationMemoryForm,
                headline=share.headline,
            )
        )
