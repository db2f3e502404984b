"""The planner's own memory count (training_plan/engine/memory.py: `Count` and `Screen.exact`,
plain integer sums) against the activation engine it stands in for, calculators/catalog/
activation.py (`layer_terms`, `embedding_terms`, `output_terms`, `loss_working_bytes`,
`recompute_working_bytes` and `stage_needs`, which the Activation Memory page shows and
validation/activation_memory/ checked against bytes measured with PyTorch): equal to the byte
on many scenarios, both blocks, every recomputation, pipelines with and without interleaving."""

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculators.catalog.activation import (
    Hardware,
    embedding_terms,
    layer_terms,
    loss_working_bytes,
    output_terms,
    recompute_working_bytes,
    stage_needs,
    total,
    worst,
)
from calculators.catalog.memory import state_bytes_per_param, zero_sharded_state_bytes
from training_plan.engine import Run, cluster, custom_shape
from training_plan.engine.memory import Count, Screen, padded_layers


@st.composite
def shapes(draw):
    heads = draw(st.sampled_from([4, 8, 12, 16, 24, 32, 40, 64, 96, 128]))
    head_dim = draw(st.sampled_from([32, 64, 80, 96, 128, 256]))
    hidden = heads * head_dim
    gpt = draw(st.booleans())
    kv_heads = heads if gpt else draw(st.sampled_from([k for k in (1, 2, 4, 8) if heads % k == 0]))
    ffn = 4 * hidden if gpt else draw(st.integers(1, 64)) * 256
    layers = draw(st.integers(1, 128))
    vocab = draw(st.integers(1000, 260_000))
    return custom_shape(layers, hidden, heads, kv_heads, ffn, vocab, draw(st.booleans()))


def divides_all(shape, tp):
    return all(x % tp == 0 for x in (shape.heads, shape.hidden, shape.ffn_hidden, shape.kv_heads))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shape=shapes(),
    s=st.integers(1, 40_000),
    b=st.integers(1, 64),
    tp=st.sampled_from([1, 2, 3, 4, 8, 16]),
    recompute=st.sampled_from(["none", "selective", "full"]),
)
def test_each_part_is_the_activation_engines(shape, s, b, tp, recompute):
    if not divides_all(shape, tp):
        tp = 1
    sc = shape.scenario(seq_len=s, micro_batch=b, tp=tp, sp=int(tp > 1), recompute=recompute)
    count = Count(shape)
    assert count.layer(s, b, tp, recompute) == total(layer_terms(sc))
    assert count.embedding(s, b, tp) == total(embedding_terms(sc))
    assert count.output(s, b, tp) == total(output_terms(sc))
    assert count.loss(s, b, tp) == loss_working_bytes(sc)
    assert count.rebuild(s, b, tp, recompute) == recompute_working_bytes(sc)


