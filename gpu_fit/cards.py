"""The six cards, with where each figure comes from. Pure data, no Django.

VRAM is in binary units: memory chips come in binary sizes, so a "24 GB" card has 24 GiB, whether
as twenty-four 8-Gbit (1 GiB) GDDR6X chips (RTX 3090) or twelve 16-Gbit (2 GiB) ones (RTX 4090);
nvidia-smi reports it in MiB (24,564 MiB on an RTX 4090, the driver keeping a few MiB back).
Bandwidth in decimal GB/s, as NVIDIA states it: bus width ÷ 8 × data rate per pin.
"""

from dataclasses import dataclass

from calculators.catalog.memory import GIB

GA102_WHITEPAPER = (
    "NVIDIA Ampere GA102 GPU Architecture whitepaper v2.0 (Appendix A: GeForce RTX 3090; "
    "Appendix C: RTX A6000)",
    "https://www.nvidia.com/content/PDF/nvidia-ampere-ga-102-gpu-architecture-whitepaper-v2.pdf",
)
ADA_WHITEPAPER = (
    "NVIDIA Ada GPU Architecture whitepaper (GeForce RTX 4090, Appendix A)",
    "https://images.nvidia.com/aem-dam/Solutions/geforce/ada/nvidia-ada-gpu-architecture.pdf",
)
BLACKWELL_WHITEPAPER = (
    "NVIDIA RTX Blackwell GPU Architecture whitepaper (GeForce RTX 5090)",
    "https://images.nvidia.com/aem-dam/Solutions/geforce/blackwell/nvidia-rtx-blackwell-gpu-architecture.pdf",
)
RTX_3060_PAGE = (
    "NVIDIA, GeForce RTX 3060 family specifications (3,584 CUDA cores = 28 SMs, 1.78 GHz "
    "boost, 12 GB GDDR6 on 192 bits)",
    "https://www.nvidia.com/en-us/geforce/graphics-cards/30-series/rtx-3060-3060ti/",
)
RTX_4060_TI_PAGE = (
    "NVIDIA, GeForce RTX 4060 Ti family specifications (4,352 CUDA cores = 34 SMs, 2.54 GHz "
    "boost, 16 GB GDDR6 on 128 bits)",
    "https://www.nvidia.com/en-us/geforce/graphics-cards/40-series/rtx-4060-4060ti/",
)
LLMFIT_TABLE = (
    "llmfit's GPU bandwidth table (llmfit-core/src/hardware.rs), which lists the same GB/s",
    "https://github.com/AlexsJones/llmfit",
)


@dataclass(frozen=True)
class Card:
    slug: str
    name: str
    short_name: str
    vram_gib: int
    memory: str  # bus width, memory type and data rate
    bus_bits: int
    data_rate_gbps: float
    bandwidth_gb_s: int
    architecture: str
    chip: str
    sms: int
    boost_ghz: float
    launch: str
    # Dense (no sparsity) FP16 tensor-core TFLOPS with FP16 accumulation. GeForce cards halve it
    # with FP32 accumulation (what training uses); the RTX A6000 runs both at the full rate.
    fp16_tensor_tflops: float
    fp16_fp32acc_tflops: float | None
    fp16_source: str
    sources: tuple[tuple[str, str], ...]

    @property
    def vram_bytes(self) -> int:
        return self.vram_gib * GIB

    @property
    def derived_fp16_tflops(self) -> float:
        """SMs × 1024 dense FP16 FLOP per clock per SM (4 tensor cores) × boost clock."""
        return self.sms * 1024 * self.boost_ghz / 1000


CARDS: tuple[Card, ...] = (
    Card(
        "rtx-3060-12gb", "NVIDIA GeForce RTX 3060 12GB", "RTX 3060 12GB", 12,
        "192-bit GDDR6, 15 Gbps", 192, 15, 360, "Ampere", "GA106", 28, 1.777, "February 2021",
        51.0, 25.5,
        "derived: 28 SMs × 1024 FLOP/clock × 1.777 GHz (the per-SM rate of the GA102 "
        "whitepaper, which covers the larger chip of the same architecture)",
        (RTX_3060_PAGE, GA102_WHITEPAPER, LLMFIT_TABLE),
    ),
    Card(
        "rtx-4060-ti-16gb", "NVIDIA GeForce RTX 4060 Ti 16GB", "RTX 4060 Ti 16GB", 16,
        "128-bit GDDR6, 18 Gbps", 128, 18, 288, "Ada Lovelace", "AD106", 34, 2.535, "July 2023",
        88.3, 44.1,
        "derived: 34 SMs × 1024 FLOP/clock × 2.535 GHz (the per-SM rate of the Ada "
        "whitepaper, which covers the RTX 4090)",
        (RTX_4060_TI_PAGE, ADA_WHITEPAPER, LLMFIT_TABLE),
    ),
    Card(
        "rtx-3090-24gb", "NVIDIA GeForce RTX 3090 24GB", "RTX 3090 24GB", 24,
        "384-bit GDDR6X, 19.5 Gbps", 384, 19.5, 936, "Ampere", "GA102", 82, 1.695,
        "September 2020",
        142.0, 71.0, "GA102 whitepaper, Appendix A (142 / 71 TFLOPS dense)",
        (GA102_WHITEPAPER, LLMFIT_TABLE),
    ),
    Card(
        "rtx-4090-24gb", "NVIDIA GeForce RTX 4090 24GB", "RTX 4090 24GB", 24,
        "384-bit GDDR6X, 21 Gbps", 384, 21, 1008, "Ada Lovelace", "AD102", 128, 2.52,
        "October 2022",
        330.3, 165.2, "Ada whitepaper, Appendix A (330.3 / 165.2 TFLOPS dense)",
        (ADA_WHITEPAPER, LLMFIT_TABLE),
    ),
    Card(
        "rtx-5090-32gb", "NVIDIA GeForce RTX 5090 32GB", "RTX 5090 32GB", 32,
        "512-bit GDDR7, 28 Gbps", 512, 28, 1792, "Blackwell", "GB202", 170, 2.407,
        "January 2025",
        419.0, None,
        "NVIDIA's 838 TFLOPS FP16 tensor figure is with sparsity; dense is half. The rate with "
        "FP32 accumulation is not confirmed in our sources.",
        (BLACKWELL_WHITEPAPER, LLMFIT_TABLE),
    ),
    Card(
        "rtx-a6000-48gb", "NVIDIA RTX A6000 48GB", "RTX A6000 48GB", 48,
        "384-bit GDDR6 with ECC, 16 Gbps", 384, 16, 768, "Ampere", "GA102", 84, 1.8,
        "October 2020",
        154.8, 154.8, "GA102 whitepaper, Appendix C (154.8 TFLOPS dense, either accumulation)",
        (GA102_WHITEPAPER, LLMFIT_TABLE),
    ),
)  # fmt: skip

BY_SLUG = {c.slug: c for c in CARDS}


def tool_slug(card_slug: str) -> str:
    """The registry slug of a card's page."""
    return f"gpus-{card_slug}"
