from dataclasses import asdict

from .engine.grad_accum import AccumulationInput, plan
from .fields import DecimalNumberField, PlainChoiceField, WholeNumberField
from .forms_base import CalculatorForm
from .templatetags.numbers import human as human_count

MAX_GPUS = 1_048_576
MAX_DEGREE = 1024


class GradAccumForm(CalculatorForm):
    global_batch = WholeNumberField(
        label="Global batch",
        unit="sequences",
        min_value=1,
        max_value=16_777_216,
        initial=1024,
        help_text="Target sequences per optimizer step, all GPUs together.",
    )
    micro_batch = WholeNumberField(
        label="Micro-batch",
        unit="sequences per GPU",
        min_value=1,
        max_value=65_536,
        initial=4,
        help_text="Sequences one GPU runs in each forward/backward pass.",
    )
    gpus = WholeNumberField(
        label="GPUs",
        unit="in total",
        min_value=1,
        max_value=MAX_GPUS,
        initial=8,
        help_text="All GPUs in the job; model parallelism below divides them into replicas.",
    )
    seq_len = WholeNumberField(
        label="Sequence length",
        unit="tokens",
        min_value=1,
        max_value=10_485_760,
        initial=4096,
        help_text="Tokens per sequence (packed).",
    )
    rounding = PlainChoiceField(
        label="Rounding",
        choices=[
            ("nearest", "nearest (ties go up)"),
            ("up", "up (never below target)"),
            ("down", "down (never above target)"),
        ],
        initial="nearest",
        help_text="How to pick whole accumulation steps when the target is not a clean multiple.",
    )
    tp = WholeNumberField(
        label="Tensor parallel (TP)",
        unit="GPUs",
        min_value=1,
        max_value=MAX_DEGREE,
        initial=1,
        help_text="GPUs sharing each layer's matrices.",
    )
    pp = WholeNumberField(
        label="Pipeline parallel (PP)",
        unit="stages",
        min_value=1,
        max_value=MAX_DEGREE,
        initial=1,
        help_text="Pipeline stages per model replica.",
    )
    cp = WholeNumberField(
        label="Context parallel (CP)",
        unit="GPUs",
        min_value=1,
        max_value=MAX_DEGREE,
        initial=1,
        help_text="GPUs splitting each sequence.",
    )
    ref_lr = DecimalNumberField(
        label="Recipe learning rate",
        unit="optional",
        min_value=1e-12,
        max_value=10.0,
        required=False,
        help_text="A peak LR known to work, e.g. 3e-4.",
    )
    ref_batch = WholeNumberField(
        label="Recipe global batch",
        unit="sequences, optional",
        min_value=1,
        max_value=16_777_216,
        required=False,
        help_text="The global batch that LR was tuned at.",
    )

    def compute(self, cleaned):
        inp = AccumulationInput(**{f: cleaned[f] for f in AccumulationInput.__dataclass_fields__})
        return plan(inp, cleaned["ref_lr"], cleaned["ref_batch"])

    def clean(self):
        cleaned = self.cleaned_data
        if (cleaned.get("ref_lr") is None) != (cleaned.get("ref_batch") is None):
            missing = "ref_batch" if cleaned.get("ref_batch") is None else "ref_lr"
            if missing not in self.errors:
                self.add_error(
                    missing,
                    f"{self.fields[missing].label} is needed too: give the recipe's LR and the "
                    "batch it was tuned at together, or neither.",
                )
        return super().clean()

    def summary(self) -> str:
        """One sentence with this scenario's answer, for search results and link unfurls."""
        if not self.result:
            return (
                "Accumulation steps from global batch, micro-batch and GPUs, with the batch "
                "actually achieved and tokens per optimizer step."
            )
        i, a = self.result.inputs, self.result.accumulation
        return (
            f"{i.global_batch:,} sequences on {i.gpus:,} GPUs at {i.micro_batch:,} per GPU: "
            f"{a.accumulation_steps:,} accumulation steps, {a.effective_global_batch:,} sequences "
            f"and {human_count(a.tokens_per_step)} tokens ({a.tokens_per_step:,}) "
            "per optimizer step."
        )

    def result_json(self) -> dict:
        p = self.result
        return {
            **asdict(p.accumulation),
            "exact_micro_batches": [asdict(s) for s in p.exact_micro_batches],
            "recipes": [asdict(r) for r in p.recipes],
            "linear_lr": p.linear_lr,
            "sqrt_lr": p.sqrt_lr,
        }
