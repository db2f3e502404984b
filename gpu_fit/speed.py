"""How fast: decode and prompt processing, calibrated on published llama.cpp runs (measurements.py).

Decode, one token per sequence per step:
    time = layers × c                                    fixed cost per layer (kernel launches,
                                                         synchronisation), paid on every token
         + weights read on the GPU ÷ (bandwidth × e)      the weights stream from VRAM
         + KV cache read ÷ (bandwidth × e_kv)             attention reads the cache less efficiently
         + what sits in system RAM ÷ (RAM bandwidth × e_cpu)   partial offload, MoE experts
         + (cards − 1) × hop                              layer split: the activations cross over
A single efficiency (the old 48-70 % of bandwidth) cannot fit both ends of the published tables:
a small Q4 model spends a third of its time on the fixed cost, a 70B model almost none. The
constants below put every published row of measurements.py inside [low, high] with the middle
within 20 % (the tests check it row by row).

Prompt processing is compute bound:
    time = 2 × matmul parameters × prompt ÷ (dense FP16 tensor FLOP/s × e_mm)
         + 4 × q width × Σ attended tokens over layers ÷ (FLOP/s × e_att)
with e_mm calibrated on llama-bench's pp 512 (quantized weights run int8 MMQ kernels with
dequantization, a smaller share of peak than F16's cuBLAS GEMM).
"""

from dataclasses import dataclass

from calculators.catalog.gpus import GPU


@dataclass(frozen=True)
class Range:
    low: float
    mid: float
    high: float

    def scaled(self, factor: float) -> "Range":
        return Range(self.low * factor, self.mid * factor, self.high * factor)


# (low, mid, high) of the *speed*: the low speed takes the costly end of every constant.
# Fixed cost per layer per token, seconds. llama.cpp builds of 2024 (XiongjieDai's runs) paid
# about 0.1 ms per layer; recent builds with CUDA graphs about a third of that (the RTX 5090 row).
LAYER_COST_S = (100e-6, 65e-6, 35e-6)
# Share of the bandwidth the weight reads reach. GDDR cards (every consumer and workstation card
# of the tables) 0.75-0.95; HBM data-centre cards reach about half with llama.cpp (A100, H100).
WEIGHT_EFFICIENCY = (0.75, 0.85, 0.95)
HBM_WEIGHT_EFFICIENCY = (0.4, 0.5, 0.6)
# The KV cache: tg 8192 against tg 1024 in the tables puts attention's reads at 20-30 % of the
# bandwidth without flash attention (the tables' default); flash attention does better.
KV_EFFICIENCY = (0.2, 0.3, 0.5)
# Layer split: per token, one hand-over of the hidden state from card to card (a small copy and
# a synchronisation), seconds per boundary.
HOP_S = (0.5e-3, 0.3e-3, 0.1e-3)

# System RAM. llama.cpp on the CPU reads about 80 % of the theoretical bandwidth: llama.cpp issue
# #4716, Mixtral 8x7B Q8_0 on a Ryzen 7950X with dual-channel DDR5-3600 (57.6 GB/s): 3.37
# tokens/s × 13.7 GB of active weights = 46 GB/s, 0.80; a 5900X with DDR4-3600, 3.58 (0.85).
CPU_EFFICIENCY = (0.55, 0.7, 0.85)
# Each layer with weights in system RAM also costs the CPU its thread dispatch and
# synchronisation and the hand-over to and from the GPU, per token: 0.2 ms puts llmfit pull
# request #755 (Qwen3 30B-A3B Q4_K_M with --n-cpu-moe 36 on an 8 GB RTX 2080, quad-channel
# DDR4: 36.7 tokens/s) at the middle of the range (measurements.OFFLOAD_MEASUREMENTS).
CPU_LAYER_COST_S = (0.3e-3, 0.2e-3, 0.1e-3)
# The default system: dual-channel DDR5-5600, 2 channels × 8 bytes × 5,600 MT/s = 89.6 GB/s.
DEFAULT_RAM_BANDWIDTH_GB_S = 89.6
DEFAULT_RAM_GB = 64

