"""Time of one optimizer step for one layout. Pure Python, closed form.

    step = (m + (p − 1)/v) × t_mb  +  exposed data-parallel communication

t_mb is one micro-batch through the slowest pipeline stage: its layers' forward and backward at
an achievable fraction of peak, the extra forward of full recomputation, the tensor-parallel
all-reduces, the context-parallel K/V exchange the attention cannot hide, and the pipeline's
point-to-point sends. (p − 1)/v micro-batch slots are the 1F1B pipeline bubble (Narayanan et al.
2021, section 2.2). Every assumption is a named constant below, and the page states them.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, NamedTuple, Protocol

from calculators.catalog.interconnect import ACHIEVED_FRACTION

from .inputs import Cluster
from .memory import ratio

if TYPE_CHECKING:  # search imports this module: only its type is needed here
    from .search import Context

# Final: mypyc writes these constants into the code rather than reading module globals.
BF16: Final = 2  # bytes of an activation or weight on the wire

# The achievable fraction of peak. Two things lower it, each a saturating curve:
#   eff = EFF_MAX × h/(h + H_HALF) × g/(g + G_HALF)
# - h, the model width: a layer's GEMMs cost ∝ h² per token but its memory-bound work (norms,
#   activation functions, dropout, residual adds, softmax) ∝ h, so narrow models spend more of
#   their time off the tensor cores (Narayanan et al. 2021, Table 1: 44 % of peak at h = 2,304,
#   52 % at h = 25,600);
# - g, the size of the GEMMs a GPU is left with: the output tile of its narrowest one, tokens of
#   one micro-batch on the GPU (micro_batch × seq_len / CP) × its narrowest weight dimension
#   (min(heads·head_dim, ffn_hidden) / TP). A GEMM too small to give every streaming
#   multiprocessor several 128 × 128 tiles leaves some idle: tensor parallelism and small
#   micro-batches both shrink it (their Fig. 7: throughput rises by about a third from
#   micro-batch 1 to 16; Fig. 15: more TP, smaller GEMMs).
# The constants were fitted by hand to the two published tables the page compares with (so the
# agreement there is in-sample). EFF_MAX, the share of the dense peak the largest GEMMs sustain,
# is lower on Hopper than on Ampere (fitted: 0.68 against 0.75; H100 runs at its 989 TFLOP/s
# only at boost clocks its 700 W limit rarely allows under a full GEMM load). GPUs outside the
# two tables take the Hopper figure, the more cautious one.
EFF_MAX: Final = {"a100": 0.75, "h100": 0.68}
EFF_MAX_OTHER: Final = 0.68
H_HALF: Final = 1500
G_HALF: Final = 1.6e6


def eff_max(gpu_slug: str) -> float:
    return EFF_MAX.get(gpu_slug[:4], EFF_MAX_OTHER)


# Full recomputation runs every layer's forward a second time before its backward: one more
# forward on top of forward + backward (= 3 forwards), a third more compute (Korthikanti et al.
# 2022, section 5; Narayanan et al. 2021, Eq. 3 counts 4 passes instead of 3). Selective
# recomputation re-runs only the attention scores, which a flash-attention kernel recomputes in
# its backward anyway: no extra time, and no memory saved (the activation engine agrees).
FULL_RECOMPUTE_EXTRA: Final = 1 / 3

# Tensor parallelism (Megatron-LM, Shoeybi et al. 2019, Fig. 3): per layer, two all-reduces of
# the layer's activations in the forward and two in the backward (the same bytes as the
# all-gather + reduce-scatter pairs of sequence parallelism); full recomputation repeats the
# forward's two. Assumed not overlapped with compute (Megatron-LM's default).
TP_COLLECTIVES: Final = 4
TP_COLLECTIVES_RECOMPUTE: Final = 2


@dataclass(frozen=True)
class Links:
    """Per-GPU, per-direction bandwidth actually achieved, in bytes/s."""

    intra: float
    network: float | None
    gpus_per_node: int

    def within(self, group_span: int) -> float:
        """Bandwidth of a group of `group_span` consecutive ranks: NVLink (or PCIe) when it fits
        in one node, the network per GPU otherwise."""
        if group_span <= self.gpus_per_node or self.network is None:
            return self.intra
        return self.network


def links(cluster: Cluster) -> Links:
    link = cluster.link
    network_gb_s = link.network_gb_s  # None: no network (Interconnect.has_network)
    network = network_gb_s * 1e9 * ACHIEVED_FRACTION if network_gb_s is not None else None
    return Links(link.intra_gb_s * 1e9 * ACHIEVED_FRACTION, network, cluster.gpus_per_node)


def efficiency(top: float, hidden: float, width: float, tokens: float) -> float:
    gemm = width * tokens
    return top * hidden / (hidden + H_HALF) * gemm / (gemm + G_HALF)


def ring_all_reduce(n: int, nbytes: float, bandwidth: float) -> float:
    """A ring all-reduce moves 2(n − 1)/n of the buffer through every GPU's link."""
    return 2 * (n - 1) / n * nbytes / bandwidth if n > 1 else 0.0


