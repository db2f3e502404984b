"""The six cards the GPU pages cover, from the one GPU catalog (calculators/catalog/gpus.py)."""

from calculators.catalog import gpus

CARDS = tuple(
    gpus.get(slug)
    for slug in (
        "rtx-3060-12gb",
        "rtx-4060-ti-16gb",
        "rtx-3090-24gb",
        "rtx-4090-24gb",
        "rtx-5090-32gb",
        "rtx-a6000-48gb",
    )
)
BY_SLUG = {c.slug: c for c in CARDS}


def tool_slug(card_slug: str) -> str:
    """The registry slug of a card's page."""
    return f"gpus-{card_slug}"
