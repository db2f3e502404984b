"""The calculator against bytes measured in PyTorch (validation/activation_memory/measured.json).

The JSON was produced by validation/activation_memory/measure.py, which runs Hugging Face's
GPT-2 and Llama code and counts storages autograd saves for backward. This file needs no torch.
Tolerance: Llama layers exactly; GPT layers within 0.1% (the paper leaves out LayerNorm's
mean and inverse deviation, which is exactly the residual); whole models within 0.25%.
"""

import pytest

from activation_memory import agreement
from activation_memory.engine import Scenario

ROWS = agreement.rows()
RAW = agreement.measured()["rows"]
PAIRS = list(zip(ROWS, RAW, strict=True))
IDS = [f"{r.arch}-{r.attention}-{r.recompute}-d{r.dtype_bytes}-{r.shape}" for r in ROWS]


def test_the_table_covers_the_space():
    assert len(ROWS) >= 40
    combos = {(r.arch, r.attention, r.recompute) for r in ROWS}
    for arch in ("gpt", "llama"):
        for combo in (
            ("eager", "none"),
            ("flash", "none"),
            ("eager", "selective"),
            ("eager", "full"),
        ):
            assert (arch, *combo) in combos
    assert {r.dtype_bytes for r in ROWS} == {2, 4}
    assert any(r["kv"] < r["a"] for r in RAW) and any(r["kv"] == 1 for r in RAW)  # GQA, MQA
    assert any(r["d"] * r["a"] != r["h"] for r in RAW)  # explicit head_dim
    assert any(r["f"] != 4 * r["h"] for r in RAW if r["arch"] == "gpt")


@pytest.mark.parametrize("row, raw", PAIRS, ids=IDS)
def test_per_layer_bytes(row, raw):
    if row.arch == "llama":
        assert row.predicted_layer == row.measured_layer
    else:
        # The only difference: LayerNorm statistics, mean and rstd in the activation dtype on
        # the CPU, for two norms: 4 d s b bytes. The paper neglects them (O(sb)).
        stats = 0 if row.recompute == "full" else 4 * raw["dtype_bytes"] * raw["s"] * raw["b"]
        assert row.measured_layer - row.predicted_layer == stats
        assert abs(row.layer_error_pct) < 0.1


@pytest.mark.parametrize("row, raw", PAIRS, ids=IDS)
def test_whole_model_bytes(row, raw):
    s, b, d = raw["s"], raw["b"], raw["dtype_bytes"]
    if row.recompute != "full":
        assert abs(row.total_error_pct) < 0.25
    elif row.arch == "llama":
        # HF passes RoPE's cos/sin to the checkpointed layer as keyword arguments: they stay
        # alive in a closure the hooks cannot see. The calculator counts them: 2 d s head_dim.
        # (A few bytes of scalars the loss saves, e.g. its fp32 weight total, are not modelled.)
        assert row.predicted_total - row.measured_total == pytest.approx(
            2 * d * s * raw["d"], abs=16
        )
    elif row.attention == "eager":
        # HF GPT-2 hands its 4-D causal mask (b x 1 x s x s, activation dtype) to the checkpoint.
        extra = row.measured_total - row.predicted_total
        assert extra - d * b * s * s == pytest.approx(0, abs=8 * s + 8 * s * b)
    else:
        assert abs(row.total_error_pct) < 0.25


def test_gpu_dropout_mask_is_one_byte():
    # CUDA's fused dropout is torch.native_dropout, whose mask is bool: the paper's 1 byte.
    data = agreement.measured()
    assert data["native_dropout_mask_dtype"] == "torch.bool"
    assert data["cpu_dropout_saved_mask_dtype"] == "torch.bfloat16"  # why rows use d bytes
    assert Scenario().mask_bytes == 1


def test_page_summary_is_what_the_tests_assert():
    summary = agreement.summary()
    assert summary.configurations == len(ROWS)
    assert summary.max_layer_error_pct["llama"] == 0
    assert summary.max_layer_error_pct["gpt"] < 0.1
    assert max(summary.max_total_error_pct.values()) < 0.25
