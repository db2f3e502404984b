"""The LR-scaling share-image headline, read from the tool's JSON answer."""

from calculators.kit.numbers import exact, sci, times
from share_images.headline import Figure, Headline, unbroken

from .forms import RULE_NAMES, LRScalingForm

OPTIMIZERS = dict(LRScalingForm.base_fields["optimizer"].choices)


def headline(inputs: dict, result: dict) -> Headline:
    rule = result["recommended_rule"]
    other = "linear" if rule == "sqrt" else "sqrt"
    base_batch, new_batch = exact(inputs["base_batch"]), exact(inputs["new_batch"])
    figures = (
        Figure(
            sci(result["recommended_lr"]),
            f"learning rate at batch {new_batch} ({RULE_NAMES[rule]})",
        ),
        Figure(sci(result[f"{other}_lr"]), f"by the {RULE_NAMES[other]}"),
        Figure(
            times(result["batch_ratio"]),
            "the batch: " + unbroken(f"{base_batch} → {new_batch}"),
            spoken=f"the batch ({base_batch} to {new_batch})",
        ),
    )
    key_inputs = (
        f"base LR {sci(inputs['base_lr'])}",
        f"base batch {base_batch}",
        f"new batch {new_batch}",
        OPTIMIZERS.get(inputs["optimizer"], inputs["optimizer"]),
    )
    return Headline(figures=figures, inputs=key_inputs)
