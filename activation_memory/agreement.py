"""How the calculator compares with the bytes measured in validation/activation_memory/.

The measurement ran Hugging Face's GPT-2 and Llama code on the CPU; this module predicts every
measured row with the engine (using the CPU's dropout-mask size) and reports the deviations.
The test suite asserts them; the page quotes the summary, so the two cannot drift apart.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .engine import Scenario, activations

MEASURED = Path(__file__).resolve().parent.parent / "validation/activation_memory/measured.json"


@dataclass(frozen=True)
class Row:
    arch: str
    attention: str
    recompute: str
    dtype_bytes: int
    shape: str
    measured_layer: int
    predicted_layer: int
    measured_total: int  # the 2-layer model: layers, embeddings, final norm, logits, loss
    predicted_total: int

    @property
    def layer_error_pct(self) -> float:
        return (self.predicted_layer - self.measured_layer) / self.measured_layer * 100

    @property
    def total_error_pct(self) -> float:
        return (self.predicted_total - self.measured_total) / self.measured_total * 100


def scenario_for(row: dict) -> Scenario:
    return Scenario(
        arch=row["arch"],
        seq_len=row["s"],
        micro_batch=row["b"],
        hidden=row["h"],
        heads=row["a"],
        kv_heads=row["kv"],
        head_dim=row["d"],
        ffn_hidden=row["f"],
        vocab=row["v"],
        layers=2,
        attention=row["attention"],
        recompute=row["recompute"],
        dtype_bytes=row["dtype_bytes"],
        # PyTorch's CPU dropout keeps its mask in the activation dtype (GPUs: 1-byte bool).
        mask_bytes=row["dtype_bytes"],
    )


@cache
def measured() -> dict:
    return json.loads(MEASURED.read_text())


@cache
def rows() -> tuple[Row, ...]:
    out = []
    for r in measured()["rows"]:
        result = activations(scenario_for(r))
        out.append(
            Row(
                arch=r["arch"],
                attention=r["attention"],
                recompute=r["recompute"],
                dtype_bytes=r["dtype_bytes"],
                shape=f"s={r['s']} b={r['b']} h={r['h']} a={r['a']} kv={r['kv']} f={r['f']} "
                f"v={r['v']}",
                measured_layer=r["per_layer_bytes"],
                predicted_layer=result.per_layer_bytes,
                measured_total=r["two_layer_total_bytes"],
                predicted_total=result.total_bytes,
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class Summary:
    configurations: int
    torch: str
    transformers: str
    max_layer_error_pct: dict  # by arch
    max_total_error_pct: dict  # by arch, without full recomputation
    max_total_error_full_pct: dict  # by arch, full recomputation (known checkpoint artifacts)


@cache  # the measurements are a file of the release: every page prints the same summary
def summary() -> Summary | None:
    """The worst deviations, or None when the measurement file is missing."""
    try:
        data = measured()
        all_rows = rows()
    except (OSError, ValueError, KeyError):
        return None

    def worst(values):
        return max((abs(v) for v in values), default=0.0)

    arches = ("gpt", "llama")
    return Summary(
        configurations=len(all_rows),
        torch=data["torch"],
        transformers=data["transformers"],
        max_layer_error_pct={
            a: worst(r.layer_error_pct for r in all_rows if r.arch == a) for a in arches
        },
        max_total_error_pct={
            a: worst(r.total_error_pct for r in all_rows if r.arch == a and r.recompute != "full")
            for a in arches
        },
        max_total_error_full_pct={
            a: worst(r.total_error_pct for r in all_rows if r.arch == a and r.recompute == "full")
            for a in arches
        },
    )