def page_scenario(shape, seq_len, tp, pp, cp, vpp, b, m, recompute):
    """A layout as the Activation Memory page would be given it: seq_len ÷ CP tokens per GPU,
    every stage holding whole chunks of layers, sequence parallelism with TP, m micro-batches."""
    return replace(
        shape.scenario(),
        seq_len=seq_len // cp,
        micro_batch=b,
        layers=padded_layers(shape.layers, pp, vpp),
        tp=tp,
        pp=pp,
        sp=int(tp > 1),
        vpp=vpp,
        recompute=recompute,
        accumulation_steps=m,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shape=shapes(),
    seq_len=st.sampled_from([512, 2048, 4096, 8192, 32768, 131072]),
    tp=st.sampled_from([1, 2, 4, 8]),
    pp=st.sampled_from([1, 2, 3, 4, 8]),
    cp=st.sampled_from([1, 2, 4]),
    vpp=st.sampled_from([1, 2, 3]),
    dp=st.sampled_from([1, 2, 3, 8, 64]),
    b=st.sampled_from([1, 2, 3, 4, 16]),
    m=st.integers(1, 40),
    recompute=st.sampled_from(["none", "selective", "full"]),
    zero=st.sampled_from([0, 1, 2, 3]),
    training=st.sampled_from(
        [("mixed", "adam"), ("mixed_fp32_grads", "adam"), ("fp32", "sgd"), ("bf16", "adam8bit")]
    ),
)
def test_the_most_loaded_gpu_is_the_activation_engines_stage_needs(
    shape, seq_len, tp, pp, cp, vpp, dp, b, m, recompute, zero, training
):
    if not divides_all(shape, tp):
        tp = 1
    if pp == 1 or m < pp:
        vpp = 1  # what the search allows (Megatron-LM refuses interleaving with m < p)
    precision, optimizer = training
    run = Run(seq_len, dp * b * m, 10**9, precision, optimizer)
    screen = Screen(shape, cluster("h100-sxm", 8, 8), run)
    mine = screen.exact(tp, pp, cp, dp, vpp, b, recompute, zero)
    sc = page_scenario(shape, seq_len, tp, pp, cp, vpp, b, m, recompute)
    hw = Hardware(capacity_bytes=80 * 2**30, zero=zero, precision=precision, optimizer=optimizer)
    need = worst(stage_needs(sc, hw, dp * cp))
    assert mine.stage == need.stage
    assert mine.weights == need.states.weights_bytes
    assert mine.gradients == need.states.gradients_bytes
    assert mine.optimizer_states == need.states.optimizer_bytes
    assert mine.activations == need.activations_bytes
    assert mine.buffers == need.working_bytes
    assert mine.total == need.total_bytes


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shape=shapes(),
    tp=st.sampled_from([1, 2, 4, 8]),
    pp=st.integers(1, 16),
    vpp=st.sampled_from([1, 2, 3]),
    shards=st.integers(1, 4096),
    training=st.sampled_from(
        [("mixed", "adam"), ("bf16", "sgd"), ("mixed_fp32_grads", "adam8bit")]
    ),
)
def test_each_zero_stage_needs_at_most_the_memory_of_the_one_before(
    shape, tp, pp, vpp, shards, training
):
    # The search reads the ZeRO stages from the least sharded to the most and relies on each
    # holding at most the bytes of the one before: ZeRO-1 shards the optimizer states, 2 also
    # the gradients, 3 also the weights (Rajbhandari et al. 2020, Figure 1: 120, 31.4, 16.6
    # and 1.9 GB for 7.5B parameters on 64 GPUs). Each stage's bytes are also those of the
    # memory engine's zero_sharded_state_bytes for the stage's parameters.
    if pp > shape.layers:
        pp = shape.layers
    precision, optimizer = training
    run = Run(4096, 64, 10**12, precision, optimizer)
    screen = Screen(shape, cluster("h100-sxm", 8, 8), run)
    states = screen.states_by_zero(tp, pp, vpp, (0, 1, 2, 3), shards)
    per = state_bytes_per_param(precision, optimizer)
    for stage, params in zip((1, 2), screen.stage_params(pp, vpp), strict=True):
        here = -(-params // tp)
        engine = [zero_sharded_state_bytes(here, per, z, shards) for z in (0, 1, 2, 3)]
        assert [s[stage] for s in states] == [
            e.weights_bytes + e.gradients_bytes + e.optimizer_bytes for e in engine
        ]
        assert all(a[stage] >= b[stage] for a, b in zip(states, states[1:], strict=False))


@pytest.mark.parametrize("tp, pp, vpp, shards", [(1, 1, 1, 1), (2, 2, 1, 8), (8, 4, 2, 3)])
def test_model_states_past_2_53_are_the_engines_ints_rounded_once(tp, pp, vpp, shards):
    # The screen's model states are doubles (the search adds them to doubles): below 2**53
    # the ints exactly, past it (where a double no longer holds every int) the ints rounded
    # once, counted in ints. A model of ~2**55 parameters of 16 bytes of states each.
    shape = custom_shape(64, 2**23, 2**13, 2**13, 4 * 2**23, 2**17, False)
    screen = Screen(shape, cluster("h100-sxm", 8, 8), Run(4096, 64, 10**12, "mixed", "adam"))
    per = state_bytes_per_param("mixed", "adam")
    states = screen.states_by_zero(tp, pp, vpp, (0, 1, 2, 3), shards)
    for stage, params in zip((1, 2), screen.stage_params(pp, vpp), strict=True):
        here = -(-params // tp)
        assert here * (per.weights + per.gradients + per.optimizer) > 2**53
        engine = [zero_sharded_state_bytes(here, per, z, shards) for z in (0, 1, 2, 3)]
        assert [s[stage] for s in states] == [
            float(e.weights_bytes + e.gradients_bytes + e.optimizer_bytes) for e in engine
        ]


def activation_need_cases():
    # Shapes the search meets (an 8B-class Llama block, a GPT block) and one no GPU holds, whose
    # layer activations pass 2**53 bytes per sequence (~34·s·h with s = 2**26, h = 2**23), where
    # a double no longer holds every byte count.
    llama = custom_shape(32, 4096, 32, 8, 14336, 128256, False)
    gpt = custom_shape(40, 6144, 48, 48, 4 * 6144, 51200, True)
    huge = custom_shape(4, 2**23, 2**13, 2**13, 4 * 2**23, 2**17, False)
    for shape, seq_len in [(llama, 8192), (gpt, 2048), (huge, 2**26)]:
        for tp, pp, cp, vpp, dp, b, m in [
            (1, 1, 1, 1, 8, 1, 4),
            (2, 2, 1, 1, 2, 2, 8),
            (4, 4, 2, 2, 1, 1, 9),
            (2, 4, 1, 1, 3, 3, 2),  # fewer micro-batches than stages
        ]:
            for recompute in ("none", "selective", "full"):
                yield shape, seq_len, tp, pp, cp, vpp, dp, b, m, recompute


@pytest.mark.parametrize(
    "shape, seq_len, tp, pp, cp, vpp, dp, b, m, recompute", list(activation_need_cases())
)
def test_activation_need_is_the_activation_engines_bytes_to_the_rounding(
    shape, seq_len, tp, pp, cp, vpp, dp, b, m, recompute
):
    # Screen.activation_need is the search's count of what a stage holds beyond its model
    # states, in doubles: each stage's quotients rounded once (memory.ratio) where the engine
    # rounds them up to whole bytes. So the two differ by at most a byte per quotient (two)
    # plus the rounding of a double of that size, past 2**53 too, where the huge shape takes
    # memory.ratio's exact integer division.
    run = Run(seq_len, dp * b * m, 10**9, "mixed", "adam")
    screen = Screen(shape, cluster("h100-sxm", 8, 8), run)
    first, last = screen.activation_need(tp, pp, cp, dp, vpp, b, recompute)
    sc = page_scenario(shape, seq_len, tp, pp, cp, vpp, b, m, recompute)
    hw = Hardware(capacity_bytes=80 * 2**30, zero=0, precision="mixed", optimizer="adam")
    needs = stage_needs(sc, hw, dp * cp)
    theirs = [n.activations_bytes + n.working_bytes for n in (needs[0], needs[-1])]
    for ours, exact in zip((first, last), theirs, strict=True):
        assert abs(ours - exact) <= 2 + 2 * abs(exact) * 2**-52
    if shape.hidden == 2**23 and tp * cp <= 2:
        assert min(theirs) > 2**53
