"""The memory kit against the ZeRO paper and Megatron-LM's documented bytes per parameter."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculators.catalog.memory import (
    GB,
    GIB,
    OPTIMIZERS,
    PRECISIONS,
    ZERO_STAGES,
    bytes_per_dtype,
    state_bytes_per_param,
    to_gb,
    to_gib,
    zero_sharded_state_bytes,
)
from calculators.kit.errors import InputError


def test_units():
    assert GIB == 1_073_741_824 and GB == 1_000_000_000
    assert to_gib(GIB) == 1.0 and to_gb(GB) == 1.0
    assert round(to_gib(24 * GB), 2) == 22.35  # why a "24 GB" card shows ~22.4 GiB


def test_dtype_bytes():
    assert [bytes_per_dtype(n) for n in ("fp32", "bf16", "fp16", "fp8", "int8")] == [4, 2, 2, 1, 1]
    with pytest.raises(InputError):
        bytes_per_dtype("fp12")


@pytest.mark.parametrize(
    "precision, optimizer, expected, source",
    [
        ("mixed", "adam", (2, 2, 12), "ZeRO section 3.1: 2 + 2 + K with K = 12"),
        (
            "mixed_fp32_grads",
            "adam",
            (2, 4, 12),
            "Megatron dist_optimizer.md: bf16 params, fp32 grads, 18",
        ),
        ("fp32", "adam", (4, 4, 8), "Megatron dist_optimizer.md: fp32 params and grads, 16"),
        ("mixed", "adam8bit", (2, 2, 6), "8-bit Adam: fp32 copy 4 + two 1-byte states"),
        ("mixed", "sgd", (2, 2, 8), "SGD with momentum: fp32 copy 4 + momentum 4"),
        ("bf16", "adam", (2, 2, 4), "pure bf16 AdamW, 8 bytes"),
    ],
)
def test_bytes_per_param_rows(precision, optimizer, expected, source):
    per = state_bytes_per_param(precision, optimizer)
    assert (per.weights, per.gradients, per.optimizer) == expected, source
    assert per.total == sum(expected)


# ZeRO paper Figure 1: 7.5B parameters, K = 12, 64 data-parallel GPUs.
@pytest.mark.parametrize("stage, gb", [(0, 120.0), (1, 31.4), (2, 16.6), (3, 1.9)])
def test_zero_figure_1(stage, gb):
    per = state_bytes_per_param("mixed", "adam")
    shard = zero_sharded_state_bytes(7_500_000_000, per, stage, 64)
    assert round(shard.total_bytes / GB, 1) == gb


def test_megatron_distributed_optimizer_rule():
    # Megatron: bf16 params + fp32 grads with the distributed optimizer = 6 + 12/d bytes/param.
    per = state_bytes_per_param("mixed_fp32_grads", "adam")
    for d in (1, 2, 8, 64):
        shard = zero_sharded_state_bytes(10**9 * d, per, 1, d)
        assert shard.total_bytes == (6 * d + 12) * 10**9
    per = state_bytes_per_param("fp32", "adam")  # 8 + 8/d
    assert zero_sharded_state_bytes(8 * 10**9, per, 1, 8).total_bytes == 72 * 10**9


@given(
    params=st.integers(0, 10**13),
    dp=st.integers(1, 4096),
    precision=st.sampled_from(list(PRECISIONS)),
    optimizer=st.sampled_from(list(OPTIMIZERS)),
)
def test_stages_never_grow_and_dp_one_changes_nothing(params, dp, precision, optimizer):
    per = state_bytes_per_param(precision, optimizer)
    totals = [zero_sharded_state_bytes(params, per, s, dp).total_bytes for s in ZERO_STAGES]
    assert totals == sorted(totals, reverse=True)
    assert totals[0] == params * per.total
    assert totals[3] * dp >= params * per.total  # shards round up, never lose bytes
    one = {zero_sharded_state_bytes(params, per, s, 1).total_bytes for s in ZERO_STAGES}
    assert one == {params * per.total}


def test_bad_choices_name_the_field():
    with pytest.raises(InputError) as e:
        state_bytes_per_param("int4", "adam")
    assert e.value.field == "precision"
    with pytest.raises(InputError) as e:
        state_bytes_per_param("mixed", "lion")
    assert e.value.field == "optimizer"
    with pytest.raises(InputError) as e:
        zero_sharded_state_bytes(1, state_bytes_per_param("mixed", "adam"), 4, 1)
    assert e.value.field == "zero"
