"""How the GPUs of a training cluster talk to each other: the link inside a node and the network
between nodes, keyed by the slug of the one GPU catalog (calculators/catalog/gpus.py). Pure data.

Bandwidths are per GPU and per direction, in decimal GB/s, because that is what one GPU can push
into a collective. NVIDIA quotes NVLink as the sum of both directions ("600 GB/s" for an A100 is
300 GB/s each way), and network cards in gigabits per second per port (one 200 Gb/s HDR port per
GPU is 25 GB/s each way). Each figure names its source; a GPU with no entry here has no planner
figures (the planner says so rather than guess).

Achieved bandwidth is lower than the line rate: nccl-tests' all-reduce "bus bandwidth" reaches
about 80 % of it on NVLink and InfiniBand, which is the factor the planner applies
(`ACHIEVED_FRACTION`), stated on its page.
"""

from dataclasses import dataclass

ACHIEVED_FRACTION = 0.8

A100_DATASHEET = (
    "NVIDIA A100 datasheet: NVLink 600 GB/s (third-generation NVLink, both directions)",
    "https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/"
    "nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf",
)
H100_DATASHEET = (
    "NVIDIA H100 datasheet: NVLink 900 GB/s (fourth-generation NVLink, both directions)",
    "https://resources.nvidia.com/en-us-tensor-core/nvidia-tensor-core-gpu-datasheet",
)
H200_PAGE = (
    "NVIDIA H200 product page: NVLink 900 GB/s (both directions)",
    "https://www.nvidia.com/en-us/data-center/h200/",
)
B200_PAGE = (
    "NVIDIA DGX B200 datasheet: fifth-generation NVLink, 1.8 TB/s per GPU (both directions); "
    "8 single-port ConnectX-7 VPI, up to 400 Gb/s each",
    "https://resources.nvidia.com/en-us-dgx-systems/dgxb200-datasheet",
)
SELENE = (
    "Narayanan et al. 2021 (arXiv:2104.04473), section 5: Selene's DGX A100 nodes, 8 A100s on "
    "NVLink/NVSwitch and 8 NVIDIA Mellanox 200 Gb/s HDR InfiniBand HCAs for application "
    "traffic, one per GPU",
    "https://arxiv.org/abs/2104.04473",
)
LLAMA3_NETWORK = (
    "Dubey et al. 2024, The Llama 3 Herd of Models (arXiv:2407.21783), section 3.3.1: 8 H100s "
    "per server on NVLink; RoCE or InfiniBand at 400 Gb/s between GPUs",
    "https://arxiv.org/abs/2407.21783",
)
DGX_H100 = (
    "NVIDIA DGX H100/H200 user guide: 8 single-port ConnectX-7 cards, 400 Gb/s InfiniBand/"
    "Ethernet each, for the compute fabric",
    "https://docs.nvidia.com/dgx/dgxh100-user-guide/introduction-to-dgxh100.html",
)
PCIE4 = (
    "PCI Express 4.0 x16: 16 GT/s × 16 lanes, 128b/130b encoding = 31.5 GB/s each way "
    "(PCI-SIG); GeForce and RTX workstation cards have no NVLink switch, so collectives go "
    "through PCIe",
    "https://pcisig.com/specifications",
)
H100_PCIE = (
    "NVIDIA H100 datasheet, PCIe form factor: NVLink 600 GB/s through a bridge that joins two "
    "cards, PCIe Gen5 128 GB/s (both directions); PCI Express 5.0 x16: 32 GT/s × 16 lanes, "
    "128b/130b encoding = 63.0 GB/s each way (PCI-SIG)",
    "https://resources.nvidia.com/en-us-tensor-core/nvidia-tensor-core-gpu-datasheet",
)
PCIE4_X8 = (
    "PCI Express 4.0 x8 (the RTX 4060 Ti's interface): 15.8 GB/s each way (PCI-SIG)",
    "https://pcisig.com/specifications",
)


@dataclass(frozen=True)
class Interconnect:
    intra_node: str  # what links the GPUs of one node
    intra_gb_s: float  # per GPU, per direction
    intra_source: tuple[str, str]
    # Per GPU, per direction; None where no reference system gives a network figure, so plans
    # must stay inside one node.
    network: str | None = None
    network_gb_s: float | None = None
    network_source: tuple[str, str] | None = None

    @property
    def has_network(self) -> bool:
        return self.network_gb_s is not None


def _nvlink(total_gb_s: float) -> float:
    return total_gb_s / 2  # NVIDIA's figure counts both directions


HDR_PER_GPU = 200 / 8  # 200 Gb/s HDR port per GPU, in GB/s
NDR_PER_GPU = 400 / 8

_A100 = Interconnect(
    "NVLink 3 (NVSwitch)",
    _nvlink(600),
    A100_DATASHEET,
    "8 × 200 Gb/s HDR InfiniBand per node (one port per GPU)",
    HDR_PER_GPU,
    SELENE,
)
_H100 = Interconnect(
    "NVLink 4 (NVSwitch)",
    _nvlink(900),
    H100_DATASHEET,
    "8 × 400 Gb/s InfiniBand or RoCE per node (one port per GPU)",
    NDR_PER_GPU,
    LLAMA3_NETWORK,
)

BY_SLUG: dict[str, Interconnect] = {
    "a100-40gb": _A100,
    "a100-80gb": _A100,
    "h100-sxm": _H100,
    "h200": Interconnect(
        "NVLink 4 (NVSwitch)",
        _nvlink(900),
        H200_PAGE,
        "8 × 400 Gb/s InfiniBand or Ethernet per node (one port per GPU)",
        NDR_PER_GPU,
        DGX_H100,
    ),
    "b200": Interconnect(
        "NVLink 5 (NVSwitch)",
        _nvlink(1800),
        B200_PAGE,
        "8 × 400 Gb/s InfiniBand or Ethernet per node (one port per GPU)",
        NDR_PER_GPU,
        B200_PAGE,
    ),
    # Eight H100 PCIe cards in a server are four NVLink-bridged pairs at most: a bridge joins two
    # cards, never more. A collective over more than two GPUs (a ring or tree across the node)
    # crosses PCIe between the pairs, and a ring runs at its slowest link, so the node's figure
    # is PCIe 5.0 x16's 63.0 GB/s each way. Only a group of two inside one bridged pair would get
    # NVLink's 300 GB/s each way; one figure per node cannot say which pair a group lands on, so
    # such plans err slow. No reference cluster of H100 PCIe servers gives a network figure:
    # plans stay inside one node.
    "h100-pcie": Interconnect("PCIe 5.0 x16 (NVLink bridges join pairs only)", 63.0, H100_PCIE),
    "rtx-3060-12gb": Interconnect("PCIe 4.0 x16", 31.5, PCIE4),
    "rtx-4060-ti-16gb": Interconnect("PCIe 4.0 x8", 15.8, PCIE4_X8),
    "rtx-3090-24gb": Interconnect("PCIe 4.0 x16", 31.5, PCIE4),
    "rtx-4090-24gb": Interconnect("PCIe 4.0 x16", 31.5, PCIE4),
    "rtx-a6000-48gb": Interconnect("PCIe 4.0 x16", 31.5, PCIE4),
}


def get(slug: str) -> Interconnect | None:
    return BY_SLUG.get(slug)