# PCIe 4.0 x16: 16 GT/s × 16 lanes × 128/130 ÷ 8 = 31.5 GB/s per direction, about 25 GB/s in
# practice. During prompt processing llama.cpp copies the weights of the layers kept in system
# RAM to the GPU for each micro-batch (512 tokens) rather than multiplying on the CPU.
PCIE_GB_S = 25.0
UBATCH_TOKENS = 512

# Tensor parallelism (vLLM): every layer ends its attention and its MLP with an all-reduce of the
# hidden state across the cards. Over PCIe without NVLink a small all-reduce costs its latency,
# tens of microseconds (an assumption: no measurement on these cards is cited here).
ALLREDUCE_S = (40e-6, 25e-6, 15e-6)

# Prompt processing, share of the card's dense FP16 tensor FLOP/s (FP16 accumulate).
# pp 512 in XiongjieDai's tables: Llama 3 8B Q4_K_M 0.30 (RTX 4090) to 0.40 (RTX 3090), 70B Q4_K_M
# 0.43 (RTX A6000); F16 0.40 to 0.44.
MATMUL_EFFICIENCY_QUANT = (0.28, 0.355, 0.46)
MATMUL_EFFICIENCY_F16 = (0.34, 0.42, 0.5)
# Attention's share: the tables' pp 8192 against pp 512 put it at 6-10 % of peak without flash
# attention; with flash attention (llama.cpp pull request #17505: 8B Q4_0 on an RTX 3090 at a
# depth of 32,768) about 30 %.
ATTENTION_EFFICIENCY = (0.08, 0.2, 0.3)


def is_hbm(card: GPU) -> bool:
    return "HBM" in (card.memory or "")


def weight_efficiency(card: GPU) -> tuple[float, float, float]:
    return HBM_WEIGHT_EFFICIENCY if is_hbm(card) else WEIGHT_EFFICIENCY


@dataclass(frozen=True)
class Reads:
    """What one decode step reads, and from where."""

    layers: int  # fixed cost paid per layer (0 when the shape is unknown)
    gpu_weight_bytes: int
    gpu_kv_bytes: int
    cpu_bytes: int  # weights and KV cache in system RAM
    cards: int = 1
    cpu_layers: int = 0  # layers with weights in system RAM (whole layers, or their experts)


def decode(card: GPU, r: Reads, ram_bandwidth_gb_s: float) -> Range:
    """Tokens per second for one sequence, llama.cpp (layer split across `cards`)."""
    return decode_reads(
        card, r.layers, r.gpu_weight_bytes, r.gpu_kv_bytes, r.cpu_bytes, r.cards, r.cpu_layers,
        ram_bandwidth_gb_s,
    )  # fmt: skip


def decode_reads(
    card: GPU, layers: int, gpu_weight_bytes: int, gpu_kv_bytes: int, cpu_bytes: int,
    cards: int, cpu_layers: int, ram_bandwidth_gb_s: float,
) -> Range:  # fmt: skip
    """decode() on the Reads' fields, for the engine's loop over every model (no Reads built)."""
    return Range(*decode_ends(
        card, layers, gpu_weight_bytes, gpu_kv_bytes, cpu_bytes, cards, cpu_layers,
        ram_bandwidth_gb_s,
    ))  # fmt: skip


