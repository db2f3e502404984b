"""The planner's engine: memory against the activation engine, properties of every answer, and
the directions a single MFU figure cannot give."""

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculators.catalog import models
from calculators.catalog.activation import Hardware, Scenario, stage_needs, worst
from calculators.kit.errors import InputError
from training_plan.engine import Pins, Run, catalog_shape, cluster, custom_shape, plan
from training_plan.engine.memory import Screen

H100 = "h100-sxm"
RUN = Run(seq_len=8192, global_batch=512, train_tokens=10**12)


def llama8b_plan(**pins):
    return plan(catalog_shape("llama-3.1-8b"), cluster(H100, 64, 8), RUN, Pins(**pins))


# --- Memory: the activation engine's own count -------------------------------------------------


def engine_need(shape, gpu, gpus, run, p):
    """The activation-memory engine called directly (the Activation Memory page's count) for a
    plan's layout: s/CP tokens per GPU, sequence parallelism with TP, flash attention, ZeRO over
    the dp·cp ranks that share weights."""
    a = models.BY_ID[shape.model_id].arch if shape.model_id else None
    sc = Scenario(
        arch=shape.arch,
        seq_len=run.seq_len // p.cp,
        micro_batch=p.micro_batch,
        hidden=shape.hidden,
        layers=shape.layers,
        heads=shape.heads,
        kv_heads=shape.kv_heads,
        ffn_hidden=shape.ffn_hidden,
        vocab=shape.vocab,
        head_dim=a.head_dim if a else 0,
        tied=int(shape.tied),
        attention="flash",
        tp=p.tp,
        pp=p.pp,
        sp=int(p.tp > 1),
        vpp=p.vpp,
        recompute=p.recompute,
        accumulation_steps=p.accumulation_steps,
    )
    c = cluster(gpu, gpus, 8)
    hw = Hardware(capacity_bytes=c.capacity_bytes, reserve_pct=run.reserve_pct, zero=p.zero_stage)
    return worst(stage_needs(sc, hw, p.dp * p.cp)).total_bytes


@pytest.mark.parametrize(
    "model, gpu, gpus, run",
    [
        ("llama-3.1-8b", H100, 64, RUN),
        ("llama-3.3-70b", H100, 256, Run(8192, 1024, 10**12)),
        ("qwen2.5-14b", "a100-80gb", 32, Run(4096, 256, 10**11)),
        ("llama-3.2-1b", "rtx-4090-24gb", 8, Run(2048, 64, 10**10)),
    ],
)
def test_every_plans_memory_is_the_activation_engines(model, gpu, gpus, run):
    shape = catalog_shape(model)
    result = plan(shape, cluster(gpu, gpus, 8), run)
    assert result.plans
    for p in result.plans:
        assert p.memory.total == engine_need(shape, gpu, gpus, run, p)
        assert p.fits == (p.memory.total <= result.usable_bytes)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tp=st.sampled_from([1, 2, 4, 8]),
    pp=st.sampled_from([1, 2, 4, 8]),
    cp=st.sampled_from([1, 2]),
    b=st.sampled_from([1, 2, 4]),
    vpp=st.sampled_from([1, 2]),
    rc=st.sampled_from(["none", "selective", "full"]),
    zero=st.sampled_from([0, 1, 2, 3]),
)
def test_the_search_screen_matches_the_engine_within_rounding(tp, pp, cp, b, vpp, rc, zero):
    shape = catalog_shape("llama-3.1-8b")
    c = cluster(H100, 128, 8)
    dp = 128 // (tp * pp * cp)
    if vpp > 1 and pp == 1:
        vpp = 1
    screen = Screen(shape, c, RUN)
    fast = screen.need(tp, pp, cp, dp, vpp, b, rc, zero)
    exact = screen.exact(tp, pp, cp, dp, vpp, b, rc, zero).total
    assert abs(fast - exact) <= 1024  # ceil-rounded divisions of the engine, nothing more


