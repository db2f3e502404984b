"""Measured against estimated: every published run of measurements.py beside this site's range
for the same run (same card, number of cards, model, format and context)."""

from dataclasses import dataclass
from functools import lru_cache

from calculators.catalog import gpus
from calculators.catalog.models import BY_ID

from . import engine
from .measurements import MEASUREMENTS, Measurement


@dataclass(frozen=True)
class Row:
    m: Measurement
    model_name: str
    quant_label: str
    low: float
    mid: float
    high: float

    @property
    def deviation(self) -> float:
        """The middle of the range against the measurement: +0.1 = 10 % above it."""
        return self.mid / self.m.tokens_per_s - 1

    @property
    def inside(self) -> bool:
        return self.low <= self.m.tokens_per_s <= self.high


def card_of(m: Measurement):
    """The catalog card of a row, or None while the catalog lacks it or its bandwidth."""
    card = gpus.BY_ID.get(m.card)
    return card if card is not None and card.bandwidth_gb_s and card.vram_gib else None


def estimate(m: Measurement) -> Row | None:
    card = card_of(m)
    if card is None:
        return None
    subject = engine.Subject.from_model(BY_ID[m.model])
    context = m.context if m.kind == "decode" else m.prompt
    s = engine.Scenario(context, m.quant, "f16", 1, m.cards)
    f = engine.fit(card, subject, s, extras=False)
    if m.kind == "decode":
        low, mid, high = (
            f.decode_tokens_per_s_low,
            f.decode_tokens_per_s,
            f.decode_tokens_per_s_high,
        )
    elif f.prefill_tokens_per_s is None:
        return None
    else:
        low, mid, high = (
            f.prefill_tokens_per_s_low,
            f.prefill_tokens_per_s,
            f.prefill_tokens_per_s_high,
        )
    q = engine.QUANT_BY_ID[m.quant].label
    return Row(m, BY_ID[m.model].name, q, low, mid, high)


@lru_cache(maxsize=64)
def rows_for(card_slug: str) -> tuple[Row, ...]:
    """The rows of one card page (they do not depend on the scenario: computed once)."""
    out = []
    for m in MEASUREMENTS:
        card = card_of(m)
        if card is not None and card.slug == card_slug:
            row = estimate(m)
            if row is not None:
                out.append(row)
    return tuple(out)


def all_rows() -> tuple[Row, ...]:
    return tuple(r for r in (estimate(m) for m in MEASUREMENTS) if r is not None)
