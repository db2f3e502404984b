"""The training planner's share-image headline, read from its JSON answer."""

from calculators.kit.numbers import duration, exact, human
from share_images.headline import Figure, Headline


def headline(inputs: dict, result: dict) -> Headline:
    model = result["model"]["name"]
    cluster = f"{exact(inputs['gpus'])} × {result['gpu_name'].removeprefix('NVIDIA ')}"
    key_inputs = (
        model,
        cluster,
        f"{exact(inputs['seq_len'])} tokens × global batch {exact(inputs['global_batch'])}",
    )
    if not result["fits"]:
        return Headline(
            figures=(Figure("0", "layouts fit", spoken=f"layouts fit {cluster}: not one"),),
            inputs=key_inputs,
        )
    best = result["plans"][0]
    layout = f"{best['tp']}×{best['pp']}×{best['cp']}×{best['dp']}"
    return Headline(
        figures=(
            Figure(
                layout,
                "TP × PP × CP × DP",
                spoken=(
                    f"GPUs as TP × PP × CP × DP, micro-batch {best['micro_batch']}, "
                    f"ZeRO {best['zero_stage']}"
                ),
            ),
            Figure(f"{best['seconds_per_step']:,.2f} s", "per step"),
            Figure(f"{best['mfu']:.0%}", "MFU", spoken="model FLOPs utilization"),
        ),
        inputs=key_inputs,
        note=f"Run of {human(inputs['train_tokens'])} tokens: {duration(best['run_seconds'])}.",
    )
