from dataclasses import asdict

from calculators.kit.fields import (
    DecimalNumberField,
    PlainChoiceField,
    WholeNumberField,
)
from calculators.kit.forms import CalculatorForm
from calculators.kit.numbers import scientific

from .chart import lr_chart
from .engine import ScalingInput, scale

MAX_BATCH = 10**12
RULE_NAMES = {"linear": "linear rule", "sqrt": "square-root rule"}


class LRScalingForm(CalculatorForm):
    base_lr = DecimalNumberField(
        label="Learning rate that works",
        unit="peak LR",
        min_value=1e-12,
        max_value=10.0,
        initial=3e-4,
        help_text="A peak learning rate known to work at the batch below, e.g. 3e-4.",
    )
    base_batch = WholeNumberField(
        label="Batch it worked at",
        unit="global batch",
        min_value=1,
        max_value=MAX_BATCH,
        initial=256,
        help_text="The global batch that LR was tuned at: sequences, samples or tokens, "
        "as long as the new batch uses the same unit.",
    )
    new_batch = WholeNumberField(
        label="New global batch",
        unit="same unit",
        min_value=1,
        max_value=MAX_BATCH,
        initial=1024,
        help_text="The global batch you will train at (all GPUs and accumulation steps).",
    )
    optimizer = PlainChoiceField(
        label="Optimizer",
        choices=[("adam", "Adam / AdamW"), ("sgd", "SGD with momentum")],
        initial="adam",
        help_text="Picks the rule: square root for the Adam family, linear for momentum SGD.",
    )
    seq_len = WholeNumberField(
        label="Sequence length",
        unit="tokens, optional",
        min_value=1,
        max_value=10_485_760,
        required=False,
        help_text="Tokens per sequence, to show warmup and batches in tokens. Enter 1 if your "
        "batches are already counted in tokens.",
    )
    beta1 = DecimalNumberField(
        label="Adam β1",
        unit="beta1",
        min_value=0.0,
        max_value=0.999999,
        initial=0.9,
        help_text="Your current β1 (PyTorch's default is 0.9).",
    )
    beta2 = DecimalNumberField(
        label="Adam β2",
        unit="beta2",
        min_value=0.0,
        max_value=0.999999,
        initial=0.999,
        help_text="Your current β2 (PyTorch's default is 0.999; many LLM recipes use 0.95).",
    )
    eps = DecimalNumberField(
        label="Adam ε",
        unit="epsilon",
        min_value=1e-30,
        max_value=1.0,
        initial=1e-8,
        help_text="Your current ε (PyTorch's default is 1e-8).",
    )
    base_warmup = WholeNumberField(
        label="Warmup at the old batch",
        unit="steps, optional",
        min_value=0,
        max_value=10**9,
        required=False,
        help_text="Optimizer steps of LR warmup in the recipe you start from, e.g. 2000.",
    )
    tokens = DecimalNumberField(
        label="Training tokens",
        unit="optional",
        min_value=1.0,
        max_value=1e16,
        required=False,
        help_text="Total tokens you plan to train on, e.g. 2e12: gives the step counts.",
    )
    critical_batch = DecimalNumberField(
        label="Critical batch",
        unit="same unit as batches, optional",
        min_value=1.0,
        max_value=1e15,
        required=False,
        help_text="Measured, or from a paper. Leave blank to estimate one from a loss instead.",
    )
    target_loss = DecimalNumberField(
        label="Loss you expect to reach",
        unit="nats per token, optional",
        min_value=0.1,
        max_value=20.0,
        required=False,
        help_text="Estimates the critical batch with Kaplan et al.'s fit (language models; a "
        "rough guide).",
    )
    flops = DecimalNumberField(
        label="Training compute",
        unit="FLOPs, optional",
        min_value=1e10,
        max_value=1e30,
        required=False,
        help_text="C for DeepSeek LLM's fitted optimum, e.g. 1e21. Or give the model below.",
    )
    layers = WholeNumberField(
        label="Layers",
        unit="optional",
        min_value=1,
        max_value=10_000,
        required=False,
        help_text="Transformer layers; with the width, sequence length and tokens gives C.",
    )
    hidden = WholeNumberField(
        label="Model width",
        unit="d_model, optional",
        min_value=1,
        max_value=1_048_576,
        required=False,
        help_text="Hidden size (d_model).",
    )

    def compute(self, cleaned):
        return scale(ScalingInput(**{f: cleaned[f] for f in ScalingInput.__dataclass_fields__}))

    sections = {
        "adam": ("beta1", "beta2", "eps"),
        "schedule": ("base_warmup", "tokens"),
        "critical": ("critical_batch", "target_loss"),
        "reference": ("flops", "layers", "hidden"),
    }

    def extra_context(self) -> dict:
        return {"chart": lr_chart(self.result) if self.result else None}

    def shared_values(self) -> dict:
        # Siblings speak in their own parameters: the flagship's global batch is our new batch.
        if not self.is_valid():
            return {}
        return {**self.inputs(), "global_batch": self.cleaned_data["new_batch"]}

    def summary(self) -> str:
        """One sentence with this scenario's answer, for search results and link unfurls."""
        if not self.result:
            return (
                "Scale a learning rate to a new global batch: linear rule for SGD, square-root "
                "rule for Adam, with warmup and critical-batch context."
            )
        r, i = self.result, self.result.inputs
        return (
            f"{scientific(i.base_lr)} at a batch of {i.base_batch:,} becomes "
            f"{scientific(r.recommended_lr)} at {i.new_batch:,} ({RULE_NAMES[r.recommended_rule]} "
            f"for {'Adam/AdamW' if i.optimizer == 'adam' else 'SGD with momentum'}; the "
            f"{RULE_NAMES[r.other_rule]} gives {scientific(r.other_lr)})."
        )

    def result_json(self) -> dict:
        r = self.result
        return {
            "batch_ratio": r.batch_ratio,
            "linear_lr": r.linear_lr,
            "sqrt_lr": r.sqrt_lr,
            "recommended_rule": r.recommended_rule,
            "recommended_lr": r.recommended_lr,
            "adam_sqrt_rule": asdict(r.adam),
            "warmup": asdict(r.warmup) if r.warmup else None,
            "critical_batch": asdict(r.critical) if r.critical else None,
            "schedule": asdict(r.schedule) if r.schedule else None,
            "compute_optimal": asdict(r.compute_optimal) if r.compute_optimal else None,
            "cautions": list(r.cautions),
        }
