"""The one GPU catalog every tool reads: memory, bandwidth and peak FLOP/s, with where each figure
comes from. Pure data, no Django.

A GPU is listed once, under one slug; `aliases` are other ids a tool has taken for it (the
flagship's `gpu=rtx-4090`, activation memory's `gpu=h100-80gb`), which keep working: every tool's
GPU field (calculators/kit/fields.py, CatalogGpuField) offers by slug each GPU with the figures
that tool needs, takes any of its aliases too and answers with the slug, and `get` finds the GPU
by any of them. A field is None where our
sources do not give it (the data-centre parts have no consumer-card spec sheet here).

VRAM is in binary units: memory chips come in binary sizes, so a "24 GB" card has 24 GiB, whether
as twenty-four 8-Gbit (1 GiB) GDDR6X chips (RTX 3090) or twelve 16-Gbit (2 GiB) ones (RTX 4090);
nvidia-smi reports it in MiB (24,564 MiB on an RTX 4090, the driver keeping a few MiB back).
Bandwidth in decimal GB/s, as NVIDIA states it: bus width ÷ 8 × data rate per pin.
"""

from dataclasses import dataclass

from .memory import GIB, MIB

GA102_WHITEPAPER = (
    "NVIDIA Ampere GA102 GPU Architecture whitepaper v2 (Appendix A: GeForce RTX 3090, 82 SMs, "
    "1,695 MHz, 936 GB/s, FP16 tensor 71 / 142 TFLOPS with FP32 accumulate; Table 3: RTX A6000, "
    "84 SMs, 768 GB/s, 154.8 / 309.6 with FP32 accumulate)",
    "https://www.nvidia.com/content/PDF/nvidia-ampere-ga-102-gpu-architecture-whitepaper-v2.pdf",
)
ADA_WHITEPAPER = (
    "NVIDIA Ada GPU Architecture whitepaper (GeForce RTX 4090, Appendix A)",
    "https://images.nvidia.com/aem-dam/Solutions/geforce/ada/nvidia-ada-gpu-architecture.pdf",
)
BLACKWELL_WHITEPAPER = (
    "NVIDIA RTX Blackwell GPU Architecture whitepaper, Appendix A, Table 3 (GeForce RTX 5090: "
    "170 SMs, 2,407 MHz boost; BF16 tensor with FP32 accumulate 209.5 / 419 TFLOPS, FP8 with "
    "FP32 accumulate 419 / 838, dense / with sparsity)",
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
A100_DATASHEET = (
    "https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/"
    "nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf"
)
H100_DATASHEET = "https://resources.nvidia.com/en-us-tensor-core/nvidia-tensor-core-gpu-datasheet"
RTX_3080_PAGE = (
    "NVIDIA, GeForce RTX 3080 family specifications (8,704 CUDA cores = 68 SMs, 1.71 GHz "
    "boost, 10 GB GDDR6X on 320 bits at 19 Gbps); GA102 whitepaper: RTX 3080, 119 / 59.5 "
    "TFLOPS dense FP16 tensor with FP16 / FP32 accumulate",
    "https://www.nvidia.com/en-us/geforce/graphics-cards/30-series/rtx-3080-3080ti/",
)
RTX_4070_PAGE = (
    "NVIDIA, GeForce RTX 4070 family specifications (RTX 4070: 5,888 CUDA cores = 46 SMs, "
    "2.48 GHz boost, 12 GB GDDR6X on 192 bits at 21 Gbps)",
    "https://www.nvidia.com/en-us/geforce/graphics-cards/40-series/rtx-4070-family/",
)
RTX_4070_TI_SUPER_PAGE = (
    "NVIDIA, GeForce RTX 4070 family specifications (RTX 4070 Ti SUPER: 8,448 CUDA cores = "
    "66 SMs, 2.61 GHz boost, 16 GB GDDR6X on 256 bits at 21 Gbps)",
    "https://www.nvidia.com/en-us/geforce/graphics-cards/40-series/rtx-4070-family/",
)
RTX_4080_SUPER_PAGE = (
    "NVIDIA, GeForce RTX 4080 family specifications (RTX 4080 SUPER: 10,240 CUDA cores = "
    "80 SMs, 2.55 GHz boost, 16 GB GDDR6X on 256 bits at 23 Gbps)",
    "https://www.nvidia.com/en-us/geforce/graphics-cards/40-series/rtx-4080-family/",
)
RTX_5060_TI_PAGE = (
    "NVIDIA, GeForce RTX 5060 family specifications (RTX 5060 Ti: 4,608 CUDA cores = 36 SMs, "
    "2.57 GHz boost, 16 GB GDDR7 on 128 bits at 28 Gbps)",
    "https://www.nvidia.com/en-us/geforce/graphics-cards/50-series/rtx-5060-family/",
)
RTX_5070_TI_PAGE = (
    "NVIDIA, GeForce RTX 5070 family specifications (RTX 5070 Ti: 8,960 CUDA cores = 70 SMs, "
    "2.45 GHz boost, 16 GB GDDR7 on 256 bits at 28 Gbps)",
    "https://www.nvidia.com/en-us/geforce/graphics-cards/50-series/rtx-5070-family/",
)
RTX_5080_PAGE = (
    "NVIDIA, GeForce RTX 5080 specifications (10,752 CUDA cores = 84 SMs, 2.62 GHz boost, "
    "16 GB GDDR7 on 256 bits at 30 Gbps)",
    "https://www.nvidia.com/en-us/geforce/graphics-cards/50-series/rtx-5080/",
)
RTX_6000_ADA_DATASHEET = (
    "NVIDIA RTX 6000 Ada Generation datasheet (18,176 CUDA cores = 142 SMs, 48 GB GDDR6 with "
    "ECC on 384 bits, 960 GB/s, 300 W, 91.1 TFLOPS FP32 = 18,176 × 2 × 2.505 GHz, 1,457 TFLOPS "
    "FP8 tensor with sparsity = 4 × 364.2 dense FP16)",
    "https://www.nvidia.com/content/dam/en-zz/Solutions/design-visualization/rtx-6000/"
    "proviz-print-rtx6000-datasheet-web-2504660.pdf",
)
RTX_PRO_6000_DATASHEET = (
    "NVIDIA RTX PRO 6000 Blackwell Workstation Edition datasheet (24,064 CUDA cores = 188 SMs, "
    "96 GB GDDR7 with ECC on 512 bits, 1,792 GB/s, 600 W, 125 TFLOPS FP32, 4,000 AI TOPS: FP4 "
    "with sparsity). Not the Server Edition, whose datasheet gives 1,597 GB/s",
    "https://www.nvidia.com/content/dam/en-zz/Solutions/data-center/rtx-pro-6000-blackwell-"
    "workstation-edition/workstation-blackwell-rtx-pro-6000-workstation-edition-nvidia-us-"
    "3519208-web.pdf",
)
RTX_PRO_BLACKWELL_WHITEPAPER = (
    "NVIDIA RTX Blackwell PRO GPU Architecture whitepaper v1.0, Appendix A, Table 4 (RTX PRO "
    "6000 Blackwell Workstation Edition: BF16 tensor with FP32 accumulate 503.8 / 1,007.6 "
    "TFLOPS = 188 SMs × 1,024 × 2.617 GHz; RTX 6000 Ada: 364 / 728, dense / with sparsity)",
    "https://www.nvidia.com/content/dam/en-zz/Solutions/design-visualization/"
    "quadro-product-literature/NVIDIA-RTX-Blackwell-PRO-GPU-Architecture-v1.0.pdf",
)
L4_DATASHEET = (
    "NVIDIA L4 datasheet (24 GB GDDR6, 300 GB/s, 242 TFLOPS FP16 tensor with sparsity); "
    "AD104 with 58 SMs at 2.04 GHz boost, 192-bit bus",
    "https://www.nvidia.com/en-us/data-center/l4/",
)
L40S_DATASHEET = (
    "NVIDIA L40S datasheet (18,176 CUDA cores = 142 SMs, 48 GB GDDR6 with ECC, 864 GB/s, "
    "FP16 tensor 362.05 TFLOPS dense, 733 with sparsity); 2.52 GHz boost, 18 Gbps on 384 bits",
    "https://www.nvidia.com/en-us/data-center/l40s/",
)
A100_SPEC = (
    "NVIDIA A100 datasheet (80 GB HBM2e, 2,039 GB/s SXM; 312 TFLOPS FP16 tensor dense) and "
    "A100 whitepaper (108 SMs, 1.41 GHz boost, 5,120-bit HBM2e interface)",
    A100_DATASHEET,
)
H100_WHITEPAPER = "https://resources.nvidia.com/en-us-hopper-architecture/nvidia-h100-tensor-c"
H100_SPEC = (
    "NVIDIA H100 whitepaper v1.04, Table 3 (H100 SXM5: 132 SMs, 1,830 MHz boost for the tensor "
    "figures, 80 GB HBM3 on 5,120 bits at 2,619 MHz DDR, 3,352 GB/s, FP16 tensor 989.4 / "
    "1,978.9 TFLOPS dense / with sparsity, 700 W); the H100 datasheet rounds it to 3.35 TB/s",
    H100_WHITEPAPER,
)
H100_PCIE_SPEC = (
    "NVIDIA H100 whitepaper v1.04, Table 3 (H100 PCIe: 114 SMs, 1,620 MHz boost for the tensor "
    "figures (1,755 MHz for FP32/FP64), 80 GB HBM2e on 5,120 bits at 1,593 MHz DDR, 2,039 GB/s, "
    "350 W); the H100 PCIe product brief: more than 2,000 GB/s, 350 W",
    H100_WHITEPAPER,
)
LLMFIT_TABLE = (
    "llmfit's GPU bandwidth table (llmfit-core/src/hardware.rs), which lists the same GB/s",
    "https://github.com/AlexsJones/llmfit",
)

BLACKWELL_DATASHEET = "https://nvdam.widen.net/s/wwnsxrhm2w/blackwell-datasheet-3384703"

# Total memory as nvidia-smi prints it ("used / total" in its Memory-Usage column), from
# published nvidia-smi output a reader can open. NVIDIA's 80, 141 and 180 GB are binary, like the
# catalog's VRAM, and the driver keeps a little back: 79.6, 140.4 and 179.1 GiB. Every card of a
# kind prints the same total (the same figures appear in many unrelated public logs).
H100_PCIE_SMI = (
    "nvidia-smi output in NVIDIA/TensorRT-LLM issue 1868 (driver 550.90.07): NVIDIA H100 PCIe, "
    "350 W, 1MiB / 81559MiB",
    "https://github.com/NVIDIA/TensorRT-LLM/issues/1868",
)
H200_SMI = (
    "nvidia-smi output in NVIDIA/TensorRT-LLM issue 9554 (driver 570.148.08): NVIDIA H200, "
    "700 W, 0MiB / 143771MiB",
    "https://github.com/NVIDIA/TensorRT-LLM/issues/9554",
)
B200_SMI = (
    "nvidia-smi output in NVIDIA/TensorRT-LLM issue 10278 (driver 580.95.05): NVIDIA B200, "
    "1000 W, 166593MiB / 183359MiB",
    "https://github.com/NVIDIA/TensorRT-LLM/issues/10278",
)
B200_SOURCE = (
    "NVIDIA Blackwell datasheet, Individual Blackwell GPU Specifications: {}: {} PFLOPS FP16/BF16 "
    "tensor with sparsity (dense is half, the datasheet's note)"
)


@dataclass(frozen=True)
class GPU:
    slug: str
    name: str
    short_name: str
    # The consumer-card spec sheet (the GPU pages): marketed memory in GiB, its bus, bandwidth
    # and chip.
    vram_gib: int | None = None
    memory: str = ""  # bus width, memory type and data rate
    bus_bits: int | None = None
    data_rate_gbps: float | None = None
    bandwidth_gb_s: int | None = None
    architecture: str = ""
    chip: str = ""
    sms: int | None = None
    boost_ghz: float | None = None
    launch: str = ""
    # Dense (no sparsity) FP16 tensor-core TFLOPS with FP16 accumulation. GeForce cards halve it
    # with FP32 accumulation (what training uses); the professional and data-centre cards run
    # both at the full rate.
    fp16_tensor_tflops: float | None = None
    fp16_fp32acc_tflops: float | None = None
    fp16_source: str = ""
    sources: tuple[tuple[str, str], ...] = ()
    # Total memory as nvidia-smi reports it (MiB), read from published nvidia-smi output of the
    # card: PyTorch sees a little less (the activation-memory tool keeps a reserve for that).
    smi_memory_mib: int | None = None
    smi_source: tuple[str, str] | None = None  # (what it shows, where) for the figure above
    # Dense (no 2:4 sparsity) BF16 tensor throughput for training estimates. Datasheets print
    # the sparse figure, twice these, usually with an asterisk.
    dense_bf16_tflops: float | None = None
    peak_source: str = ""
    peak_url: str = ""
    aliases: tuple[str, ...] = ()
    # Dense FP16 tensor FLOP per clock per SM: 1024 on GA10x, Ada and consumer Blackwell (4 tensor
    # cores of 128 FMA), 2048 on GA100 (A100 whitepaper: 1024 FMA per SM) and 4096 on GH100 (H100
    # whitepaper: twice the A100's per SM and clock).
    fp16_flops_per_sm_clock: int = 1024

    @property
    def vram_bytes(self) -> int:
        return self.vram_gib * GIB

    @property
    def smi_memory_bytes(self) -> int:
        return self.smi_memory_mib * MIB

    @property
    def derived_fp16_tflops(self) -> float:
        """SMs × dense FP16 FLOP per clock per SM × boost clock."""
        return self.sms * self.fp16_flops_per_sm_clock * self.boost_ghz / 1000


GPUS: tuple[GPU, ...] = (
    GPU(
        "a100-40gb", "NVIDIA A100 40GB", "A100 40GB",
        smi_memory_mib=40_960,
        dense_bf16_tflops=312.0,
        peak_source="NVIDIA A100 datasheet: 624 TFLOPS BF16 with sparsity",
        peak_url=A100_DATASHEET,
    ),
    GPU(
        # The flagship's "a100" covers any A100: its peak does not depend on the memory.
        # The card page describes the SXM module (2,039 GB/s; the PCIe card has 1,935).
        "a100-80gb", "NVIDIA A100 80GB", "A100 80GB",
        vram_gib=80,
        # HBM2e's per-pin rate is not printed by NVIDIA: 2,039 GB/s ÷ 640 bytes per transfer.
        memory="5,120-bit HBM2e, 3.19 Gbps", bus_bits=5120, data_rate_gbps=3.1859375,
        bandwidth_gb_s=2039, architecture="Ampere", chip="GA100", sms=108, boost_ghz=1.41,
        launch="November 2020", fp16_tensor_tflops=312.0, fp16_fp32acc_tflops=312.0,
        fp16_source="A100 datasheet: 312 TFLOPS FP16 tensor dense (624 with sparsity), either "
        "accumulation",
        sources=(A100_SPEC,),
        fp16_flops_per_sm_clock=2048,
        smi_memory_mib=81_920,
        dense_bf16_tflops=312.0,
        peak_source="NVIDIA A100 datasheet: 624 TFLOPS BF16 with sparsity",
        peak_url=A100_DATASHEET,
        aliases=("a100",),
    ),
    GPU(
        # nvidia-smi names it "NVIDIA H100 80GB HBM3".
        "h100-sxm", "NVIDIA H100 SXM 80GB", "H100 SXM",
        vram_gib=80,
        # The whitepaper's 2,619 MHz DDR is 5.238 Gbps per pin; 3,352 GB/s ÷ 640 bytes per
        # transfer = 5.2375 (NVIDIA rounds the product to 3,352).
        memory="5,120-bit HBM3, 5.24 Gbps", bus_bits=5120, data_rate_gbps=5.2375,
        bandwidth_gb_s=3352, architecture="Hopper", chip="GH100", sms=132, boost_ghz=1.83,
        launch="September 2022", fp16_tensor_tflops=989.4, fp16_fp32acc_tflops=989.4,
        fp16_source="H100 whitepaper Table 3: 989.4 TFLOPS FP16 tensor dense, 1,978.9 with "
        "sparsity (132 SMs × 4,096 FLOP per clock × 1.83 GHz), either accumulation",
        sources=(H100_SPEC,),
        fp16_flops_per_sm_clock=4096,
        smi_memory_mib=81_559,
        dense_bf16_tflops=989.4,
        peak_source="NVIDIA H100 datasheet: 1,979 TFLOPS BF16 with sparsity",
        peak_url=H100_DATASHEET,
        aliases=("h100-80gb",),
    ),
    GPU(
        # nvidia-smi names it "NVIDIA H100 PCIe". Its card page (and XiongjieDai's llama.cpp rows,
        # gpu_fit/measurements.py) describe the 80 GB HBM2e card of the whitepaper, not the
        # later H100 NVL (94 GB HBM3, 3.9 TB/s).
        "h100-pcie", "NVIDIA H100 PCIe 80GB", "H100 PCIe",
        vram_gib=80,
        # 1,593 MHz DDR = 3.186 Gbps per pin (the A100 80GB's HBM2e rate): 640 bytes per
        # transfer × 3.186 = 2,039 GB/s, which NVIDIA prints.
        memory="5,120-bit HBM2e, 3.19 Gbps", bus_bits=5120, data_rate_gbps=3.1859375,
        bandwidth_gb_s=2039, architecture="Hopper", chip="GH100", sms=114, boost_ghz=1.62,
        launch="September 2022", fp16_tensor_tflops=756.0, fp16_fp32acc_tflops=756.0,
        fp16_source="H100 whitepaper Table 3 and the 2022 H100 datasheet: 1,513 TFLOPS FP16 "
        "tensor with sparsity, 756 dense (114 SMs × 4,096 FLOP per clock × 1.62 GHz = 756.4), "
        "either accumulation",
        sources=(H100_PCIE_SPEC,),
        fp16_flops_per_sm_clock=4096,
        smi_memory_mib=81_559,  # the H100 SXM's total too: the same 80 GB, the same reserve
        smi_source=H100_PCIE_SMI,
        dense_bf16_tflops=756.0,
        peak_source="NVIDIA H100 whitepaper, Table 3: H100 PCIe, 1,513 TFLOPS BF16 with sparsity",
        peak_url=H100_WHITEPAPER,
    ),
    GPU(
        "h200", "NVIDIA H200 SXM", "H200",
        architecture="Hopper",
        smi_memory_mib=143_771,
        smi_source=H200_SMI,
        dense_bf16_tflops=989.4,
        peak_source="NVIDIA H200 product page: 1,979 TFLOPS BF16 with sparsity (H100 compute)",
        peak_url="https://www.nvidia.com/en-us/data-center/h200/",
    ),
    GPU(
        "b200", "NVIDIA B200 (HGX, 1,000 W)", "B200",
        architecture="Blackwell",
        smi_memory_mib=183_359,
        smi_source=B200_SMI,
        dense_bf16_tflops=2250.0,
        peak_source=B200_SOURCE.format("HGX B200", "4.5"),
        peak_url=BLACKWELL_DATASHEET,
    ),
    GPU(
        "gb200", "NVIDIA B200 in GB200 (1,200 W)", "GB200",
        architecture="Blackwell",
        dense_bf16_tflops=2500.0,
        peak_source=B200_SOURCE.format("GB200 NVL72", "5"),
        peak_url=BLACKWELL_DATASHEET,
    ),
    GPU(
        "rtx-3060-12gb", "NVIDIA GeForce RTX 3060 12GB", "RTX 3060 12GB", 12,
        "192-bit GDDR6, 15 Gbps", 192, 15, 360, "Ampere", "GA106", 28, 1.777, "February 2021",
        51.0, 25.5,
        "derived: 28 SMs × 1024 FLOP/clock × 1.777 GHz (the per-SM rate of the GA102 "
        "whitepaper, which covers the larger chip of the same architecture)",
        (RTX_3060_PAGE, GA102_WHITEPAPER, LLMFIT_TABLE),
    ),
    GPU(
        "rtx-4060-ti-16gb", "NVIDIA GeForce RTX 4060 Ti 16GB", "RTX 4060 Ti 16GB", 16,
        "128-bit GDDR6, 18 Gbps", 128, 18, 288, "Ada Lovelace", "AD106", 34, 2.535, "July 2023",
        88.3, 44.1,
        "derived: 34 SMs × 1024 FLOP/clock × 2.535 GHz (the per-SM rate of the Ada "
        "whitepaper, which covers the RTX 4090)",
        (RTX_4060_TI_PAGE, ADA_WHITEPAPER, LLMFIT_TABLE),
    ),
    GPU(
        "rtx-3090-24gb", "NVIDIA GeForce RTX 3090 24GB", "RTX 3090 24GB", 24,
        "384-bit GDDR6X, 19.5 Gbps", 384, 19.5, 936, "Ampere", "GA102", 82, 1.695,
        "September 2020",
        142.0, 71.0, "GA102 whitepaper, Appendix A (142 / 71 TFLOPS dense)",
        (GA102_WHITEPAPER, LLMFIT_TABLE),
    ),
    GPU(
        "rtx-4090-24gb", "NVIDIA GeForce RTX 4090 24GB", "RTX 4090 24GB", 24,
        "384-bit GDDR6X, 21 Gbps", 384, 21, 1008, "Ada Lovelace", "AD102", 128, 2.52,
        "October 2022",
        330.3, 165.2, "Ada whitepaper, Appendix A (330.3 / 165.2 TFLOPS dense)",
        (ADA_WHITEPAPER, LLMFIT_TABLE),
        smi_memory_mib=24_564,
        dense_bf16_tflops=165.2,
        peak_source="NVIDIA Ada Lovelace whitepaper, Appendix A: BF16 with FP32 accumulate",
        peak_url=ADA_WHITEPAPER[1],
        aliases=("rtx-4090",),
    ),
    GPU(
        "rtx-5090-32gb", "NVIDIA GeForce RTX 5090 32GB", "RTX 5090 32GB", 32,
        "512-bit GDDR7, 28 Gbps", 512, 28, 1792, "Blackwell", "GB202", 170, 2.407,
        "January 2025",
        419.0, 209.5,
        "NVIDIA's 838 TFLOPS FP16 tensor is with sparsity, 419 dense; the RTX Blackwell "
        "whitepaper's Table 3 gives 209.5 / 419 with FP32 accumulate (dense / with sparsity): "
        "GeForce Blackwell halves it too",
        (BLACKWELL_WHITEPAPER, LLMFIT_TABLE),
    ),
    GPU(
        "rtx-3080-10gb", "NVIDIA GeForce RTX 3080 10GB", "RTX 3080 10GB", 10,
        "320-bit GDDR6X, 19 Gbps", 320, 19, 760, "Ampere", "GA102", 68, 1.71, "September 2020",
        119.0, 59.5, "GA102 whitepaper, Appendix A (119 / 59.5 TFLOPS dense)",
        (RTX_3080_PAGE, GA102_WHITEPAPER),
    ),
    GPU(
        "rtx-4070-12gb", "NVIDIA GeForce RTX 4070 12GB", "RTX 4070 12GB", 12,
        "192-bit GDDR6X, 21 Gbps", 192, 21, 504, "Ada Lovelace", "AD104", 46, 2.475,
        "April 2023",
        116.6, 58.3,
        "derived: 46 SMs × 1024 FLOP/clock × 2.475 GHz (the per-SM rate of the Ada whitepaper, "
        "which covers the RTX 4090); half that with FP32 accumulation, as on every GeForce card",
        (RTX_4070_PAGE, ADA_WHITEPAPER),
    ),
    GPU(
        "rtx-4070-ti-super-16gb", "NVIDIA GeForce RTX 4070 Ti SUPER 16GB",
        "RTX 4070 Ti SUPER 16GB", 16,
        "256-bit GDDR6X, 21 Gbps", 256, 21, 672, "Ada Lovelace", "AD103", 66, 2.61,
        "January 2024",
        176.4, 88.2,
        "derived: 66 SMs × 1024 FLOP/clock × 2.61 GHz (the per-SM rate of the Ada whitepaper)",
        (RTX_4070_TI_SUPER_PAGE, ADA_WHITEPAPER),
    ),
    GPU(
        "rtx-4080-super-16gb", "NVIDIA GeForce RTX 4080 SUPER 16GB", "RTX 4080 SUPER 16GB", 16,
        "256-bit GDDR6X, 23 Gbps", 256, 23, 736, "Ada Lovelace", "AD103", 80, 2.55,
        "January 2024",
        208.9, 104.4,
        "derived: 80 SMs × 1024 FLOP/clock × 2.55 GHz (the per-SM rate of the Ada whitepaper)",
        (RTX_4080_SUPER_PAGE, ADA_WHITEPAPER),
    ),
    GPU(
        "rtx-5060-ti-16gb", "NVIDIA GeForce RTX 5060 Ti 16GB", "RTX 5060 Ti 16GB", 16,
        "128-bit GDDR7, 28 Gbps", 128, 28, 448, "Blackwell", "GB206", 36, 2.572, "April 2025",
        94.8, 47.4,
        "derived: 36 SMs × 1024 FLOP/clock × 2.572 GHz (the RTX 5090's dense rate per SM and "
        "clock: 838 TFLOPS with sparsity ÷ 2 ÷ 170 SMs ÷ 2.407 GHz); half that with FP32 "
        "accumulation, as the RTX Blackwell whitepaper gives the RTX 5090",
        (RTX_5060_TI_PAGE, BLACKWELL_WHITEPAPER),
    ),
    GPU(
        "rtx-5070-ti-16gb", "NVIDIA GeForce RTX 5070 Ti 16GB", "RTX 5070 Ti 16GB", 16,
        "256-bit GDDR7, 28 Gbps", 256, 28, 896, "Blackwell", "GB203", 70, 2.452,
        "February 2025",
        175.8, 87.9,
        "derived: 70 SMs × 1024 FLOP/clock × 2.452 GHz (the RTX 5090's dense rate per SM and "
        "clock); half that with FP32 accumulation, as the RTX Blackwell whitepaper gives the "
        "RTX 5090",
        (RTX_5070_TI_PAGE, BLACKWELL_WHITEPAPER),
    ),
    GPU(
        "rtx-5080-16gb", "NVIDIA GeForce RTX 5080 16GB", "RTX 5080 16GB", 16,
        "256-bit GDDR7, 30 Gbps", 256, 30, 960, "Blackwell", "GB203", 84, 2.617,
        "January 2025",
        225.1, 112.6,
        "derived: 84 SMs × 1024 FLOP/clock × 2.617 GHz (the RTX 5090's dense rate per SM and "
        "clock); half that with FP32 accumulation, as the RTX Blackwell whitepaper gives the "
        "RTX 5090",
        (RTX_5080_PAGE, BLACKWELL_WHITEPAPER),
    ),
    GPU(
        "rtx-6000-ada-48gb", "NVIDIA RTX 6000 Ada Generation 48GB", "RTX 6000 Ada 48GB", 48,
        "384-bit GDDR6 with ECC, 20 Gbps", 384, 20, 960, "Ada Lovelace", "AD102", 142, 2.505,
        "December 2022",
        364.2, 364.2,
        "RTX 6000 Ada datasheet: 1,457 TFLOPS FP8 with sparsity, a quarter of it FP16 dense; "
        "the RTX PRO Blackwell whitepaper gives it 364.2 dense with FP32 accumulation (the "
        "professional cards keep the full rate)",
        (RTX_6000_ADA_DATASHEET, RTX_PRO_BLACKWELL_WHITEPAPER, ADA_WHITEPAPER),
    ),
    GPU(
        "rtx-pro-6000-96gb", "NVIDIA RTX PRO 6000 Blackwell 96GB", "RTX PRO 6000 Blackwell 96GB",
        96,
        "512-bit GDDR7 with ECC, 28 Gbps", 512, 28, 1792, "Blackwell", "GB202", 188, 2.617,
        "April 2025",
        503.8, 503.8,
        "RTX PRO Blackwell whitepaper, Table 4: 503.8 TFLOPS BF16 tensor dense with FP32 "
        "accumulate (1,007.6 with sparsity), the full rate of a professional card; the "
        "datasheet's 4,000 AI TOPS is FP4 with sparsity, 8 × 503.8 rounded",
        (RTX_PRO_6000_DATASHEET, RTX_PRO_BLACKWELL_WHITEPAPER),
    ),
    GPU(
        "l4-24gb", "NVIDIA L4 24GB", "L4 24GB", 24,
        "192-bit GDDR6, 12.5 Gbps", 192, 12.5, 300, "Ada Lovelace", "AD104", 58, 2.04,
        "March 2023",
        121.0, 121.0,
        "L4 datasheet: 242 TFLOPS FP16 tensor with sparsity, 121 dense, either accumulation",
        (L4_DATASHEET, ADA_WHITEPAPER),
    ),
    GPU(
        "l40s-48gb", "NVIDIA L40S 48GB", "L40S 48GB", 48,
        "384-bit GDDR6 with ECC, 18 Gbps", 384, 18, 864, "Ada Lovelace", "AD102", 142, 2.52,
        "August 2023",
        362.05, 362.05,
        "L40S datasheet: 362.05 TFLOPS FP16 tensor dense, either accumulation (its 733 with "
        "sparsity is twice 366.4, the 142 SMs × 1024 × 2.52 GHz this table derives)",
        (L40S_DATASHEET, ADA_WHITEPAPER),
    ),
    GPU(
        "rtx-a6000-48gb", "NVIDIA RTX A6000 48GB", "RTX A6000 48GB", 48,
        "384-bit GDDR6 with ECC, 16 Gbps", 384, 16, 768, "Ampere", "GA102", 84, 1.8,
        "October 2020",
        154.8, 154.8, "GA102 whitepaper, Table 3 (154.8 TFLOPS dense, either accumulation)",
        (GA102_WHITEPAPER, LLMFIT_TABLE),
    ),
)  # fmt: skip

BY_ID = {id_: g for g in GPUS for id_ in (g.slug, *g.aliases)}


def get(gpu_id: str) -> GPU:
    """The GPU by its slug or any alias (KeyError for an unknown id)."""
    return BY_ID[gpu_id]
