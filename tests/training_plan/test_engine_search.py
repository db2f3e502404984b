"""The fast search against the plain one it replaced (reference_search.py, the search as it was
before its speed work, counting memory with the activation engine itself): the same plans, the
same figures to the last bit, the same layouts screened, the same refusals, on many scenarios."""

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from calculators.kit.errors import InputError
from training_plan.engine import (
    Pins,
    Run,
    catalog_shape,
    cluster,
    custom_shape,
    plan,
    planner_gpus,
    planner_models,
    search,
    timing,
)
from training_plan.engine.memory import Screen
from training_plan.engine.search import Context, bubble_and_sends

from . import reference_search

H100 = "h100-sxm"
FREE = Pins()


def outcome(search, *args):
    """A search's whole answer, or the field and message it refused with."""
    try:
        return search(*args)
    except InputError as error:
        return ("refused", error.field, str(error))


def assert_same(shape, c, run, pins=FREE):
    fast = outcome(plan, shape, c, run, pins)
    reference = outcome(reference_search.plan, shape, c, run, pins)
    # Dataclass equality: every plan's layout, memory parts, step-time parts, throughput and
    # run time compared exactly (==, floats included), the losses, and the layouts screened.
    assert fast == reference
    return fast


@pytest.mark.parametrize(
    "model, gpu, gpus, per_node, seq_len, batch, pins",
    [
        ("llama-3.1-8b", H100, 64, 8, 8192, 512, {}),  # the page's default
        ("llama-3.1-8b", H100, 8, 8, 8192, 512, {}),
        ("llama-3.1-8b", H100, 1, 8, 8192, 512, {}),  # nothing fits
        ("llama-3.3-70b", H100, 1024, 8, 8192, 1024, {}),
        ("llama-3.3-70b", H100, 4096, 8, 8192, 2048, {}),
        ("llama-3.3-70b", H100, 16384, 8, 8192, 2048, {}),
        ("qwen2.5-72b", "a100-80gb", 1024, 8, 4096, 2048, {}),
        ("llama-3.1-8b", H100, 256, 8, 131072, 64, {}),  # long sequence: context parallel
        ("gemma-2-27b", "a100-40gb", 128, 4, 4096, 256, {}),
        ("llama-3.3-70b", "rtx-3060-12gb", 8, 8, 8192, 64, {}),  # cannot fit
        ("llama-3.3-70b", H100, 48, 8, 8192, 480, {"pp": 3}),  # uneven stages
        ("mistral-nemo-12b", H100, 32, 8, 8192, 512, {"micro_batch": 2, "vpp": 2}),
        ("qwen2.5-32b", H100, 2048, 8, 65536, 256, {"cp": 8}),
        ("phi-4", H100, 64, 8, 8192, 512, {"recompute": "full", "zero": 3}),
        ("llama-3.1-8b", H100, 64, 8, 8192, 101, {"tp": 1, "pp": 1, "cp": 1}),  # refused
    ],
)
def test_the_fast_search_returns_the_reference_searchs_answer(
    model, gpu, gpus, per_node, seq_len, batch, pins
):
    assert_same(
        catalog_shape(model),
        cluster(gpu, gpus, per_node),
        Run(seq_len, batch, 10**12),
        Pins(**pins),
    )


def test_a_custom_gpt_block_gets_the_reference_searchs_answer():
    # Megatron-LM's 18.4B GPT of Narayanan et al. 2021, Table 1 (the GPT block: GeLU, tied).
    shape = custom_shape(40, 6144, 48, 48, 4 * 6144, 51200, tied=True)
    result = assert_same(shape, cluster("a100-80gb", 256, 8), Run(2048, 1024, 10**11))
    assert result.best is not None


def test_byte_counts_past_2_53_take_the_int_paths_and_answer_as_the_reference():
    # Below 2**53 the search works bytes out as doubles, which hold those ints exactly; past
    # it, Screen.states_by_zero and Screen.overflows count model states in ints and the search
    # calls Screen.activation_need. A model no GPU holds takes both: ~12·h²·L = 2**52 weights
    # of ~16 bytes of states each, and a layer's activations of ~34·s·h = 2**54 bytes per
    # sequence (s = 2**26 tokens, h = 2**23).
    shape = custom_shape(4, 2**23, 2**13, 2**13, 4 * 2**23, 2**17, False)
    result = assert_same(shape, cluster(H100, 8, 8), Run(2**26, 8, 10**12))
    assert result.plans and result.best is None


def custom_shapes():
    @st.composite
    def build(draw):
        heads = draw(st.sampled_from([8, 12, 16, 24, 32, 40, 64]))
        head_dim = draw(st.sampled_from([64, 80, 128]))
        hidden = heads * head_dim
        gpt = draw(st.booleans())
        kv_heads = (
            heads if gpt else draw(st.sampled_from([k for k in (1, 2, 4, 8) if heads % k == 0]))
        )
        ffn = 4 * hidden if gpt else draw(st.sampled_from([2, 3, 4])) * hidden + 256
        layers = draw(st.integers(2, 96))
        vocab = draw(st.sampled_from([32000, 50257, 51200, 128256]))
        return custom_shape(layers, hidden, heads, kv_heads, ffn, vocab, draw(st.booleans()))

    return build()


