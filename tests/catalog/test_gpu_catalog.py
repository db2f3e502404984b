"""The one GPU catalog: every id a tool has taken still names the same GPU, with the figures
that tool used before the catalog was merged (the datasheets and nvidia-smi output they cite)."""

import pytest

from activation_memory.forms import GPU_IDS
from calculators.catalog import gpus
from calculators.catalog.memory import MIB
from calculators.engine.budget import TRAINING_GPUS
from gpu_fit.cards import CARDS


def test_every_id_any_tool_offers_resolves_to_one_gpu():
    ids = [*TRAINING_GPUS, *GPU_IDS, *(c.slug for c in CARDS)]
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
    # Dense BF16 peaks: half the datasheets' sparse figures (A100 624, H200 1,979 TFLOPS);
    # the RTX 4090's BF16 with FP32 accumulate is the Ada whitepaper's 165.2, which the card
    # page also prints as its FP32-accumulate FP16 rate.
    assert gpus.get("a100").dense_bf16_tflops == 624 / 2
    assert gpus.get("h200").dense_bf16_tflops == pytest.approx(1979 / 2, abs=0.2)
    rtx_4090 = gpus.get("rtx-4090")
    assert rtx_4090.dense_bf16_tflops == rtx_4090.fp16_fp32acc_tflops == 165.2
    assert rtx_4090.vram_gib == 24 and rtx_4090.bandwidth_gb_s == 1008


def test_an_unknown_id_is_a_key_error():
    with pytest.raises(KeyError):
        gpus.get("rtx-9999")
