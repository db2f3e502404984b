"""The cards the GPU pages cover, from the one GPU catalog (calculators/catalog/gpus.py): the six
the pages began with, then the cards people ask about most, consumer to data centre. Each needs
the catalog's spec-sheet fields (VRAM, bus, bandwidth, SMs, boost, FP16 tensor rate)."""

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
        "rtx-3080-10gb",
        "rtx-4070-12gb",
        "rtx-4070-ti-super-16gb",
        "rtx-4080-super-16gb",
        "rtx-5060-ti-16gb",
        "rtx-5070-ti-16gb",
        "rtx-5080-16gb",
        "rtx-6000-ada-48gb",
        "rtx-pro-6000-96gb",
        "l4-24gb",
        "l40s-48gb",
        "a100-80gb",
        "h100-sxm",
        "h100-pcie",
    )
)
BY_SLUG = {c.slug: c for c in CARDS}


def tool_slug(card_slug: str) -> str:
    """The registry slug of a card's page."""
    return f"gpus-{card_slug}"
