"""The activation-memory share-image headline, read from the tool's JSON answer."""

from calculators.catalog import gpus
from calculators.kit.numbers import exact, gb, gib
from share_images.headline import Figure, Headline, unbroken

from . import presets


def gpu_model(inputs: dict) -> str:
    if inputs["gpu"] == "custom":
        return f"{inputs['gpu_gib']:g} GiB GPU"
    return gpus.get(inputs["gpu"]).name.removeprefix("NVIDIA ")


def headline(inputs: dict, result: dict) -> Headline:
    model = gpu_model(inputs)
    gpu = f"a {model}" if inputs["gpu"] == "custom" else f"the {model}"
    largest = result["largest_micro_batch"]
    activations = result["total_bytes"]
    figures = (
        Figure(
            gib(activations),
            "of activations per GPU",
            spoken=f"of activations per GPU ({gb(activations)})",
        ),
        Figure(
            gib(result["need_bytes"]),
            f"in all per GPU, of {unbroken(gib(result['usable_bytes']))} usable",
            spoken=(
                f"per GPU in all with weights, gradients and optimizer states, of "
                f"{gib(result['usable_bytes'])} usable on {gpu}"
            ),
        ),
        Figure(
            exact(largest),
            "largest micro-batch that fits",
            spoken=f"is the largest micro-batch that fits {gpu}",
        )
        if largest
        else Figure("0", "micro-batches fit", spoken=f"micro-batches fit {gpu}: not one"),
    )
    preset = presets.BY_ID.get(inputs["preset"])
    parallel = [f"{k.upper()} {inputs[k]}" for k in ("tp", "pp") if inputs[k] > 1]
    key_inputs = (
        preset.name if preset else "custom model",
        f"{exact(inputs['seq_len'])} tokens × micro-batch {exact(inputs['micro_batch'])}",
        f"{inputs['attention']} attention",
        f"recompute {inputs['recompute']}",
        *parallel,
        *(["sequence parallel"] if inputs["sp"] else []),
        f"{exact(inputs['gpus'])} × {model}, ZeRO {inputs['zero']}",
    )
    return Headline(figures=figures, inputs=key_inputs)