def ring_half(n: int, nbytes: float, bandwidth: float) -> float:
    """A reduce-scatter or an all-gather: (n − 1)/n of the (whole) buffer."""
    return (n - 1) / n * nbytes / bandwidth if n > 1 else 0.0


def stage_layers(layers: int, pp: int) -> tuple[int, int]:
    """(layers on the most loaded middle stage, layers on the last stage). When pp does not
    divide the layers, the stages hold ceil(L/p) and the first and last give up the difference,
    as Llama 3 did (126 layers on 16 stages: 7, 8 × 14, 7; Dubey et al. 2024, section 3.3.2).
    Each keeps at least one layer: when the difference is more than they hold (8 layers on 7
    stages), the middle stages give up the rest and the most loaded one still holds ceil(L/p)
    (2, 1, 1, 1, 1, 1, 1)."""
    per = -(-layers // pp)
    short = per * pp - layers
    if pp == 1:
        return layers, layers
    return per, max(1, per - (short + 1) // 2)


class Request(Protocol):
    """What the scalar time model reads of a request: search.Context. A protocol rather than
    that class because the tests' reference search (tests/training_plan/reference_search.py)
    passes its own copy of it; SearchTimes, the search's own, takes the class itself."""

    seq_len: int
    global_batch: int
    hidden: int
    narrowest: int
    kv_dim: int
    layers: int
    gpus: int
    layer_flops: float
    output_flops: float
    peak: float
    eff_max: float
    links: Links
    layer_times: "dict[tuple[int, int, int, str], LayerTime]"

    def stage_params(self, pp: int) -> int: ...


class StepTime(NamedTuple):
    """One optimizer step's time and its parts, in seconds.

    A named tuple rather than a frozen dataclass: as immutable, and built without a Python
    __init__ (a dataclass's generated one stays interpreted under mypyc; a plan's four of them
    were most of making it)."""

    seconds: float
    micro_batch_seconds: float  # one micro-batch through the slowest stage
    compute: float  # per step, every micro-batch, at the achieved fraction of peak
    recompute: float  # the part of `compute` that full recomputation adds
    tensor_parallel: float
    context_parallel: float
    pipeline_p2p: float
    bubble: float
    data_parallel: float
    efficiency: float  # the achievable fraction of peak this layout's GEMMs get


class LayerTime(NamedTuple):
    """One layer, one micro-batch, one GPU: what depends on TP, CP, micro-batch and recompute.
    A named tuple, as StepTime."""

    efficiency: float
    compute: float  # forward + backward at the achieved rate
    recompute: float  # full recomputation's extra forward
    tensor_parallel: float
    context_parallel: float  # the part the attention does not hide
    output: float  # the output layer (on the last stage)
    p2p_bytes: float  # one activation tensor between stages, per tensor-parallel rank

    @property
    def total(self) -> float:
        return self.compute + self.recompute + self.tensor_parallel + self.context_parallel


def layer_time(ctx: Request, tp: int, cp: int, micro_batch: int, recompute: str) -> LayerTime:
    key = (tp, cp, micro_batch, recompute)
    cached = ctx.layer_times.get(key)
    if cached is not None:
        return cached
    result = ctx.layer_times[key] = LayerTime(*layer_figures(ctx, tp, cp, micro_batch, recompute))
    return result


def layer_figures(
    ctx: Request, tp: int, cp: int, micro_batch: int, recompute: str
) -> tuple[float, float, float, float, float, float, float]:
    """LayerTime's fields, in its order, as a plain tuple: the search reads them for hundreds
    of layouts a request and needs no dataclass around them."""
    tokens = micro_batch * ctx.seq_len / cp  # tokens of one micro-batch on one GPU
    eff = efficiency(ctx.eff_max, ctx.hidden, ctx.narrowest / tp, tokens)
    rate = ctx.peak * eff
    full = recompute == "full"
    compute = tokens * ctx.layer_flops / tp / rate
    act_bytes = tokens * ctx.hidden * BF16
    tp_time = 0.0
    if tp > 1:
        collectives = TP_COLLECTIVES + (TP_COLLECTIVES_RECOMPUTE if full else 0)
        tp_time = collectives * ring_all_reduce(tp, act_bytes, ctx.links.within(tp))
    cp_time = 0.0
    if cp > 1:
        # Each GPU needs the K and V of the whole sequence for its queries: an all-gather of
        # (cp − 1)/cp of them in the forward, and in the backward the all-gather again and a
        # reduce-scatter of their gradients. Assumed exposed, as in Llama 3's all-gather context
        # parallelism (Dubey et al. 2024, section 3.3.2); ring attention can hide part of it.
        kv = (cp - 1) / cp * micro_batch * ctx.seq_len * ctx.kv_dim * 2 * BF16 / tp
        bandwidth = ctx.links.within(tp * cp)
        cp_time = (kv + 2 * kv + (kv if full else 0.0)) / bandwidth
    return (
        eff,
        compute,
        compute * FULL_RECOMPUTE_EXTRA if full else 0.0,
        tp_time,
        cp_time,
        tokens * ctx.output_flops / tp / rate,
        act_bytes / tp,
    )


def slowest_stage(layers: int, pp: int, per_layer: float, output: float) -> tuple[float, int, bool]:
    """(one micro-batch through the slowest stage without its point-to-point sends, its layers,
    whether it holds the output layer), for one layer's time `per_layer` (LayerTime.total)."""
    mid, last = stage_layers(layers, pp)
    # The slowest stage sets the pace: a middle stage, or the last with the output layer.
    if pp == 1:
        n_layers, with_output = layers, True
    elif mid * per_layer >= last * per_layer + output:
        n_layers, with_output = mid, False
    else:
        n_layers, with_output = last, True
    return n_layers * per_layer + (output if with_output else 0.0), n_layers, with_output


def stage_time(ctx: Request, lt: LayerTime, pp: int, vpp: int) -> tuple[float, int, bool, float]:
    """(one micro-batch through the slowest stage, its layers, whether it holds the output
    layer, the point-to-point part of it)."""
    stage, n_layers, with_output = slowest_stage(ctx.layers, pp, lt.total, lt.output)
    p2p = 0.0
    if pp > 1:
        # Each of the v chunks sends its output forward and its input gradient back; with
        # Megatron's scatter/gather each tensor-parallel rank sends 1/t of it (Narayanan et al.
        # 2021, section 4.1). Assumed not overlapped.
        p2p = 2 * vpp * lt.p2p_bytes / ctx.links.within(ctx.gpus)
    return stage + p2p, n_layers, with_output, p2p


class SearchTimes:
    """`layer_time` and `stage_time` for the search, for one (TP, CP) over the micro-batches,
    pipeline depths and recomputations it visits. The same operations in the same order on the
    same doubles, so the same figures to the last bit (tests/training_plan/test_engine_search.py
    compares them), with what does not depend on the micro-batch worked out once: a search
    visits a few hundred rows, and each Python operation counts there. Selective recomputation
    takes the time of none (see FULL_RECOMPUTE_EXTRA)."""

    # A search makes one per (TP, CP) it lists, a few dozen a request: slots, no __dict__.
    __slots__ = (
        "tp",
        "cp",
        "seq_len",
        "hidden",
        "peak",
        "layer_flops",
        "output_flops",
        "width",
        "top",
        "layers",
        "tp_share",
        "tp_bandwidth",
        "cp_share",
        "kv_dim",
        "cp_bandwidth",
        "by_micro_batch",
        "stage_layers",
    )

    tp: int
    cp: int
    seq_len: int
    hidden: int
    peak: float
    layer_flops: float
    output_flops: float
    width: float
    top: float
    layers: int
    tp_share: float
    tp_bandwidth: float
    cp_share: float
    kv_dim: int
    cp_bandwidth: float
    by_micro_batch: dict[int, tuple[float, float, float, float]]
    stage_layers: dict[int, tuple[int, int]]

    def __init__(self, ctx: "Context", tp: int, cp: int) -> None:
        self.tp, self.cp, self.seq_len = tp, cp, ctx.seq_len
        self.hidden, self.peak = ctx.hidden, ctx.peak
        self.layer_flops, self.output_flops = ctx.layer_flops, ctx.output_flops
        self.width = ctx.narrowest / tp  # efficiency's GEMM width
        self.top = ctx.eff_max * ctx.hidden / (ctx.hidden + H_HALF)  # efficiency, left to right
        self.layers = ctx.layers
        # ring_all_reduce's share of the buffer and the tensor-parallel group's bandwidth
        self.tp_share = 2 * (tp - 1) / tp
        self.tp_bandwidth = ctx.links.within(tp)
        self.cp_share = (cp - 1) / cp
        self.kv_dim = ctx.kv_dim
        self.cp_bandwidth = ctx.links.within(tp * cp)
        self.by_micro_batch = {}
        self.stage_layers = ctx.stage_layers  # stage_layers(L, p) by p, shared by a search

    def layer(self, micro_batch: int) -> tuple[float, float, float, float]:
        """(LayerTime.total without recomputation, with full recomputation, LayerTime.output,
        LayerTime.p2p_bytes)."""
        tp, cp = self.tp, self.cp
        tokens = micro_batch * self.seq_len / cp
        gemm = self.width * tokens
        rate = self.peak * (self.top * gemm / (gemm + G_HALF))
        compute = tokens * self.layer_flops / tp / rate
        act_bytes = tokens * self.hidden * BF16
        # LayerTime.total, left to right; a part that is 0.0 adds nothing to a sum
        plain, full = compute, compute + compute * FULL_RECOMPUTE_EXTRA
        if tp > 1:
            all_reduce = self.tp_share * act_bytes / self.tp_bandwidth
            plain += TP_COLLECTIVES * all_reduce
            full += (TP_COLLECTIVES + TP_COLLECTIVES_RECOMPUTE) * all_reduce
        if cp > 1:
            kv = self.cp_share * micro_batch * self.seq_len * self.kv_dim * 2 * BF16 / tp
            plain += (kv + 2 * kv + 0.0) / self.cp_bandwidth
            full += (kv + 2 * kv + kv) / self.cp_bandwidth
        found = self.by_micro_batch[micro_batch] = (
            plain,
            full,
            tokens * self.output_flops / tp / rate,
            act_bytes / tp,
        )
        return found

    def stage(self, micro_batch: int, pp: int, full: bool) -> tuple[float, float]:
        """(stage_time's slowest stage without its point-to-point sends, the bytes of one
        send): `slowest_stage`, written out."""
        found = self.by_micro_batch.get(micro_batch)
        plain, with_full, output, sends = found if found is not None else self.layer(micro_batch)
        per_layer = with_full if full else plain
        if pp == 1:
            return self.layers * per_layer + output, sends
        layers = self.stage_layers.get(pp)
        if layers is None:
            layers = self.stage_layers[pp] = stage_layers(self.layers, pp)
        middle = layers[0] * per_layer
        slower = layers[1] * per_layer + output
        return (middle if middle >= slower else slower), sends


def step_time(
    ctx: Request,
    tp: int,
    pp: int,
    cp: int,
    dp: int,
    vpp: int,
    micro_batch: int,
    recompute: str,
    zero: int,
    grad_bytes: int,
) -> StepTime:
    """`ctx` carries the per-request constants (see search.Context)."""
    lt = layer_time(ctx, tp, cp, micro_batch, recompute)
    t_mb, n_layers, with_output, p2p = stage_time(ctx, lt, pp, vpp)
    m = ctx.global_batch // (dp * micro_batch)
    bubble = (pp - 1) / vpp * t_mb
    dp_time = data_parallel_exposed(ctx, tp, pp, cp, dp, zero, m, t_mb, grad_bytes)
    compute = n_layers * (lt.compute + lt.recompute) + (lt.output if with_output else 0.0)
    return StepTime(
        seconds=m * t_mb + bubble + dp_time,
        micro_batch_seconds=t_mb,
        compute=m * compute,
        recompute=m * n_layers * lt.recompute,
        tensor_parallel=m * n_layers * lt.tensor_parallel,
        context_parallel=m * n_layers * lt.context_parallel,
        pipeline_p2p=m * p2p,
        bubble=bubble,
        data_parallel=dp_time,
        efficiency=lt.efficiency,
    )


def data_parallel_exposed(
    ctx: Request,
    tp: int,
    pp: int,
    cp: int,
    dp: int,
    zero: int,
    m: int,
    t_mb: float,
    grad_bytes: int,
) -> float:
    """Gradient reduction and parameter gathering across the dp·cp ranks that hold the same
    weights, minus what overlaps with compute. Overlap assumption (Megatron-LM's
    --overlap-grad-reduce and --overlap-param-gather, PyTorch FSDP's prefetching): a step's
    gradient reduce-scatter hides behind the backward of its last micro-batch and the
    parameter all-gather behind the forward of the first. ZeRO-2 reduces every micro-batch's
    gradients (it keeps only a shard), ZeRO-3 also gathers the weights for every micro-batch's
    forward and backward."""
    return exposed(data_parallel_traffic(ctx, tp, pp, cp, dp, grad_bytes), zero, m, t_mb)


def data_parallel_traffic(
    ctx: Request, tp: int, pp: int, cp: int, dp: int, grad_bytes: int
) -> tuple[float, float, float] | None:
    """A layout's data-parallel collectives, in seconds with nothing hidden: (the gradient
    all-reduce, the gradient reduce-scatter, the weight all-gather); None with one rank. The
    search works them out once per layout, `exposed` per ZeRO stage and micro-batch."""
    n = dp * cp
    if n == 1:
        return None
    params = ratio(ctx.stage_params(pp), tp)
    bw = ctx.links.within(tp * cp * dp)
    grads = params * grad_bytes
    weights = params * BF16
    return ring_all_reduce(n, grads, bw), ring_half(n, grads, bw), ring_half(n, weights, bw)


def exposed(traffic: tuple[float, float, float] | None, zero: int, m: int, t_mb: float) -> float:
    """What of `traffic` (data_parallel_traffic) the compute does not hide, for ZeRO `zero`
    with m micro-batches of t_mb seconds (see data_parallel_exposed)."""
    if traffic is None:
        return 0.0
    all_reduce, scatter, gather = traffic
    # Each part is max(0.0, what is left) written out: the search calls this for every plan it
    # screens, and a builtin's call costs more than the comparison.
    bwd = 2 * t_mb / 3
    if zero == 0:
        left = all_reduce - bwd
        return left if left > 0.0 else 0.0
    fwd = t_mb / 3
    gathered = gather - fwd
    gathered = gathered if gathered > 0.0 else 0.0
    if zero == 3:
        left = gather + scatter - bwd
        return m * (gathered + (left if left > 0.0 else 0.0))
    left = scatter - bwd
    left = left if left > 0.0 else 0.0
    return (m * left if zero == 2 else left) + gathered
