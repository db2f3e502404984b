"""The planner's step time against published training runs: every row within 20 %.

The tables are this test's data, transcribed from the papers (not from the engine's copy, which
the last test checks against them); the published step time is computed here from each
paper's own throughput and FLOP count."""

import pytest

from training_plan.engine import Pins, Run, calibration, cluster, custom_shape, plan

TOLERANCE = 0.20

# Narayanan et al. 2021, "Efficient Large-Scale Language Model Training on GPU Clusters Using
# Megatron-LM", arXiv:2104.04473, Table 1 (A100 80GB, Selene; s = 2048, V = 51,200):
# billions of parameters, attention heads, hidden size, layers, tensor-parallel size,
# pipeline-parallel size, GPUs, batch size, achieved teraFLOP/s per GPU.
MEGATRON = [
    (1.7, 24, 2304, 24, 1, 1, 32, 512, 137),
    (3.6, 32, 3072, 30, 2, 1, 64, 512, 138),
    (7.5, 32, 4096, 36, 4, 1, 128, 512, 142),
    (18.4, 48, 6144, 40, 8, 1, 256, 1024, 135),
    (39.1, 64, 8192, 48, 8, 2, 512, 1536, 138),
    (76.1, 80, 10240, 60, 8, 4, 1024, 1792, 140),
    (145.6, 96, 12288, 80, 8, 8, 1536, 2304, 148),
    (310.1, 128, 16384, 96, 8, 16, 1920, 2160, 155),
    (529.6, 128, 20480, 105, 8, 35, 2520, 2520, 163),
    (1008.0, 160, 25600, 128, 8, 64, 3072, 3072, 163),
]

# Dubey et al. 2024, "The Llama 3 Herd of Models", arXiv:2407.21783, Table 4 (405B on H100):
# GPUs, TP, CP, PP, DP, sequence length, batch size per DP, TFLOPs/GPU. The 128K row prints
# DP 4, which with 16,384 GPUs and TP·CP·PP = 2,048 must be 8 (and 16 × 8 × 131,072 = 16M
# tokens per batch, as the other rows).
LLAMA3 = [
    (8192, 8, 1, 16, 64, 8192, 32, 430),
    (16384, 8, 1, 16, 128, 8192, 16, 400),
    (16384, 8, 16, 16, 8, 131072, 16, 380),
]
# Llama 3 405B (section 3, Table 3): layers, model dimension, heads, KV heads, FFN dimension,
# vocabulary.
L405, H405, A405, KV405, F405, V405 = 126, 16384, 128, 8, 53248, 128256


def palm_flops_per_token(seq_len: int) -> float:
    """PaLM (Chowdhery et al. 2022, Appendix B): 6N + 12·L·H·Q·T, N the weights a token is
    multiplied by (attention, SwiGLU MLP, norms, the untied output layer; not the input
    embedding)."""
    head_dim = H405 // A405
    attention = H405 * (A405 * head_dim) * 2 + 2 * H405 * (KV405 * head_dim)
    mlp = 3 * H405 * F405
    n = L405 * (attention + mlp + 2 * H405) + H405 + V405 * H405
    return 6 * n + 12 * L405 * A405 * head_dim * seq_len


@pytest.mark.parametrize("row", MEGATRON, ids=lambda r: f"{r[0]}B")
def test_megatron_table_1_step_time_within_20_percent(row):
    params_b, heads, h, layers, tp, pp, gpus, batch, tflops = row
    s, v = 2048, 51200
    # Their Eq. 3: FLOPs per iteration with activation recomputation.
    flops = 96 * batch * s * layers * h**2 * (1 + s / (6 * h) + v / (16 * layers * h))
    published = flops / (gpus * tflops * 1e12)
    result = plan(
        custom_shape(layers, h, heads, heads, 4 * h, v, tied=True),
        cluster("a100-80gb", gpus, 8),
        Run(s, batch, s * batch),
        Pins(tp=tp, pp=pp, cp=1, recompute="full", zero=0),
    )
    best = result.plans[0]
    assert best.fits  # the published layouts ran on 80 GB A100s
    assert best.dp == gpus // (tp * pp)
    assert abs(best.seconds_per_step / published - 1) <= TOLERANCE, (
        best.seconds_per_step,
        published,
    )


@pytest.mark.parametrize("row", LLAMA3, ids=lambda r: f"{r[0]}-gpus-{r[5]}-tokens")
def test_llama3_table_4_step_time_within_20_percent(row):
    gpus, tp, cp, pp, dp, s, per_dp, tflops = row
    batch = per_dp * dp
    published = batch * s * palm_flops_per_token(s) / (gpus * tflops * 1e12)
    result = plan(
        custom_shape(L405, H405, A405, KV405, F405, V405),
        cluster("h100-sxm", gpus, 8),
        Run(s, batch, s * batch),
        Pins(tp=tp, pp=pp, cp=cp, recompute="none", zero=2),
    )
    best = result.plans[0]
    assert (best.tp, best.cp, best.pp, best.dp) == (tp, cp, pp, dp)
    assert abs(best.seconds_per_step / published - 1) <= TOLERANCE, (
        best.seconds_per_step,
        published,
    )


def test_the_pages_table_is_the_papers():
    """The engine's copy (which the page prints) matches the transcriptions above."""
    assert [r[:9] for r in calibration.MEGATRON_TABLE_1] == MEGATRON
    assert [(*r[:5], r[5], r[6], r[7]) for r in calibration.LLAMA3_TABLE_4] == LLAMA3
    assert calibration.LLAMA3_405B == (L405, H405, A405, KV405, F405, V405)
    rows = calibration.rows()
    assert len(rows) == len(MEGATRON) + len(LLAMA3)
    assert all(abs(r.ratio - 1) <= TOLERANCE for r in rows)
    worst = calibration.worst()
    assert all(max(r.ratio, 1 / r.ratio) <= max(worst.ratio, 1 / worst.ratio) for r in rows)


def test_llama3_flop_count_matches_the_papers_total():
    """Our PaLM count for 405B: 6N with N ≈ 405B (the paper's 3.8e25 FLOPs for 15.6T tokens
    is 6 × 405e9 × 15.6e12)."""
    n = (palm_flops_per_token(0)) / 6
    assert 403e9 < n < 408e9
