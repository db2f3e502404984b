"""The one GPU catalog: every id a tool has taken still names the same GPU, with the figures
that tool used before the catalog was merged (the datasheets and nvidia-smi output they cite)."""

import pytest

from calculators.catalog import gpus
from calculators.catalog.memory import MIB
from gpu_fit.cards import CARDS
from tests.catalog.gpu_ids import OLD_IDS, catalog_gpu_fields


def test_every_id_any_tool_offers_resolves_to_one_gpu():
    offered = [value for f in catalog_gpu_fields().values() for value, _ in f.choices]
    old = [i for ids in OLD_IDS.values() for i in ids]
    ids = [i for i in [*offered, *old, *(c.slug for c in CARDS)] if i != "custom"]
    for gpu_id in ids:
        assert gpus.get(gpu_id).slug in {g.slug for g in gpus.GPUS}
    # Each GPU once: an alias never names a second entry.
    assert len(gpus.BY_ID) == sum(1 + len(g.aliases) for g in gpus.GPUS)


@pytest.mark.parametrize(
    ("flagship_id", "memory_id"),
    [("h100-sxm", "h100-80gb"), ("a100", "a100-80gb"), ("rtx-4090", "rtx-4090-24gb")],
)
def test_the_tools_old_ids_for_the_same_card_are_one_entry(flagship_id, memory_id):
    assert gpus.get(flagship_id) is gpus.get(memory_id)


def test_figures_the_tools_used_before_the_merge():
    # nvidia-smi totals in MiB, as published nvidia-smi output shows them.
    assert gpus.get("h100-80gb").smi_memory_bytes == 81_559 * MIB
    assert gpus.get("a100-80gb").smi_memory_bytes == 81_920 * MIB
    assert gpus.get("a100-40gb").smi_memory_bytes == 40_960 * MIB
    assert gpus.get("rtx-4090-24gb").smi_memory_bytes == 24_564 * MIB
    # Added with their sources (nvidia-smi in NVIDIA/TensorRT-LLM issues 9554, 10278, 1868):
    # "0MiB / 143771MiB" (NVIDIA H200, 700 W), "166593MiB / 183359MiB" (NVIDIA B200, 1000 W),
    # "1MiB / 81559MiB" (NVIDIA H100 PCIe, 350 W).
    assert gpus.get("h200").smi_memory_bytes == 143_771 * 2**20
    assert gpus.get("b200").smi_memory_bytes == 183_359 * 2**20
    assert gpus.get("h100-pcie").smi_memory_bytes == 81_559 * 2**20
    # Dense BF16 peaks: half the datasheets' sparse figures (A100 624, H200 1,979 TFLOPS);
    # the RTX 4090's BF16 with FP32 accumulate is the Ada whitepaper's 165.2, which the card
    # page also prints as its FP32-accumulate FP16 rate.
    assert gpus.get("a100").dense_bf16_tflops == 624 / 2
    assert gpus.get("h200").dense_bf16_tflops == pytest.approx(1979 / 2, abs=0.2)
    rtx_4090 = gpus.get("rtx-4090")
    assert rtx_4090.dense_bf16_tflops == rtx_4090.fp16_fp32acc_tflops == 165.2
    assert rtx_4090.vram_gib == 24 and rtx_4090.bandwidth_gb_s == 1008


def test_every_cited_nvidia_smi_total_names_where_it_was_read():
    for g in gpus.GPUS:
        if g.smi_source:
            assert g.smi_memory_mib and f"{g.smi_memory_mib}MiB" in g.smi_source[0], g.slug
            assert g.smi_source[1].startswith("https://"), g.slug


def test_an_unknown_id_is_a_key_error():
    with pytest.raises(KeyError):
        gpus.get("rtx-9999")


# --- The card pages' spec sheets (issue 15: at least 16 cards) --------------------------------

NEW_CARDS = (
    "rtx-3080-10gb", "rtx-4070-12gb", "rtx-4070-ti-super-16gb", "rtx-4080-super-16gb",
    "rtx-5060-ti-16gb", "rtx-5070-ti-16gb", "rtx-5080-16gb", "rtx-6000-ada-48gb",
    "rtx-pro-6000-96gb", "l4-24gb", "l40s-48gb", "a100-80gb", "h100-sxm", "h100-pcie",
)  # fmt: skip
card_ids = [c.slug for c in CARDS]