SHAPES = st.one_of(
    st.sampled_from([m.id for m in planner_models()]).map(catalog_shape), custom_shapes()
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shape=SHAPES,
    gpu=st.sampled_from([g.slug for g in planner_gpus()]),
    per_node=st.sampled_from([1, 2, 4, 8]),
    nodes=st.sampled_from([1, 1, 2, 3, 4, 8, 16, 64, 128]),
    seq_len=st.sampled_from([128, 1000, 2048, 4096, 8192, 32768, 131072]),
    batch=st.one_of(st.sampled_from([8, 64, 256, 512, 1024, 4096]), st.integers(1, 3000)),
    training=st.sampled_from(
        [("mixed", "adam", 10.0), ("bf16", "sgd", 25.0), ("mixed_fp32_grads", "adam8bit", 5.0)]
    ),
    pins=st.fixed_dictionaries(
        {},
        optional={
            "tp": st.sampled_from([1, 2, 4, 8]),
            "pp": st.sampled_from([1, 2, 3, 4]),
            "cp": st.sampled_from([1, 2, 4]),
            "vpp": st.sampled_from([1, 2]),
            "micro_batch": st.sampled_from([1, 2, 3, 8]),
            "recompute": st.sampled_from(["none", "selective", "full"]),
            "zero": st.sampled_from([0, 1, 2, 3]),
        },
    ),
)
def test_on_random_scenarios_the_fast_search_returns_the_reference_searchs_answer(
    shape, gpu, per_node, nodes, seq_len, batch, training, pins
):
    try:
        c = cluster(gpu, per_node * nodes, per_node)
    except InputError:
        assume(False)  # a cluster the site refuses (no network between these GPUs' nodes)
    precision, optimizer, reserve = training
    assert_same(shape, c, Run(seq_len, batch, 10**12, precision, optimizer, reserve), Pins(**pins))


@settings(max_examples=30, deadline=None)
@given(
    model=st.sampled_from(["llama-3.1-8b", "gemma-2-27b", "qwen2.5-72b", "phi-4"]),
    gpu=st.sampled_from(["a100-40gb", H100, "rtx-4090-24gb"]),
    per_node=st.sampled_from([2, 4, 8]),
    seq_len=st.sampled_from([1024, 8192, 65536]),
)
def test_the_searchs_time_model_is_the_scalar_one_to_the_last_bit(model, gpu, per_node, seq_len):
    gpus = 8 * per_node if gpu != "rtx-4090-24gb" else per_node
    shape, c, run = catalog_shape(model), cluster(gpu, gpus, per_node), Run(seq_len, 64, 10**9)
    ctx = Context(shape, c, run, Screen(shape, c, run))
    bandwidth = ctx.links.within(gpus)
    for t in (1, 2, 4, 8):
        for cp in (1, 2, 4):
            times = timing.SearchTimes(ctx, t, cp)
            for b in (1, 3, 16):
                for rc in ("none", "selective", "full"):
                    lt = timing.layer_time(ctx, t, cp, b, rc)
                    for p in (1, 2, 3, 5, 8):
                        stage, sends = times.stage(b, p, rc == "full")
                        assert sends == lt.p2p_bytes
                        assert stage == timing.slowest_stage(ctx.layers, p, lt.total, lt.output)[0]
                        for v in (1, 2, 4):
                            # stage_time: the slowest stage plus the sends of v chunks.
                            t_mb = timing.stage_time(ctx, lt, p, v)[0]
                            assert stage + (2 * v * sends / bandwidth if p > 1 else 0.0) == t_mb


def floor(times, bandwidth, b, p, per_rank, full):
    """The search's floor of a row: t_mb at v = 1 less its sends, m micro-batches."""
    stage, sends = times.stage(b, p, full)
    p2p = 2 * sends / bandwidth if p > 1 else 0.0
    return per_rank // b * (stage + p2p - p2p)


# Scenarios for the tests of the search's skip bounds: one (model, cluster, sequence length,
# sequences per data-parallel rank) each.
BOUND_SCENARIOS = given(
    shape=SHAPES,
    gpu=st.sampled_from([g.slug for g in planner_gpus()]),
    per_node=st.sampled_from([1, 2, 4, 8]),
    nodes=st.sampled_from([1, 2, 16, 128]),
    seq_len=st.sampled_from([128, 1000, 2048, 8192, 131072]),
    per_rank=st.sampled_from([1, 2, 12, 64, 360, 1024]),
)
BOUND_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def bound_scenario(shape, gpu, per_node, nodes, seq_len, per_rank):
    """The search's context for one scenario, its pipeline bandwidth and (up to 12) micro-batches
    dividing a rank's share; a cluster the catalog refuses is not a scenario."""
    try:
        c = cluster(gpu, per_node * nodes, per_node)
    except InputError:
        assume(False)
    run = Run(seq_len, per_rank, 10**12)
    ctx = Context(shape, c, run, Screen(shape, c, run))
    bs = [b for b in range(1, per_rank + 1) if per_rank % b == 0][:12]
    return ctx, ctx.links.within(c.gpus), bs


