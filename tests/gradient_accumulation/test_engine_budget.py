"""Budget, time and the epoch edge against published figures and PyTorch's documented sampler."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculators.catalog import gpus
from calculators.catalog.budget import (
    accumulation_tradeoff,
    budget,
    epoch_edge,
    optimizer_steps_for,
    throughput,
)


def test_reference_worked_example_8b_on_64_h100():
    # 6 x 8e9 x 4,194,304 / (64 x 989e12 x 0.40) = 7.95 s per step
    rate = throughput(4_194_304, 32, 64, params=8e9, peak_tflops=989, mfu=0.40)
    assert rate.source == "estimated"
    assert round(rate.seconds_per_step, 2) == 7.95
    assert rate.seconds_per_micro_step == pytest.approx(rate.seconds_per_step / 32)


def test_llama3_405b_pure_compute_is_about_67_days():
    # Llama 3 (arXiv 2407.21783): 6 x 405e9 x 15.6e12 = 3.8e25 FLOPs at 400 TFLOPS achieved
    # on 16,384 H100 = 5.8e6 s, about 67 days.
    rate = throughput(16 * 2**20, 16, 16_384, params=405e9, peak_tflops=400, mfu=1.0)
    run = budget(int(15.6e12), 16 * 2**20, rate)
    assert run.run_seconds / 86_400 == pytest.approx(67, abs=0.5)


def test_measured_throughput_wins_and_implies_mfu():
    rate = throughput(
        4_194_304, 32, 64, measured_tokens_per_gpu_s=3000, params=8e9, peak_tflops=989, mfu=0.4
    )
    assert rate.source == "measured" and rate.tokens_per_gpu_s == 3000
    assert rate.mfu == pytest.approx(3000 * 6 * 8e9 / 989e12)
    assert rate.seconds_per_step == pytest.approx(4_194_304 / (3000 * 64))


def test_no_throughput_without_a_measurement_or_a_model():
    assert throughput(4_194_304, 32, 64, peak_tflops=989, mfu=0.4) is None


def test_dense_peaks_are_half_the_sparse_datasheet_figures():
    assert gpus.get("a100").dense_bf16_tflops == 624 / 2
    assert gpus.get("h100-sxm").dense_bf16_tflops == pytest.approx(
        1979 / 2, abs=0.2
    )  # the datasheet rounds 1,978.9
    assert gpus.get("h100-pcie").dense_bf16_tflops == pytest.approx(1513 / 2, abs=0.5)
    assert gpus.get("b200").dense_bf16_tflops == 4500 / 2


@given(st.integers(1, 10**15), st.integers(1, 10**8))
def test_optimizer_steps_reach_the_budget(tokens, per_step):
    steps = optimizer_steps_for(tokens, per_step)
    assert steps * per_step >= tokens > (steps - 1) * per_step


def test_accumulation_changes_time_per_step_not_per_token():
    rate = throughput(4_194_304, 32, 64, params=8e9, peak_tflops=989, mfu=0.40)
    rows = accumulation_tradeoff(32, 128, 4096, rate, 10**12)
    assert [r.accumulation_steps for r in rows] == [16, 32, 64]
    assert rows[2].seconds_per_step == pytest.approx(2 * rows[1].seconds_per_step)
    for r in rows:  # tokens per second never changes
        assert r.tokens_per_step / r.seconds_per_step == pytest.approx(rate.cluster_tokens_per_s)
        assert r.run_seconds == pytest.approx(rows[1].run_seconds, rel=1e-4)


def distributed_sampler_then_loader(dataset: int, dp: int, micro: int) -> list[int]:
    """torch.utils.data.DistributedSampler (drop_last=False) as documented: pad the index list
    by repeating it to a multiple of the replicas, then rank r takes every dp-th index; then a
    DataLoader (drop_last=False) cuts rank 0's share into micro-batches. Returns batch sizes."""
    indices = list(range(dataset))
    total = math.ceil(dataset / dp) * dp
    indices += (indices * math.ceil(total / dataset))[: total - dataset]
    rank0 = indices[0:total:dp]
    return [len(rank0[i : i + micro]) for i in range(0, len(rank0), micro)]


@pytest.mark.parametrize(
    ("dataset", "dp", "micro", "k"),
    [(1000, 8, 4, 32), (1_000_001, 2, 1, 256), (4096, 8, 4, 32), (10, 3, 4, 2), (7, 8, 1, 1)],
)
def test_epoch_edge_against_the_sampler(dataset, dp, micro, k):
    batches = distributed_sampler_then_loader(dataset, dp, micro)
    e = epoch_edge(dataset, dp, micro, k)
    assert e.micro_batches_per_rank == len(batches)
    assert e.last_micro_batch_size == batches[-1]
    assert e.sequences_per_rank == sum(batches)
    assert e.full_optimizer_steps == len(batches) // k
    assert e.last_window_micro_batches == len(batches) % k
    assert e.padded_sequences == e.sequences_per_rank * dp - dataset


def test_partial_window_scales_the_gradient_by_r_over_k():
    # 1000 sequences on 8 GPUs at 4: 125 each -> 32 micro-batches; k = 10 -> 3 steps + 2 left
    e = epoch_edge(1000, 8, 4, 10)
    assert (e.full_optimizer_steps, e.last_window_micro_batches) == (3, 2)
    assert e.partial_gradient_scale == pytest.approx(0.2)
    assert e.window_shortfall == 8 and e.steps_if_stepped == 4
