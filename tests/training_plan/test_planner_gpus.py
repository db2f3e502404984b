"""The GPUs the planner offers: each with its memory as nvidia-smi prints it, its peak and its
links from the one catalog, each figure against the source it is typed from; the GPUs still
missing a figure are refused with a message naming it."""

import re

import pytest

from calculators.catalog import gpus, interconnect
from calculators.kit.errors import InputError
from training_plan.engine import Pins, Run, catalog_shape, cluster, plan, planner_gpus

URL = "/training-plan/"
MIB = 2**20

# nvidia-smi's total ("used / total" in the Memory-Usage column), typed from the output quoted:
NVIDIA_SMI_MIB = {
    # https://github.com/NVIDIA/TensorRT-LLM/issues/9554 (driver 570.148.08):
    # "|   0  NVIDIA H200   On | ... |  N/A 31C P0 78W / 700W |  0MiB / 143771MiB |"
    "h200": 143771,
    # https://github.com/NVIDIA/TensorRT-LLM/issues/10278 (driver 580.95.05):
    # "|   0  NVIDIA B200   On | ... |  N/A 33C P0 192W / 1000W |  166593MiB / 183359MiB |"
    "b200": 183359,
    # https://github.com/NVIDIA/TensorRT-LLM/issues/1868 (driver 550.90.07):
    # "|   0  NVIDIA H100 PCIe   On | ... |  N/A 38C P0 50W / 350W |  1MiB / 81559MiB |"
    "h100-pcie": 81559,
}

# Llama 3.1 70B's architecture is Llama 3.3 70B's (the catalog keeps the later release).
LLAMA_70B = "llama-3.3-70b"
RUN = Run(seq_len=8192, global_batch=512, train_tokens=10**12)


@pytest.mark.parametrize("slug", list(NVIDIA_SMI_MIB))
def test_capacity_is_the_nvidia_smi_total(slug):
    c = cluster(slug, 8, 8)
    assert c.capacity_bytes == NVIDIA_SMI_MIB[slug] * MIB
    # The catalog says where the figure comes from, with an address a reader can open.
    source = gpus.get(slug).smi_source
    assert f"{NVIDIA_SMI_MIB[slug]}MiB" in source[0]
    assert source[1].startswith("https://github.com/NVIDIA/TensorRT-LLM/issues/")


@pytest.mark.parametrize(
    "slug, model, gpus_total",
    [("h200", LLAMA_70B, 64), ("b200", LLAMA_70B, 64), ("h100-pcie", "llama-3.1-8b", 8)],
)
def test_a_plan_computes_and_fits(slug, model, gpus_total):
    run = RUN if gpus_total > 8 else Run(8192, 64, 10**11)
    result = plan(catalog_shape(model), cluster(slug, gpus_total, 8), run)
    best = result.best
    assert best is not None and best.fits
    assert best.tp * best.pp * best.cp * best.dp == gpus_total
    assert best.memory.total <= result.usable_bytes < NVIDIA_SMI_MIB[slug] * MIB
    # MFU is model FLOPs over the GPUs' dense peak: a fraction, never above the fitted 0.68.
    assert 0 < best.mfu < 0.68


def test_h200_is_h100_compute_with_more_memory():
    # NVIDIA's H200 page: 1,979 TFLOPS BF16 with sparsity and NVLink 900 GB/s, the H100 SXM
    # datasheet's figures. A pinned layout takes the same time on both; only what fits differs.
    pins = Pins(tp=8, pp=1, cp=1, micro_batch=1, recompute="none", zero=1)
    h100, h200 = (
        plan(catalog_shape(LLAMA_70B), cluster(slug, 64, 8), RUN, pins).plans[0]
        for slug in ("h100-sxm", "h200")
    )
    assert h200.seconds_per_step == h100.seconds_per_step
    assert h200.memory.total == h100.memory.total
    assert (h100.fits, h200.fits) == (False, True)  # usable: 71.7 GiB against 126.4 GiB


def test_h100_pcie_runs_collectives_at_pcie_5_x16():
    # PCI Express 5.0 x16: 32 GT/s per lane, 16 lanes, 128b/130b encoding, each way (PCI-SIG).
    # The H100 datasheet's PCIe Gen5 128 GB/s counts both directions; its NVLink bridge's
    # 600 GB/s joins two cards only, so a node of eight talks over PCIe.
    link = interconnect.get("h100-pcie")
    assert link.intra_gb_s == pytest.approx(32 * 16 * 128 / 130 / 8, abs=0.05)
    assert link.intra_gb_s < 600 / 2 / 4
    assert not link.has_network
    with pytest.raises(InputError) as error:
        cluster("h100-pcie", 16, 8)
    assert error.value.field == "gpus"


def test_the_select_offers_them(client):
    page = client.get(URL).content.decode()
    select = re.search(r'<select[^>]*name="gpu".*?</select>', page, re.S).group(0)
    offered = re.findall(r'<option value="([^"]+)"', select)
    assert offered == [g.slug for g in planner_gpus()]
    assert {"h100-pcie", "h200", "b200"} <= set(offered)
    assert "gb200" not in offered


@pytest.mark.parametrize(
    "slug, missing",
    [("gb200", "memory capacity or interconnect figures"), ("rtx-5090-32gb", "interconnect")],
)
def test_a_gpu_still_missing_figures_is_refused_by_name(client, slug, missing):
    with pytest.raises(InputError) as error:
        cluster(slug, 8, 8)
    name = gpus.get(slug).name
    assert error.value.field == "gpu"
    assert f"no {missing}" in str(error.value) and name in str(error.value)
    # Over HTTP the GPU field offers only plannable GPUs, so its own message lists them.
    r = client.get(URL, {"gpu": slug, "format": "json"})
    assert r.status_code == 400
    (message,) = r.json()["errors"]["gpu"]
    assert slug not in message and all(g.slug in message for g in planner_gpus())


def test_blackwell_times_say_they_are_unverified(client):
    b200 = client.get(URL, {"gpu": "b200", "model": LLAMA_70B}).content.decode()
    note = re.search(r'data-testid="note-unverified-time">(.*?)</div>', b200, re.S).group(1)
    assert "Hopper curve scaled by the dense BF16 peak of 2,250 TFLOP/s" in note
    assert "unverified against any published B200 BF16 training measurement" in note
    answer = client.get(URL, {"gpu": "b200", "model": LLAMA_70B, "format": "json"}).json()
    assert answer["result"]["time_unverified"] is True
    for slug in ("h200", "h100-sxm", "h100-pcie"):
        page = client.get(URL, {"gpu": slug, "gpus": 8}).content.decode()
        assert "note-unverified-time" not in page, slug
        answer = client.get(URL, {"gpu": slug, "gpus": 8, "format": "json"}).json()
        assert answer["result"]["time_unverified"] is False, slug


def test_the_page_cites_every_offered_gpus_figures(client):
    references = client.get(URL).content.decode()
    for g in planner_gpus():
        link = interconnect.get(g.slug)
        if g.smi_source:
            assert f'href="{g.smi_source[1]}"' in references, g.slug
        if g.slug in NVIDIA_SMI_MIB or g.slug.startswith(("a100", "h100")):
            assert link.intra_source[1] in references, g.slug
            if link.has_network:
                assert link.network_source[1] in references, g.slug