def decode_ends(
    card: GPU, layers: int, gpu_weight_bytes: int, gpu_kv_bytes: int, cpu_bytes: int,
    cards: int, cpu_layers: int, ram_bandwidth_gb_s: float,
) -> tuple[float, float, float]:  # fmt: skip
    """decode_reads' (low, mid, high) as a plain tuple. A card page works this out for every
    model on each recompute: written out for the three ends, with no Range built, it cost
    about a third of decode_reads' instructions (callgrind: 36 calls, 0.77M against 0.26M).
    The same sums in the same order as decode(), so the same floats."""
    bw = card.bandwidth_gb_s * 1e9
    w, kv = gpu_weight_bytes / bw, gpu_kv_bytes / bw
    we0, we1, we2 = HBM_WEIGHT_EFFICIENCY if is_hbm(card) else WEIGHT_EFFICIENCY
    lc0, lc1, lc2 = LAYER_COST_S
    kv0, kv1, kv2 = KV_EFFICIENCY
    if not (cpu_bytes or cpu_layers or cards != 1):
        # Everything in VRAM on one card (most models on a card page): the system-RAM, CPU-layer
        # and hop terms below are each 0.0, and a sum plus 0.0 is the same float, so these
        # are the same speeds without them (callgrind: 11K instructions a call against 7K).
        return (
            1 / (layers * lc0 + w / we0 + kv / kv0),
            1 / (layers * lc1 + w / we1 + kv / kv1),
            1 / (layers * lc2 + w / we2 + kv / kv2),
        )
    ram = ram_bandwidth_gb_s * 1e9
    cpu, hops = cpu_bytes / ram, cards - 1
    ce0, ce1, ce2 = CPU_EFFICIENCY
    cl0, cl1, cl2 = CPU_LAYER_COST_S
    h0, h1, h2 = HOP_S
    return (
        1 / (layers * lc0 + w / we0 + kv / kv0 + cpu / ce0 + cpu_layers * cl0 + hops * h0),
        1 / (layers * lc1 + w / we1 + kv / kv1 + cpu / ce1 + cpu_layers * cl1 + hops * h1),
        1 / (layers * lc2 + w / we2 + kv / kv2 + cpu / ce2 + cpu_layers * cl2 + hops * h2),
    )


def decode_tensor_parallel(
    card: GPU, tp: int, layers: int, weight_bytes: int, kv_bytes_per_card: int
) -> Range:
    """One sequence under vLLM's tensor parallelism over `tp` cards: the cards read their 1/tp of
    the weights and their share of the KV cache at the same time (the bandwidths add up), then
    two all-reduces per layer. Not calibrated on vLLM runs."""
    bw = card.bandwidth_gb_s * 1e9
    speeds = []
    for i in range(3):
        t = (
            layers * LAYER_COST_S[i]
            + weight_bytes / tp / (bw * weight_efficiency(card)[i])
            + kv_bytes_per_card / (bw * KV_EFFICIENCY[i])
            + (2 * layers * ALLREDUCE_S[i] if tp > 1 else 0.0)
        )
        speeds.append(1 / t)
    return Range(*speeds)


@dataclass(frozen=True)
class PrefillWork:
    matmul_flops_per_token: float  # 2 × the matrix parameters a prompt token passes through
    attention_flops: float  # 4 × q width × Σ over layers of the tokens each prompt token attends
    tokens: int
    cpu_weight_bytes: int = 0  # weights in system RAM, copied to the GPU per micro-batch


def prefill_seconds(card: GPU, w: PrefillWork, quantized: bool) -> Range | None:
    """Time to process the prompt (the time to first token), low/mid/high as *times*: low is the
    shortest. None when the card's tensor throughput is not in the catalog."""
    if not card.fp16_tensor_tflops:
        return None
    flops = card.fp16_tensor_tflops * 1e12
    mm = MATMUL_EFFICIENCY_QUANT if quantized else MATMUL_EFFICIENCY_F16
    batches = -(-w.tokens // UBATCH_TOKENS)
    copy = batches * w.cpu_weight_bytes / (PCIE_GB_S * 1e9)
    times = [
        w.matmul_flops_per_token * w.tokens / (flops * mm[i])
        + w.attention_flops / (flops * ATTENTION_EFFICIENCY[i])
        + copy
        for i in (2, 1, 0)
    ]
    return Range(*times)


def attended_tokens(prompt: int, window: int = 0) -> int:
    """Σ over prompt positions of the tokens each attends to (itself included): causal attention,
    capped at the window for a sliding layer."""
    if not window or window >= prompt:
        return prompt * (prompt + 1) // 2
    return window * (window + 1) // 2 + (prompt - window) * window