# --- Properties of every answer --------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    model=st.sampled_from(["llama-3.2-1b", "llama-3.1-8b", "qwen2.5-14b", "mistral-7b-v0.3"]),
    gpu=st.sampled_from(["a100-40gb", "a100-80gb", H100]),
    nodes=st.sampled_from([1, 2, 4, 16]),
    seq_len=st.sampled_from([2048, 4096, 8192]),
    batch_per_node=st.sampled_from([8, 32, 64]),
)
def test_every_recommended_plan_fits_and_uses_every_gpu(model, gpu, nodes, seq_len, batch_per_node):
    gpus = 8 * nodes
    result = plan(
        catalog_shape(model),
        cluster(gpu, gpus, 8),
        Run(seq_len, batch_per_node * nodes, 10**11),
    )
    seen_not_fitting = False
    for p in result.plans:
        assert p.tp * p.pp * p.cp * p.dp == gpus
        assert p.dp * p.micro_batch * p.accumulation_steps == result.run.global_batch
        assert p.memory.total <= result.usable_bytes if p.fits else True
        if not p.fits:
            seen_not_fitting = True
        else:
            assert not seen_not_fitting  # no fitting plan after one that does not fit
    fitting = [p for p in result.plans if p.fits]
    assert [p.seconds_per_step for p in fitting] == sorted(p.seconds_per_step for p in fitting)
    if result.best:
        assert result.best is result.plans[0] and result.best.fits


@pytest.mark.parametrize(
    "model, gpu, gpus, run",
    [
        ("llama-3.1-8b", H100, 64, RUN),
        ("llama-3.3-70b", H100, 1024, Run(8192, 1024, 10**12)),
        ("qwen2.5-32b", "a100-80gb", 128, Run(4096, 512, 10**12)),
    ],
)
def test_pinning_the_recommended_choices_returns_the_same_plan(model, gpu, gpus, run):
    shape, c = catalog_shape(model), cluster(gpu, gpus, 8)
    best = plan(shape, c, run).best
    pinned = plan(shape, c, run, Pins(**best.choices)).best
    assert pinned == best


def test_pinning_limits_the_search_to_the_pin():
    result = llama8b_plan(tp=4, micro_batch=1, recompute="full", zero=1)
    assert {(p.tp, p.micro_batch, p.recompute, p.zero_stage) for p in result.plans} == {
        (4, 1, "full", 1)
    }


def test_no_layout_fits_is_said_not_recommended():
    # Llama 3.3 70B on one RTX 4090: the weights alone are 141 GB.
    result = plan(catalog_shape("llama-3.3-70b"), cluster("rtx-4090-24gb", 1, 1), RUN)
    assert result.best is None
    assert result.plans and not any(p.fits for p in result.plans)


# --- Directions ------------------------------------------------------------------------------


def test_fewer_micro_batches_than_stages_costs_throughput():
    """Narayanan et al. 2021, section 2.2: the bubble is (p − 1)/m of the ideal time."""
    shape, c = catalog_shape("llama-3.3-70b"), cluster(H100, 64, 8)
    pins = Pins(tp=8, pp=8, cp=1, vpp=1, micro_batch=1, recompute="full", zero=1)
    few = plan(shape, c, Run(8192, 4, 10**12), pins).plans[0]  # m = 4 < p = 8
    many = plan(shape, c, Run(8192, 64, 10**12), pins).plans[0]  # m = 64
    assert few.accumulation_steps == 4 and many.accumulation_steps == 64
    assert few.pipeline_bubble == pytest.approx(7 / 4)
    assert many.pipeline_bubble == pytest.approx(7 / 64)
    assert few.tokens_per_s < 0.5 * many.tokens_per_s
    # The bubble is (p − 1)/m of the time the micro-batches take.
    assert few.time.bubble == pytest.approx(7 / 4 * 4 * few.time.micro_batch_seconds)


def test_tensor_parallelism_across_nodes_costs_more_than_inside_one():
    shape = catalog_shape("llama-3.3-70b")
    pins = Pins(tp=8, pp=1, cp=1, micro_batch=1, recompute="full", zero=3)
    run = Run(8192, 256, 10**12)
    inside = plan(shape, cluster(H100, 64, 8), run, pins).plans[0]
    across = plan(shape, cluster(H100, 64, 4), run, pins).plans[0]  # TP 8 over 2 nodes of 4
    assert across.time.tensor_parallel > 5 * inside.time.tensor_parallel
    assert across.seconds_per_step > inside.seconds_per_step


def llama8b_palm_flops_per_token(seq_len: int) -> tuple[float, float]:
    """(6N + 12·L·H·Q·T, the output layer's 6·V·h part of it), N computed here from the
    architecture: the 8B's layers, final norm and untied output layer (PaLM, App. B)."""
    a = models.BY_ID["llama-3.1-8b"].arch
    per_layer = a.hidden * (a.q_dim + 2 * a.kv_dim) + a.q_dim * a.hidden
    per_layer += 3 * a.hidden * a.ffn_hidden + 2 * a.hidden
    n = a.layers * per_layer + a.hidden + a.vocab * a.hidden
    return 6 * n + 12 * a.layers * a.q_dim * seq_len, 6 * a.vocab * a.hidden


