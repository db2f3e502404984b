"""The planner engine's whole answer on a fixed set of scenarios, as text: what the compiled build
and the interpreted sources must agree on to the last digit (test_compiled.py runs this module in
a process of each kind).

    GRADACC_INTERPRETED=1 .venv/bin/python -m tests.training_plan.engine_answers
"""

import itertools
import json
import random

from calculators.kit.errors import InputError
from training_plan.engine import Pins, Run, catalog_shape, cluster, custom_shape, plan

SEED = 14


def scenarios():
    """Catalog and custom models on single nodes and large clusters, free and pinned, including
    ones the engine refuses: the same list in every process."""
    rng = random.Random(SEED)
    models = ["llama-3.2-1b", "llama-3.1-8b", "gemma-3-27b", "llama-3.3-70b", "qwen2.5-72b"]
    gpus = ["h100-sxm", "a100-80gb", "a100-40gb", "rtx-4090-24gb"]
    for model, gpu, count in itertools.product(models, gpus, (8, 64, 1024)):
        seq_len = rng.choice((2048, 4096, 8192, 32768))
        batch = rng.choice((count, 2 * count, 512, 1000, 1536))
        yield (model, None), (gpu, count, 8), Run(seq_len, batch, 10**12), Pins()
    pinned = [
        Pins(tp=8),
        Pins(pp=4, vpp=2),
        Pins(cp=2),
        Pins(micro_batch=2, recompute="full"),
        Pins(zero=3),
        Pins(tp=4, pp=2, zero=1),
        Pins(recompute="selective"),
        Pins(tp=3),  # refused: does not divide the GPUs
    ]
    for pins in pinned:
        yield ("llama-3.1-8b", None), ("h100-sxm", 64, 8), Run(8192, 512, 10**12), pins
    customs = [(48, 6144, 48, 8, 16384, 50000, True), (24, 2048, 16, 16, 8192, 32000, False)]
    for numbers in customs:
        yield (None, numbers), ("a100-80gb", 32, 8), Run(4096, 256, 10**11), Pins()


def answer(model, machine, run, pins) -> str:
    model_id, numbers = model
    try:
        shape = catalog_shape(model_id) if model_id else custom_shape(*numbers)
        result = plan(shape, cluster(*machine), run, pins)
        return repr((result, result.losses))
    except InputError as error:
        return f"refused {error.field}: {error}"


def answers() -> list[str]:
    return [answer(*scenario) for scenario in scenarios()]


if __name__ == "__main__":
    print(json.dumps(answers()))
