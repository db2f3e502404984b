"""Published llama.cpp speed measurements, row by row, with where each was published.

Pure data. The decode and prompt-processing models (speed.py) are calibrated on these rows, every
card page prints the rows of its own card beside our estimate for the same run, and the tests
read these same published figures (never our outputs): each must fall inside the page's range,
with the middle of the range within 20 % of it.

A row names its card by the GPU catalog's id (calculators/catalog/gpus.py) and its model by the
model catalog's id: a row whose card is not (yet) in the catalog, or has no bandwidth there, is
simply not shown or tested. Llama 3 8B and 70B have the architecture of the catalog's Llama 3.1
8B and Llama 3.3 70B (same layers, widths, heads and vocabulary; only the RoPE scaling and
context limit differ, which do not change a run of a few thousand tokens).

`context` is the number of tokens in the KV cache on average over the measured run: llama-bench's
`tg N` generates N tokens from an empty cache, so N / 2 on average; `pp N` processes an N-token
prompt from an empty cache.
"""

from dataclasses import dataclass

XIONGJIE_DAI = (
    "XiongjieDai/GPU-Benchmarks-on-LLM-Inference, README (llama.cpp llama-bench, CUDA 12.1, May "
    "2024; tg = text generation, pp = prompt processing, tokens/s)",
    "https://github.com/XiongjieDai/GPU-Benchmarks-on-LLM-Inference",
)
CONTINUUM_5090 = (
    "CambrianTech/continuum pull request #1627 (RTX 5090, llama.cpp CUDA, Qwen3 8B Q4_K_M fully "
    "in VRAM: 221.7 tokens/s generation)",
    "https://github.com/CambrianTech/continuum/pull/1627",
)


@dataclass(frozen=True)
class Measurement:
    card: str  # GPU catalog id
    cards: int  # identical cards, llama.cpp's default layer split
    model: str  # model catalog id
    quant: str  # GGUF format id (engine.QUANTS)
    kind: str  # "decode" or "prefill"
    test: str  # as the source labels the run: "tg 1024", "pp 512"
    context: int  # tokens in the KV cache on average over the run (see the module note)
    prompt: int  # prefill: prompt tokens processed (0 for decode)
    tokens_per_s: float
    source: tuple[str, str]  # (title, url)
    note: str = ""


def _xd(card, cards, model, quant, test, tokens_per_s):
    kind, n = test.split()
    n = int(n)
    if kind == "tg":
        return Measurement(
            card, cards, model, quant, "decode", test, n // 2, 0, tokens_per_s, XIONGJIE_DAI
        )
    return Measurement(card, cards, model, quant, "prefill", test, 0, n, tokens_per_s, XIONGJIE_DAI)


L8, L70 = "llama-3.1-8b", "llama-3.3-70b"  # Llama 3 8B and 70B in the source (see above)