def test_full_recomputation_costs_a_third_more_layer_compute():
    common = dict(tp=2, pp=1, cp=1, micro_batch=1, zero=3)
    none = llama8b_plan(recompute="none", **common).plans[0]
    full = llama8b_plan(recompute="full", **common).plans[0]
    assert full.time.compute - full.time.recompute == pytest.approx(none.time.compute)
    # One more forward of every layer: a third of the layers' forward + backward; the output
    # layer (6·V·h of the FLOPs per token) is not recomputed.
    flops, output = llama8b_palm_flops_per_token(RUN.seq_len)
    layer_share = (flops - output) / flops
    assert full.time.recompute / none.time.compute == pytest.approx(layer_share / 3)
    # PaLM's model FLOPs do not change; the hardware executes the extra forward.
    assert full.tflops_per_gpu * full.seconds_per_step == pytest.approx(
        none.tflops_per_gpu * none.seconds_per_step
    )
    hardware_extra = (full.hardware_tflops_per_gpu - full.tflops_per_gpu) / full.tflops_per_gpu
    assert hardware_extra == pytest.approx(layer_share / 3)
    assert full.seconds_per_step > none.seconds_per_step


def test_more_tensor_parallelism_runs_smaller_gemms_less_efficiently():
    common = dict(pp=1, cp=1, micro_batch=1, recompute="full", zero=3)
    tp1 = llama8b_plan(tp=1, **common).plans[0]
    tp8 = llama8b_plan(tp=8, **common).plans[0]
    assert tp8.time.efficiency < tp1.time.efficiency


def test_mfu_is_palms_model_flops_over_the_peak():
    """6N + 12·L·H·Q·T per token (Chowdhery et al. 2022, App. B), counted in this test."""
    flops, _ = llama8b_palm_flops_per_token(RUN.seq_len)
    result = llama8b_plan()
    best = result.best
    assert result.flops_per_token == pytest.approx(flops)
    mfu = RUN.tokens_per_step * flops / (64 * 989.4e12 * best.seconds_per_step)
    assert best.mfu == pytest.approx(mfu)
    assert best.run_seconds == pytest.approx(
        -(-RUN.train_tokens // RUN.tokens_per_step) * best.seconds_per_step
    )


def test_custom_shape_block_follows_the_mlp_and_kv_heads():
    assert custom_shape(24, 2304, 24, 24, 4 * 2304, 51200).arch == "gpt"
    assert custom_shape(32, 4096, 32, 8, 14336, 128256).arch == "llama"
    assert custom_shape(32, 4096, 32, 32, 11008, 32000).arch == "llama"


# --- Refusals name the field -----------------------------------------------------------------


@pytest.mark.parametrize(
    "make, field",
    [
        (lambda: cluster("b300", 8, 8), "gpu"),
        (lambda: cluster("gb200", 8, 8), "gpu"),  # no memory or interconnect figures for it
        (lambda: cluster("rtx-5090-32gb", 8, 8), "gpu"),  # no interconnect figures for it
        (lambda: cluster("h100-pcie", 16, 8), "gpus"),  # no network between nodes
        (lambda: cluster("rtx-4090-24gb", 16, 8), "gpus"),  # no network between nodes
        (lambda: cluster(H100, 12, 8), "gpus"),  # not whole nodes
        (lambda: catalog_shape("mixtral-8x7b"), "model"),  # MoE
        (lambda: custom_shape(32, 4096, 32, 5, 14336, 32000), "kv_heads"),
        (lambda: llama8b_plan(tp=3), "tp"),
        (lambda: llama8b_plan(tp=16), "tp"),  # more than the 8 KV heads
        (lambda: llama8b_plan(pp=64), "pp"),
        (lambda: llama8b_plan(cp=3), "cp"),
        (lambda: llama8b_plan(pp=1, vpp=2), "vpp"),
        (
            lambda: plan(
                catalog_shape("llama-3.1-8b"),
                cluster(H100, 64, 8),
                replace(RUN, global_batch=101),  # DP 64 cannot split 101 sequences
                Pins(tp=1, pp=1, cp=1),
            ),
            "global_batch",
        ),
    ],
)
def test_impossible_input_names_the_field(make, field):
    with pytest.raises(InputError) as error:
        make()
    assert error.value.field == field