def test_at_least_sixteen_cards_keeping_the_first_six():
    first_six = ["rtx-3060-12gb", "rtx-4060-ti-16gb", "rtx-3090-24gb", "rtx-4090-24gb"]
    first_six += ["rtx-5090-32gb", "rtx-a6000-48gb"]
    assert card_ids[:6] == first_six
    assert set(NEW_CARDS) <= set(card_ids) and len(set(card_ids)) == len(card_ids) >= 16
    # The data-centre cards are the training GPUs the other tools use, not copies.
    assert gpus.get("a100") is gpus.get("a100-80gb") and gpus.get("h100-80gb").slug == "h100-sxm"


@pytest.mark.parametrize("card", CARDS, ids=card_ids)
def test_every_card_has_a_cited_spec_sheet(card):
    for field in ("vram_gib", "bus_bits", "data_rate_gbps", "bandwidth_gb_s", "sms", "boost_ghz"):
        assert getattr(card, field), field
    assert card.fp16_tensor_tflops and card.fp16_source and card.architecture and card.chip
    assert card.sources and all(url.startswith("https://") for _, url in card.sources)


@pytest.mark.parametrize("card", CARDS, ids=card_ids)
def test_bandwidth_is_bus_width_times_data_rate(card):
    # GDDR: bus bits ÷ 8 × Gbps per pin, exactly the GB/s NVIDIA prints. HBM (A100, H100):
    # NVIDIA prints only the GB/s; the per-pin rate is that ÷ 640 bytes.
    assert abs(card.bus_bits / 8 * card.data_rate_gbps - card.bandwidth_gb_s) < 0.5


# Dense FP16 tensor TFLOPS as NVIDIA states them (sparse figures halved, FP8 quartered, FP4
# eighthed), typed here from the sources named, against SMs × FLOP per SM and clock × boost.
NVIDIA_FP16_DENSE = {
    "rtx-3080-10gb": 119.0,  # GA102 whitepaper (as third-party tables quote it)
    "rtx-3090-24gb": 142.0,  # GA102 whitepaper, Appendix A
    "rtx-a6000-48gb": 154.8,  # GA102 whitepaper, Table 3
    "rtx-4090-24gb": 330.3,  # Ada whitepaper, Appendix A
    "rtx-5090-32gb": 838 / 2,  # RTX Blackwell whitepaper, Table 3: 838 with sparsity
    "rtx-6000-ada-48gb": 1457 / 4,  # RTX 6000 Ada datasheet: 1,457 FP8 with sparsity
    "rtx-pro-6000-96gb": 503.8,  # RTX PRO Blackwell whitepaper, Table 4 (4,000 AI TOPS ≈ 8 ×)
    "l4-24gb": 242 / 2,  # L4 datasheet: 242 with sparsity
    "l40s-48gb": 733 / 2,  # L40S datasheet: 733 with sparsity (its dense column says 362.05)
    "a100-80gb": 312.0,  # A100 datasheet
    "h100-sxm": 1979 / 2,  # H100 datasheet: 1,979 with sparsity
    "h100-pcie": 1513 / 2,  # H100 whitepaper, Table 3 / 2022 datasheet: 1,513 with sparsity
}


@pytest.mark.parametrize("slug", list(NVIDIA_FP16_DENSE))
def test_fp16_from_sms_and_clock_matches_nvidias_figure(slug):
    card = gpus.get(slug)
    assert card.derived_fp16_tflops == pytest.approx(NVIDIA_FP16_DENSE[slug], rel=0.01)
    assert card.fp16_tensor_tflops == pytest.approx(NVIDIA_FP16_DENSE[slug], rel=0.013)


@pytest.mark.parametrize("card", CARDS, ids=card_ids)
def test_printed_fp16_agrees_with_the_derivation(card):
    # The cards whose FP16 rate NVIDIA does not print (RTX 4070 to 4080 SUPER, 5060 Ti to
    # 5080) carry the derivation itself, with the per-SM rate of their architecture's
    # whitepaper card; the L40S's dense column (362.05) is 1.2 % below twice its sparse half.
    assert card.fp16_tensor_tflops == pytest.approx(card.derived_fp16_tflops, rel=0.013)
    if card.fp16_fp32acc_tflops:
        geforce = "GeForce" in card.name
        ratio = 0.5 if geforce else 1.0  # GeForce halves it with FP32 accumulation
        assert card.fp16_fp32acc_tflops == pytest.approx(card.fp16_tensor_tflops * ratio, 0.01)


@pytest.mark.parametrize("slug", NEW_CARDS)
def test_each_new_card_page_renders_and_is_linked_from_the_index(client, slug):
    card = gpus.get(slug)
    r = client.get(f"/gpus/{slug}/")
    assert r.status_code == 200
    assert f"What LLM can an {card.short_name} run?" in r.content.decode()
    assert f'href="/gpus/{slug}/' in client.get("/gpus/").content.decode()
