"""The planner against published training runs: predicted seconds per step for each published
layout, next to the step time the publication's own throughput implies.

Sources (the rows below are their tables, transcribed):
- Narayanan et al. 2021, "Efficient Large-Scale Language Model Training on GPU Clusters Using
  Megatron-LM" (arXiv:2104.04473), Table 1: GPT models of 1.7B to 1T parameters on up to 3,072
  80 GB A100s of Selene (8 per DGX A100 node, 8 × 200 Gb/s HDR InfiniBand), sequence length
  2,048, vocabulary 51,200, full activation recomputation. Achieved teraFLOP/s per GPU are their
  Eq. 3, F = 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h)) FLOPs per step (recomputation included), so a
  step took F / (GPUs × achieved FLOP/s).
- Dubey et al. 2024, "The Llama 3 Herd of Models" (arXiv:2407.21783), Table 4: Llama 3 405B
  (126 layers, hidden 16,384, 128 heads, 8 KV heads, MLP 53,248, vocabulary 128,256) on H100s
  with TP 8 and PP 16. The paper does not give its FLOP count; we take PaLM's (the same as the
  planner's MFU), so a step took tokens × 6N + 12·L·H·Q·T / (GPUs × TFLOPs/GPU). The 128K row
  prints 16,384 GPUs and DP 4, whose product with TP 8 × CP 16 × PP 16 is 8,192; DP 8 makes
  the GPUs and the 16M tokens per batch agree, and is what we use.

For each row the planner is pinned to the published choices (TP, PP, CP; for Megatron-LM 2021
also full recomputation and no distributed optimizer, which it did not have; for Llama 3 no
recomputation, since its reported MFU and hardware utilization are the same figure) and
searches the rest (micro-batch, interleaving, ZeRO stage).
"""

from dataclasses import dataclass
from functools import cache

from .inputs import Pins, Run, cluster, custom_shape, model_flops
from .search import plan

NARAYANAN = "Narayanan et al. 2021, Table 1"
LLAMA3 = "Dubey et al. 2024 (Llama 3), Table 4"
NARAYANAN_URL = "https://arxiv.org/abs/2104.04473"
LLAMA3_URL = "https://arxiv.org/abs/2407.21783"

# Narayanan et al. 2021, Table 1: (billions of parameters, attention heads, hidden, layers,
# TP, PP, GPUs, batch size, achieved teraFLOP/s per GPU).
MEGATRON_TABLE_1 = (
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
)
MEGATRON_SEQ, MEGATRON_VOCAB = 2048, 51200

# Dubey et al. 2024, Table 4: (GPUs, TP, CP, PP, DP, sequence length, batch size per DP,
# TFLOPs/GPU, BF16 MFU). The 128K row's DP is 8 (see above; the table prints 4).
LLAMA3_TABLE_4 = (
    (8192, 8, 1, 16, 64, 8192, 32, 430, 0.43),
    (16384, 8, 1, 16, 128, 8192, 16, 400, 0.41),
    (16384, 8, 16, 16, 8, 131072, 16, 380, 0.38),
)
LLAMA3_405B = (126, 16384, 128, 8, 53248, 128256)


@dataclass(frozen=True)
class Row:
    source: str
    model: str
    gpu: str
    gpus: int
    tp: int
    pp: int
    cp: int
    dp: int
    seq_len: int
    global_batch: int
    published_tflops: float  # per GPU, as the source counts them
    published_seconds: float  # per step, from the published throughput
    predicted_seconds: float
    micro_batch: int
    vpp: int
    zero_stage: int
    recompute: str
    fits: bool  # whether the planner's memory count fits the published layout

    @property
    def ratio(self) -> float:
        return self.predicted_seconds / self.published_seconds


def megatron_rows() -> list[Row]:
    rows = []
    s, v = MEGATRON_SEQ, MEGATRON_VOCAB
    for params_b, heads, h, layers, tp, pp, gpus, batch, tflops in MEGATRON_TABLE_1:
        shape = custom_shape(layers, h, heads, heads, 4 * h, v, tied=True)
        result = plan(
            shape,
            cluster("a100-80gb", gpus, 8),
            Run(s, batch, s * batch),
            Pins(tp=tp, pp=pp, cp=1, recompute="full", zero=0),
        )
        flops = 96 * batch * s * layers * h**2 * (1 + s / (6 * h) + v / (16 * layers * h))
        rows.append(row(NARAYANAN, f"GPT {params_b:g}B", "a100-80gb", result, tflops, flops))
    return rows


def llama3_rows() -> list[Row]:
    rows = []
    shape = custom_shape(*LLAMA3_405B)
    for gpus, tp, cp, pp, dp, s, per_dp, tflops, _ in LLAMA3_TABLE_4:
        batch = per_dp * dp
        result = plan(
            shape,
            cluster("h100-sxm", gpus, 8),
            Run(s, batch, s * batch),
            Pins(tp=tp, pp=pp, cp=cp, recompute="none", zero=2),
        )
        flops = batch * s * model_flops(shape, s).total
        rows.append(row(LLAMA3, "Llama 3 405B", "h100-sxm", result, tflops, flops))
    return rows


def row(source, model, gpu, result, tflops, step_flops) -> Row:
    best = result.plans[0]  # the fastest, fitting or not: the published layout ran
    c = result.cluster
    return Row(
        source=source,
        model=model,
        gpu=gpu,
        gpus=c.gpus,
        tp=best.tp,
        pp=best.pp,
        cp=best.cp,
        dp=best.dp,
        seq_len=result.run.seq_len,
        global_batch=result.run.global_batch,
        published_tflops=tflops,
        published_seconds=step_flops / (c.gpus * tflops * 1e12),
        predicted_seconds=best.seconds_per_step,
        micro_batch=best.micro_batch,
        vpp=best.vpp,
        zero_stage=best.zero_stage,
        recompute=best.recompute,
        fits=best.fits,
    )


@cache
def rows() -> tuple[Row, ...]:
    """Every row, computed once per process (the page shows them on every request)."""
    return tuple(megatron_rows() + llama3_rows())


@cache
def worst() -> Row:
    """The row furthest from its published step time, either way (once per process, as the
    rows)."""
    return max(rows(), key=lambda r: max(r.ratio, 1 / r.ratio))
