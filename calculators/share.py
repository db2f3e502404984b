"""The flagship's share-image headline: what a pasted permalink shows, read from its JSON."""

from share_images.headline import Figure, Headline

from .kit.numbers import exact, human, pct


def plural(count: int, word: str) -> str:
    return f"{word}{'' if count == 1 else 's'}"


def headline(inputs: dict, result: dict) -> Headline:
    steps = result["accumulation_steps"]
    batch = result["effective_global_batch"]
    tokens = result["tokens_per_step"]
    tokens_words = f"tokens per step ({exact(tokens)})" if tokens >= 10_000 else "tokens per step"
    figures = (
        Figure(exact(steps), plural(steps, "accumulation step")),
        Figure(
            exact(batch),
            f"{plural(batch, 'sequence')} per step, the batch achieved",
            spoken=f"{plural(batch, 'sequence')} per optimizer step (the batch achieved)",
        ),
        Figure(human(tokens), tokens_words),
    )
    if result["target_is_tokens"]:
        target = f"target {human(inputs['target_tokens'])} tokens"
    else:
        target = f"global batch {exact(inputs['global_batch'])}"
    parallel = any(inputs[k] > 1 for k in ("tp", "pp", "cp"))
    key_inputs = (
        target,
        f"micro-batch {exact(inputs['micro_batch'])}",
        # "64 GPUs = TP 4 × PP 2 × DP 8" says how the GPUs split; with no model parallelism
        # every GPU is a data-parallel replica and the count says it all.
        result["decomposition"] if parallel else f"{exact(inputs['gpus'])} GPUs",
        f"{exact(inputs['seq_len'])} tokens per sequence",
        f"rounding {inputs['rounding']}",
    )
    note = ""
    if not result["is_clean_multiple"]:
        if result["target_is_tokens"]:
            wanted, got = f"{human(inputs['target_tokens'])} tokens", f"{human(tokens)} tokens"
        else:
            wanted, got = f"{exact(inputs['global_batch'])} sequences", f"{exact(batch)}"
        note = (
            f"{wanted} is not a whole number of micro-steps of "
            f"{exact(result['samples_per_micro_step'])} sequences: rounding {inputs['rounding']} "
            f"gives {got}, {pct(result['deviation_pct'])}."
        )
    return Headline(figures=figures, inputs=key_inputs, note=note)
