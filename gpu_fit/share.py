"""The GPU pages' share-image headline: how many models fit, and the largest one that does.

Read from the tool's JSON answer: one card's `models` on a card page, every card's on /gpus/."""

from calculators.kit.numbers import exact, fixed, gib, tokens
from share_images.headline import Figure, Headline, unbroken

from .cards import BY_SLUG
from .engine import KV_BY_ID, QUANT_BY_ID


def largest_fitting(models) -> dict | None:
    """The model with the most parameters that fits (the first listed, on a tie)."""
    fitting = [m for m in models if m["fits"]]
    return max(fitting, key=lambda m: m["params"]) if fitting else None


def short_name(card: dict) -> str:
    known = BY_SLUG.get(card["slug"])
    return known.short_name if known else card["name"]


def key_inputs(inputs: dict) -> tuple[str, ...]:
    return (
        f"{QUANT_BY_ID[inputs['quant']].label} weights",
        f"{tokens(inputs['context'])} tokens of context",
        f"{KV_BY_ID[inputs['kv_cache']].label} KV cache",
        f"{exact(inputs['batch'])} sequence{'s' if inputs['batch'] != 1 else ''} at once",
    )


def best_figure(best: dict | None, where: str) -> Figure:
    if best is None:
        return Figure("none", f"of them fits{where}", spoken=f"of the models fits{where}")
    speed = (
        f"{fixed(best['decode_tokens_per_s_low'], 0)}–{fixed(best['decode_tokens_per_s_high'], 0)}"
        " tokens/s"
    )
    return Figure(
        best["name"],
        f"the largest that fits{where}: {unbroken(gib(best['total_bytes']))}, {unbroken(speed)}",
        spoken=(
            f"is the largest that fits{where}, in {gib(best['total_bytes'])}, decoding {speed}"
        ),
    )


def card_headline(inputs: dict, result: dict) -> Headline:
    models, name = result["models"], short_name(result["card"])
    fitting = sum(m["fits"] for m in models)
    figures = (
        Figure(
            f"{fitting} of {len(models)}", "open models fit", spoken=f"open models fit the {name}"
        ),
        best_figure(largest_fitting(models), ""),
    )
    return Headline(figures=figures, inputs=key_inputs(inputs))


def largest_anywhere(cards: list[dict]) -> tuple[dict, dict] | None:
    """(The largest model any one card runs, the first (smallest) card that runs it)."""
    found = None
    for card in cards:
        candidate = largest_fitting(card["models"])
        if candidate and (found is None or candidate["params"] > found[0]["params"]):
            found = candidate, card
    return found


def index_headline(inputs: dict, result: dict) -> Headline:
    cards = result["cards"]
    counts = [(short_name(c["card"]), sum(m["fits"] for m in c["models"])) for c in cards]
    total = len(cards[0]["models"])
    fewest, most = min(n for _, n in counts), max(n for _, n in counts)
    span = f"{fewest}–{most}" if fewest != most else f"{most}"
    found = largest_anywhere(cards)
    best, where = (found[0], f" one {short_name(found[1]['card'])}") if found else (None, "")
    figures = (
        Figure(f"{span} of {total}", "open models fit, by card", spoken="open models fit, by card"),
        best_figure(best, where),
    )
    # No-break spaces keep each card's count on one line of the image.
    note = " · ".join(unbroken(f"{name}: {n}") for name, n in counts)
    return Headline(figures=figures, inputs=key_inputs(inputs), note=note)