@BOUND_SETTINGS
@BOUND_SCENARIOS
def test_the_bounds_that_skip_a_layouts_micro_batches_are_below_each_of_their_floors(
    shape, gpu, per_node, nodes, seq_len, per_rank
):
    # The search skips a layout's micro-batches (of one recomputation, and of full
    # recomputation after none) when a lower bound of their floors is past the bound: the
    # floor at the largest micro-batch, or the promise (micro-batch 1, no recomputation)
    # times the most the GEMMs can gain per sequence. Checked here against every floor.
    ctx, bandwidth, bs = bound_scenario(shape, gpu, per_node, nodes, seq_len, per_rank)
    for t in (1, 2, 8):
        for cp in (1, 4):
            times = timing.SearchTimes(ctx, t, cp)
            for p in (p for p in (1, 2, 3, 7) if p <= shape.layers):  # as check_pins allows
                promise = floor(times, bandwidth, 1, p, per_rank, False)
                for b_max in bs:
                    k = timing.G_HALF * t / ctx.narrowest
                    rho = (seq_len / cp + k / b_max) / (seq_len / cp + k)
                    lowest = floor(times, bandwidth, b_max, p, per_rank, False)
                    for b in bs[: bs.index(b_max) + 1]:
                        for full in (False, True):
                            each = floor(times, bandwidth, b, p, per_rank, full)
                            assert promise * rho * search.LOWER <= each
                            assert lowest * search.LOWER <= each


@BOUND_SETTINGS
@BOUND_SCENARIOS
def test_the_bound_that_skips_a_whole_layout_is_below_each_of_its_step_times(
    shape, gpu, per_node, nodes, seq_len, per_rank
):
    # The search skips a layout whole when the promise at micro-batch 1 times the most the
    # GEMMs can gain per sequence, plus the least the bubble and the sends add over every
    # interleaving (`bubble_and_sends`), is past the bound; a recomputation's micro-batches
    # when the floor at the largest plus that least is; a micro-batch when its own floor plus
    # its own least is. Checked here against the base step time (m + (p − 1)/v) × t_mb of
    # every micro-batch, recomputation and interleaving, worked out by the scalar time model
    # (timing.layer_time, timing.stage_time).
    ctx, bandwidth, bs = bound_scenario(shape, gpu, per_node, nodes, seq_len, per_rank)
    for t in (1, 2, 8):
        k = timing.G_HALF * t / ctx.narrowest
        for cp in (1, 4):
            times = timing.SearchTimes(ctx, t, cp)
            for p in (p for p in (1, 2, 3, 7) if p <= shape.layers):  # as check_pins allows
                stage, sends = times.stage(1, p, False)
                p2p = 2 * sends / bandwidth if p > 1 else 0.0
                promise = per_rank * (stage + p2p - p2p)
                for cap in bs:
                    rho = (seq_len / cp + k / cap) / (seq_len / cp + k)
                    gain = 0.0 if p == 1 else bubble_and_sends(stage * rho, p2p, per_rank, p)
                    lowest = promise * rho + gain
                    at_cap = floor(times, bandwidth, cap, p, per_rank, False) + gain
                    for b in bs[: bs.index(cap) + 1]:
                        m = per_rank // b
                        for rc in ("none", "full"):
                            lt = timing.layer_time(ctx, t, cp, b, rc)
                            own, sends_b = times.stage(b, p, rc == "full")
                            x = 2 * sends_b / bandwidth
                            if p > 1:
                                own = m * own + bubble_and_sends(own, x, m, p)
                            for v in (1, 2, 3, 4, 8, 32) if p > 1 else (1,):
                                t_mb = timing.stage_time(ctx, lt, p, v)[0]
                                step = (m + (p - 1) / v) * t_mb
                                assert lowest * search.LOWER <= step
                                assert at_cap * search.LOWER <= step
                                if p > 1:
                                    assert own * search.LOWER <= step


@settings(max_examples=200, deadline=None)
@given(
    gpus=st.integers(1, 20_000),
    batch=st.integers(1, 20_000),
    others=st.lists(st.integers(1, 5000), max_size=5),
)
def test_the_searchs_divisors_are_every_divisor_ascending(gpus, batch, others):
    # The search's divisors (the GPU count's, the batch's, and of whatever divides them, read
    # off theirs) against the definition, counted one by one.
    factors = search.Divisors(gpus, batch)
    asked = [batch, gpus, *others, *search.divisors(gpus)[:6], *search.divisors(batch)[-6:]]
    for n in asked:
        assert factors.of(n) == [d for d in range(1, n + 1) if n % d == 0]