# XiongjieDai's tables, row "GPU", columns "tg 1024", "tg 8192" and "pp 512". For the cards added to
# the catalog after the first six (RTX 3080 10GB, RTX 6000 Ada, L40S, A100 80GB, H100 PCIe) only
# their decode rows: llama.cpp's 2024 prompt kernels reached a far smaller share of the data-centre
# cards' tensor throughput, which one efficiency cannot describe.
MEASUREMENTS: tuple[Measurement, ...] = (
    # "3090 24GB"
    _xd("rtx-3090-24gb", 1, L8, "q4_k_m", "tg 1024", 111.74),
    _xd("rtx-3090-24gb", 1, L8, "q4_k_m", "tg 8192", 87.49),
    _xd("rtx-3090-24gb", 1, L8, "f16", "tg 1024", 46.51),
    _xd("rtx-3090-24gb", 1, L8, "f16", "tg 8192", 42.62),
    _xd("rtx-3090-24gb", 1, L8, "q4_k_m", "pp 512", 4030.40),
    _xd("rtx-3090-24gb", 1, L8, "f16", "pp 512", 4444.65),
    # "3090 24GB * 2": the example, Llama 3 70B Q4_K_M on two 3090s
    _xd("rtx-3090-24gb", 2, L70, "q4_k_m", "tg 1024", 16.29),
    _xd("rtx-3090-24gb", 2, L70, "q4_k_m", "tg 8192", 14.34),
    # "4090 24GB"
    _xd("rtx-4090-24gb", 1, L8, "q4_k_m", "tg 1024", 127.74),
    _xd("rtx-4090-24gb", 1, L8, "q4_k_m", "tg 8192", 110.66),
    _xd("rtx-4090-24gb", 1, L8, "f16", "tg 1024", 54.34),
    _xd("rtx-4090-24gb", 1, L8, "f16", "tg 8192", 50.88),
    _xd("rtx-4090-24gb", 1, L8, "q4_k_m", "pp 512", 7138.99),
    _xd("rtx-4090-24gb", 1, L8, "f16", "pp 512", 9382.00),
    # "4090 24GB * 2"
    _xd("rtx-4090-24gb", 2, L70, "q4_k_m", "tg 1024", 19.06),
    # "RTX A6000 48GB"
    _xd("rtx-a6000-48gb", 1, L8, "q4_k_m", "tg 1024", 102.22),
    _xd("rtx-a6000-48gb", 1, L8, "f16", "tg 1024", 40.25),
    _xd("rtx-a6000-48gb", 1, L70, "q4_k_m", "tg 1024", 14.58),
    _xd("rtx-a6000-48gb", 1, L70, "q4_k_m", "tg 8192", 13.42),
    _xd("rtx-a6000-48gb", 1, L8, "q4_k_m", "pp 512", 3780.55),
    _xd("rtx-a6000-48gb", 1, L8, "f16", "pp 512", 4511.02),
    _xd("rtx-a6000-48gb", 1, L70, "q4_k_m", "pp 512", 482.19),
    # The cards added later (same source, same columns).
    _xd("rtx-3080-10gb", 1, L8, "q4_k_m", "tg 1024", 106.40),
    _xd("rtx-6000-ada-48gb", 1, L8, "q4_k_m", "tg 1024", 130.99),
    _xd("rtx-6000-ada-48gb", 1, L8, "f16", "tg 1024", 51.97),
    _xd("rtx-6000-ada-48gb", 1, L70, "q4_k_m", "tg 1024", 18.36),
    _xd("l40s-48gb", 1, L8, "q4_k_m", "tg 1024", 113.60),
    _xd("l40s-48gb", 1, L8, "f16", "tg 1024", 43.42),
    _xd("l40s-48gb", 1, L70, "q4_k_m", "tg 1024", 15.31),
    _xd("a100-80gb", 1, L8, "q4_k_m", "tg 1024", 133.38),  # "A100 SXM 80GB"
    _xd("a100-80gb", 1, L8, "f16", "tg 1024", 53.18),
    _xd("a100-80gb", 1, L70, "q4_k_m", "tg 1024", 24.33),
    _xd("h100-pcie", 1, L8, "q4_k_m", "tg 1024", 144.49),  # "H100 PCIe 80GB"
    _xd("h100-pcie", 1, L8, "f16", "tg 1024", 67.79),
    _xd("h100-pcie", 1, L70, "q4_k_m", "tg 1024", 25.01),
    # RTX 5090: a recent llama.cpp build (CUDA graphs), so less fixed cost per token than the
    # 2024 runs above. The source does not state the context; a chat turn of a few hundred
    # tokens is assumed (512).
    Measurement(
        "rtx-5090-32gb", 1, "qwen3-8b", "q4_k_m", "decode", "generation", 512, 0, 221.7,
        CONTINUUM_5090, note="context not stated; taken as 512 tokens",
    ),
)  # fmt: skip


LLMFIT_755 = (
    "AlexsJones/llmfit pull request #755 (RTX 2080 8 GB, i9-10900X with quad-channel DDR4; "
    "llama.cpp, Qwen3-30B-A3B Q4_K_M, -ngl 99 --n-cpu-moe 36: 36.7 tokens/s generation)",
    "https://github.com/AlexsJones/llmfit/pull/755",
)
LLMFIT_778 = (
    "AlexsJones/llmfit pull request #778 (same machine; Q4_K_M, context 4096; partial offload: "
    "Qwen2.5-14B -ngl 42 20.8 tokens/s, gemma-2-9B -ngl 36 23.7)",
    "https://github.com/AlexsJones/llmfit/pull/778",
)


@dataclass(frozen=True)
class OffloadMeasurement:
    """A published run with part of the model in system RAM, on a card the catalog need not
    list (its spec is given here) and with the offload the source states."""

    card: str
    bandwidth_gb_s: int  # the card's
    vram_gib: int
    ram_bandwidth_gb_s: float  # theoretical, of the system RAM
    model: str
    quant: str
    context: int
    gpu_layers: int | None  # -ngl, for a dense model
    cpu_moe_layers: int | None  # --n-cpu-moe, for an MoE model
    tokens_per_s: float
    source: tuple[str, str]


# The RTX 2080: 256-bit GDDR6 at 14 Gbps = 448 GB/s, 8 GB. The i9-10900X has four DDR4 channels;
# the source measured about 102 GB/s, so DDR4-3200 (4 × 8 bytes × 3,200 MT/s = 102.4 GB/s)
# is taken as the theoretical figure.
OFFLOAD_MEASUREMENTS: tuple[OffloadMeasurement, ...] = (
    OffloadMeasurement(
        "RTX 2080", 448, 8, 102.4, "qwen3-30b-a3b", "q4_k_m", 4096, None, 36, 36.7, LLMFIT_755
    ),
    OffloadMeasurement(
        "RTX 2080", 448, 8, 102.4, "qwen2.5-14b", "q4_k_m", 4096, 42, None, 20.8, LLMFIT_778
    ),
    OffloadMeasurement(
        "RTX 2080", 448, 8, 102.4, "gemma-2-9b", "q4_k_m", 4096, 36, None, 23.7, LLMFIT_778
    ),
)
