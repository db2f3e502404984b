"""The planner: every layout of a model on a cluster, the ones that fit, fastest first.

The space (Narayanan et al. 2021, section 3): tensor parallel t over the divisors of the GPU
count that also divide the heads (and KV heads, hidden and MLP width); pipeline stages p over the
divisors of the layers; context parallel c over the divisors that split the sequence evenly;
data parallel d = gpus ÷ (t·p·c), which must divide the global batch; micro-batches b that divide
each data-parallel rank's share, so m = global_batch ÷ (d·b) micro-batches per step; interleaved
chunks v over the divisors of L/p (Megatron-LM needs m ≥ p for v > 1); recomputation none or full
(selective equals none with flash attention); ZeRO 0–3. A pinned choice limits its dimension to
the pinned value.
"""

import math
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import astuple
from heapq import heappush, heapreplace
from typing import Final, NamedTuple

from calculators.catalog.budget import FlopsPerToken
from calculators.kit.errors import InputError

from . import timing
from .inputs import RECOMPUTES, ZERO_STAGES, Cluster, Pins, Run, Shape, model_flops
from .memory import EXACT_INT, MemoryParts, Screen, padded_layers, share

# bisect_right, heappush and heapreplace imported by name: compiled, `heapq.heappush` is a
# module attribute looked up at every call (~8 k instructions a search, measured).

# Final: mypyc writes these constants into the code rather than reading module globals.
# Bounds that keep the search finite on any input without cutting a useful layout: GEMMs are
# full long before a micro-batch holds a million tokens, interleaving beyond 32 chunks per GPU
# only multiplies pipeline sends, and a context-parallel chunk under 128 tokens is all exchange.
MAX_MICRO_BATCH_TOKENS: Final = 2**20
MAX_MICRO_BATCH: Final = 4096
MAX_VPP: Final = 32
MIN_CP_TOKENS: Final = 128
MAX_FITTING: Final = 12  # plans returned that fit, fastest first
MAX_NOT_FITTING: Final = 4  # the fastest layouts that do not fit, listed after them
FREE: Final = Pins()

# Per pipeline depth p (see `plan`): the interleavings v, those at m < p, stage_layers(L, p).
PerDepth = tuple[list[int], list[int], tuple[int, int]]
# Per interleaving v of a (TP, PP): the layers a stage counts, Screen.states_by_zero.
ByInterleaving = tuple[int, list[tuple[int, float, float]]]
# timing.data_parallel_traffic of a (TP, PP)
Traffic = tuple[float, float, float] | None
# What the search keeps of a layout it screened: (its step time, its memory by the screen,
# TP, PP, CP, DP, VPP, micro-batch, recomputation, ZeRO stage); tuples compare item by item,
# so a sorted list of them is fastest first. Flat rather than with the layout in a tuple of
# its own: one tuple fewer to make and free per layout (~0.3 k instructions compiled).
Item = tuple[float, float, int, int, int, int, int, int, str, int]


def divisors(n: int) -> list[int]:
    """The divisors of n, ascending: those up to √n, then their cofactors."""
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    large = [n // d for d in reversed(small)]
    if small[-1] == large[0]:  # n is a square: √n once
        del large[0]
    return small + large


class Divisors:
    """divisors(n) by n, each worked out when first asked for: `factors.of(n)`. Most n asked
    for divide one of a few numbers (the GPU count, the global batch): their divisors are those
    of that number's that divide n. A plain class holding a dict rather than a dict subclass
    with __missing__: compiled, `of` is a native call, where a subclass's `factors[n]` went
    through Python's item lookup and dispatched __missing__ through Python."""

    def __init__(self, *numbers: int) -> None:
        self.numbers = numbers
        self.found: dict[int, list[int]] = {}

    def of(self, n: int) -> list[int]:
        found = self.found.get(n)
        if found is not None:
            return found
        for number in self.numbers:
            if n != number and number % n == 0:
                found = [d for d in self.of(number) if n % d == 0]
                break
        else:
            found = divisors(n)
        self.found[n] = found
        return found


class Plan(NamedTuple):
    """One layout of the search, worked out in full.

    A named tuple rather than a frozen dataclass: as immutable, and built without a Python
    __init__ (a dataclass's generated one stays interpreted under mypyc; a plan's four of them
    were most of making it)."""

    tp: int
    pp: int
    cp: int
    dp: int
    vpp: int
    micro_batch: int
    accumulation_steps: int  # micro-batches per pipeline per optimizer step (m)
    recompute: str
    zero_stage: int
    memory: MemoryParts
    fits: bool
    time: timing.StepTime
    tokens_per_s: float
    tflops_per_gpu: float  # model FLOPs (PaLM's count) per second per GPU, in TFLOP/s
    mfu: float
    hardware_tflops_per_gpu: float  # with recomputation's extra forward
    hfu: float
    optimizer_steps: int
    run_seconds: float
    pipeline_bubble: float  # (p − 1)/(v·m), relative to the ideal time

    @property
    def seconds_per_step(self) -> float:
        return self.time.seconds

    @property
    def memory_bytes(self) -> int:
        return self.memory.total

    @property
    def choices(self) -> dict[str, int | str]:
        return {
            "tp": self.tp,
            "pp": self.pp,
            "cp": self.cp,
            "vpp": self.vpp,
            "micro_batch": self.micro_batch,
            "recompute": self.recompute,
            "zero": self.zero_stage,
        }


class Loss(NamedTuple):
    """Why a plan is slower than the first: a part of the step time that grew, in seconds. A
    named tuple, as Plan."""

    kind: str  # "compute", "recompute", "bubble", "communication"
    seconds: float


class Result:
    """The search's answer. Its plans are ranked when the search ends and each is worked out in
    full (the engine's exact memory count, the step-time parts) only when first asked for: the
    page shows the first few, the JSON answer every one, and either gets the same plans."""

    def __init__(
        self,
        plans: Iterable["Plan"],  # fitting fastest first, then the fastest that do not fit
        shape: Shape,
        cluster: Cluster,
        run: Run,
        flops_per_token: float,  # PaLM's model FLOPs per token
        usable_bytes: int,
        layouts_searched: int,  # layouts × micro-batches × recomputation × ZeRO stages screened
    ):
        self.shape, self.cluster, self.run = shape, cluster, run
        self.flops_per_token = flops_per_token
        self.usable_bytes = usable_bytes
        self.layouts_searched = layouts_searched
        self._made: list[Plan] = []
        self._pending: Iterator[Plan] | None = iter(plans)

    def first(self, n: float) -> list[Plan]:
        """The first n plans (fewer if there are fewer); n = math.inf for all of them."""
        while len(self._made) < n and self._pending is not None:
            made = next(self._pending, None)
            if made is None:
                self._pending = None
            else:
                self._made.append(made)
        return self._made[: int(n)] if n < len(self._made) else list(self._made)

    def first_losses(self, n: float) -> list[list[Loss]]:
        """What each of the first n plans loses against the first (empty for the first)."""
        plans = self.first(n)
        return [losses(plans[0], p) for p in plans]

    @property
    def plans(self) -> list[Plan]:
        return self.first(math.inf)

    @property
    def losses(self) -> list[list[Loss]]:
        return self.first_losses(math.inf)

    @property
    def best(self) -> Plan | None:
        first = self.first(1)
        return first[0] if first and first[0].fits else None

    def _values(self) -> tuple[object, ...]:
        return (
            self.plans,
            self.losses,
            self.shape,
            self.cluster,
            self.run,
            self.flops_per_token,
            self.usable_bytes,
            self.layouts_searched,
        )

    # Defining __eq__ leaves the class unhashable (__hash__ None), as a mutable one should be.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Result):
            return NotImplemented
        return self._values() == other._values()

    def __repr__(self) -> str:
        return f"Result(plans={self.plans!r}, layouts_searched={self.layouts_searched})"


class Context:
    """Per-request constants the time model reads."""

    flops: FlopsPerToken
    output_flops: float
    layer_flops: float
    attention_flops: float
    narrowest: int
    kv_dim: int
    hidden: int
    layers: int
    seq_len: int
    global_batch: int
    gpus: int
    peak: float
    eff_max: float
    links: timing.Links
    screen: Screen
    layer_times: dict[tuple[int, int, int, str], timing.LayerTime]
    stage_layers: dict[int, tuple[int, int]]

    def __init__(self, shape: Shape, cluster: Cluster, run: Run, screen: Screen) -> None:
        flops = model_flops(shape, run.seq_len)
        self.flops = flops
        self.output_flops = 6.0 * shape.vocab * shape.hidden
        self.layer_flops = (flops.total - self.output_flops) / shape.layers
        self.attention_flops = (flops.attention or 0.0) / shape.layers
        self.narrowest = min(shape.q_dim, shape.ffn_hidden)
        self.kv_dim = shape.kv_dim
        self.hidden = shape.hidden
        self.layers = shape.layers
        self.seq_len = run.seq_len
        self.global_batch = run.global_batch
        self.gpus = cluster.gpus
        self.peak = cluster.peak_flops
        self.eff_max = timing.eff_max(cluster.gpu)
        self.links = timing.links(cluster)
        self.screen = screen
        self.layer_times = {}
        self.stage_layers = {}

    def stage_params(self, pp: int) -> int:
        first, last = self.screen.stage_params(pp)
        return first if first >= last else last  # max() of the two, without a generic call


# A floor worked out in floating point is within a few hundred roundings (~1e-14) of its exact
# value; a bound this much lower is below every floor it stands for (see `plan`).
LOWER: Final = 1 - 1e-9


def tp_options(shape: Shape, run: Run, gpus: int) -> list[int]:
    def ok(t: int) -> bool:
        return (
            shape.heads % t == 0
            and shape.hidden % t == 0
            and shape.ffn_hidden % t == 0
            and (shape.arch == "gpt" or shape.kv_heads % t == 0)
        )

    return [t for t in divisors(gpus) if ok(t)]


def check_pins(shape: Shape, cluster: Cluster, run: Run, pins: Pins) -> None:
    """A pinned choice no layout can take, explained against the field it came from."""
    gpus = cluster.gpus
    if pins.tp is not None:
        if gpus % pins.tp:
            raise InputError("tp", f"TP {pins.tp} must divide the {gpus:,} GPUs.")
        if pins.tp not in tp_options(shape, run, gpus):
            raise InputError(
                "tp",
                f"TP {pins.tp} must divide the attention heads ({shape.heads})"
                + (f", the KV heads ({shape.kv_heads})" if shape.arch == "llama" else "")
                + f", hidden ({shape.hidden:,}) and the MLP width ({shape.ffn_hidden:,}).",
            )
    if pins.pp is not None:
        if pins.pp > shape.layers:
            raise InputError(
                "pp", f"PP {pins.pp} is more stages than the model's {shape.layers} layers."
            )
        if gpus % pins.pp:
            raise InputError("pp", f"PP {pins.pp} must divide the {gpus:,} GPUs.")
    if pins.cp is not None:
        if gpus % pins.cp:
            raise InputError("cp", f"CP {pins.cp} must divide the {gpus:,} GPUs.")
        if pins.cp > 1 and run.seq_len % (2 * pins.cp):
            raise InputError(
                "cp",
                f"CP {pins.cp} needs the sequence length to split into 2 × CP = {2 * pins.cp} "
                f"equal chunks (causal load balancing); {run.seq_len:,} does not.",
            )
    if pins.vpp is not None and pins.vpp > 1:
        if pins.pp == 1:
            raise InputError("vpp", "Interleaved chunks need pipeline parallelism (PP above 1).")
        if pins.pp is not None and shape.layers % (pins.pp * pins.vpp):
            raise InputError(
                "vpp",
                f"Interleaving {pins.vpp} chunks on {pins.pp} stages needs the layers "
                f"({shape.layers}) to be a multiple of PP × VPP = {pins.pp * pins.vpp}.",
            )
    if pins.recompute is not None and pins.recompute not in RECOMPUTES:
        raise InputError("recompute", f"Recompute must be one of: {', '.join(RECOMPUTES)}.")
    if pins.zero is not None and pins.zero not in ZERO_STAGES:
        raise InputError("zero", "ZeRO stage must be 0, 1, 2 or 3.")
    if pins.tp and pins.pp and gpus % (pins.tp * pins.pp):
        raise InputError("pp", f"TP × PP = {pins.tp * pins.pp} must divide the {gpus:,} GPUs.")
    if pins.tp and pins.pp and pins.cp and gpus % (pins.tp * pins.pp * pins.cp):
        raise InputError(
            "cp", f"TP × PP × CP = {pins.tp * pins.pp * pins.cp} must divide the {gpus:,} GPUs."
        )


def bubble_and_sends(stage: float, p2p: float, m: int, p: int) -> float:
    """A bound below what the pipeline bubble and the sends add to m·S, the floor of m
    micro-batches through a stage of S seconds with sends of X = `p2p` seconds at v = 1, for
    every interleaving v: (m + (p − 1)/v)·(S + v·X) multiplied out is m·S + m·v·X + (p − 1)·S/v
    + (p − 1)·X, and over every real v > 0 the middle two add up to at least
    2·√(m·X·(p − 1)·S) (AM–GM). For a layout's every micro-batch b at once, pass the figures
    of one sequence, S_b/b and X_b/b, with m = per_rank (b ≥ 1 only adds to the bubble)."""
    return (p - 1) * p2p + 2 * math.sqrt(m * p2p * (p - 1) * stage)


def plan(shape: Shape, cluster: Cluster, run: Run, pins: Pins = FREE) -> Result:
    check_pins(shape, cluster, run, pins)
    screen = Screen(shape, cluster, run)
    ctx = Context(shape, cluster, run, screen)
    grad_bytes = screen.gradient_bytes
    gpus, L, s, batch = cluster.gpus, shape.layers, run.seq_len, run.global_batch
    usable = screen.usable
    factors = Divisors(gpus, batch)

    tps = [pins.tp] if pins.tp else tp_options(shape, run, gpus)
    recomputes = [pins.recompute] if pins.recompute else ["none", "full"]
    bandwidth = ctx.links.within(gpus)  # of the pipeline's sends (stage_time)
    narrowest = ctx.narrowest
    # Per layout (t, p, c, d, ..., its (TP, CP)'s SearchTimes), in the order they are listed:
    combos: list[tuple[int, int, int, int, PerDepth, int, float, timing.SearchTimes]] = []
    # Layouts likely to fit and run fast first, so the bound below prunes early: the model
    # states alone overflow even with ZeRO-3 (`overs`), then the step's compute floor at
    # micro-batch 1 (`floors`; its floor below: t_mb at v = 1 less its sends, rounded as
    # stage_time rounds), then the order listed.
    overs: list[bool] = []
    floors: list[float] = []
    # A bound below the step time of every (micro-batch, recomputation, interleaving) the
    # layout may screen (see `bubble_and_sends`): past the bound, it is skipped whole.
    lowest: list[float] = []
    # Per pipeline depth p, worked out once: the interleavings v Megatron-LM can run, each
    # dividing the layers a stage counts (all v, and v = 1 alone when m < p), and the layers of
    # the most loaded middle stage and of the last (timing.stage_layers).
    by_p: dict[int, PerDepth] = {}
    for t in tps:
        rest = gpus // t
        pps = [pins.pp] if pins.pp else [p for p in factors.of(rest) if L % p == 0]
        if rest % pps[0]:
            continue  # a pinned PP that does not divide GPUs ÷ TP
        # Per sequence, a stage's GEMM time is ∝ s/c + K/b with K = G_HALF·t/width
        # (timing.efficiency), and the rest of its time does not depend on b.
        k = timing.G_HALF * t / narrowest
        # Per CP that can split the sequence for this TP (every CP any PP takes divides
        # GPUs ÷ (TP·PP), so GPUs ÷ (TP·the least PP)), what does not depend on PP: s/c, the
        # largest micro-batch, and at micro-batch 1 the layer's time without recomputation,
        # the output layer's and the pipeline sends' at v = 1 (X_1 of `bubble_and_sends`).
        per_c: list[tuple[int, float, int, float, float, float, timing.SearchTimes]] = []
        for c in [pins.cp] if pins.cp else factors.of(rest // pps[0]):
            if (t > 1 and (s // c) % t) or (
                c > 1 and (s % (2 * c) or (s // c < MIN_CP_TOKENS and not pins.cp))
            ):
                continue
            # b ≤ MAX_MICRO_BATCH and b·s // c ≤ MAX_MICRO_BATCH_TOKENS
            largest = ((MAX_MICRO_BATCH_TOKENS + 1) * c - 1) // s
            if largest > MAX_MICRO_BATCH:
                largest = MAX_MICRO_BATCH
            layout_times = timing.SearchTimes(ctx, t, c)
            plain, _, output, sends = layout_times.layer(1)
            per_c.append((c, s / c, largest, plain, output, 2 * sends / bandwidth, layout_times))
        for p in pps:
            if rest % p:
                continue
            per_p = by_p.get(p)
            if per_p is None:
                if p == 1:
                    vs = [1]
                elif pins.vpp:
                    vs = [pins.vpp]
                else:
                    # Uneven (pinned) stages interleave chunks of the padded count.
                    vs = [v for v in factors.of(-(-L // p)) if v <= MAX_VPP]
                up = -(-L // p)
                vs = [v for v in vs if v == 1 or up % v == 0]
                per_p = by_p[p] = (vs, vs[:1] if vs[:1] == [1] else [], timing.stage_layers(L, p))
            n_middle, n_last = per_p[2]
            shards = rest // p  # d·c, the ranks sharding the states, for every c
            over: bool | None = None
            for c, s_c, largest, plain, output, x, layout_times in per_c:
                if shards % c:
                    continue
                d = shards // c
                if batch % d:
                    continue
                # layout_times.stage(1, p, False), written out (as in the search below)
                if p == 1:
                    stage = L * plain + output
                    p2p = 0.0
                else:
                    middle, slower = n_middle * plain, n_last * plain + output
                    stage = middle if middle >= slower else slower
                    p2p = x
                if over is None:
                    over = screen.overflows(t, p, shards)
                per_rank = batch // d
                promise_floor = per_rank * (stage + p2p - p2p)
                overs.append(over)
                floors.append(promise_floor)
                # max(1, min(largest, per_rank)), written out (per_rank ≥ 1, largest ≥ 0)
                cap = pins.micro_batch or (largest if largest < per_rank else per_rank) or 1
                # From b = 1 (the promise) to any b up to this cap, the floor per sequence
                # falls by at most this factor, up to rounding; full recomputation's is higher.
                rho = (s_c + k / cap) / (s_c + k)
                # What the bubble and the sends add at least, over every micro-batch (the
                # stage time of one sequence, stage·rho, is below each one's per sequence)
                # and interleaving.
                gain = 0.0 if p == 1 else bubble_and_sends(stage * rho, p2p, per_rank, p)
                lowest.append((promise_floor * rho + gain) * LOWER)
                combos.append((t, p, c, d, per_p, largest, gain, layout_times))
    if not combos:
        raise no_split(gpus, batch, pins)

    # By (over, floor), then in the order listed: a stable sort by the floor alone, then those
    # that overflow moved after the rest. Float keys sort without a tuple's generic
    # comparisons (sorting (over, floor, index) tuples was ~0.1 M instructions compiled).
    by_floor = sorted(range(len(combos)), key=floors.__getitem__)
    promise = [i for i in by_floor if not overs[i]] + [i for i in by_floor if overs[i]]

    fitting: list[Item] = []
    not_fitting: list[Item] = []
    # The step times of the fastest fitting plans so far, negated: slowest on top
    heap: list[float] = []
    bound = math.inf  # a layout slower than all MAX_FITTING of them cannot make the list
    searched = 0
    # Per (TP, PP), what every CP shares: per interleaving v, the layers a stage counts and
    # the model states of its first and last stage for each ZeRO stage (Screen.states_by_zero);
    # and the data-parallel collectives (timing.data_parallel_traffic), worked out with the
    # first v (when a micro-batch is first screened). Both are the same for every CP: the d·c
    # ranks sharding the states and reducing the gradients are GPUs ÷ (TP·PP).
    by_tp: dict[tuple[int, int], tuple[dict[int, ByInterleaving], Traffic]] = {}
    for i in promise:
        over = overs[i]
        if lowest[i] > bound:
            continue  # every micro-batch's floor is past the bound: each would be skipped below
        t, p, c, d, (vs, head, (n_middle, n_last)), largest, gain, layout_times = combos[i]
        per_rank = batch // d
        shards = d * c
        # Nothing to shard over one rank; otherwise every stage, each trading memory for
        # communication.
        free_zeros: tuple[int, ...] = (0,) if shards == 1 else ZERO_STAGES
        zeros = (pins.zero,) if pins.zero is not None else free_zeros
        if pins.micro_batch:
            if per_rank % pins.micro_batch:
                continue  # the pinned micro-batch does not divide a rank's share
            bs = [pins.micro_batch]
        else:
            shares = factors.of(per_rank)  # sorted
            bs = shares[: bisect_right(shares, largest)] or [1]
        rcs = recomputes
        if zeros[-1] != 3:  # the promise's `over` is with ZeRO-3
            over = max(screen.states(t, p, 1, zeros[-1], shards)) > usable
        if over:
            # The model states alone overflow: no micro-batch fits. One entry (the least
            # memory) is enough for the list of layouts that do not fit.
            bs, rcs, vs, head = bs[:1], recomputes[-1:], vs[:1], head[:1]
        shared = by_tp.get((t, p))
        if shared is None:
            shared = by_tp[(t, p)] = ({}, None)
        per_v, traffic = shared
        b_max = bs[-1]
        by_micro_batch = layout_times.by_micro_batch
        for rc in rcs:
            # The floors of this recomputation's micro-batches are past the bound, and so are
            # those of full recomputation after it, whose stages are slower at every
            # micro-batch: per sequence, every part of a stage's time falls or stays the same
            # as the micro-batch grows (the GEMMs run more efficiently; communication is
            # proportional to it), so the largest micro-batch has the lowest floor, up to
            # rounding.
            full = rc == "full"
            stage, sends = layout_times.stage(b_max, p, full)  # once per recomputation
            p2p = 2 * sends / bandwidth if p > 1 else 0.0
            # With what the bubble and the sends add at least (`gain`, as for the layout).
            if (per_rank // b_max * (stage + p2p - p2p) + gain) * LOWER > bound:
                break
            # Screen.activation_need, written out: its coefficients once per recomputation.
            l0, l1, e0, e1, o0, o1, r0, r1, s0, s1, reach = screen.coefficients(t, c, rc)
            # Each count x0·b + x1 below, and each product in it, is at most reach·b_max:
            # within 2**53 it is exactly a double, and worked out as one it skips Python's int
            # multiplication, which compiled code calls for any factor past 2**30 (bytes per
            # sequence often are; ~0.1 M instructions a search, measured). Past it (bytes no
            # GPU holds), Screen.activation_need counts in ints.
            exact = reach * b_max <= EXACT_INT
            for b in bs:  # each divides per_rank
                m = per_rank // b
                # layout_times.stage(b, p, full), written out
                plain, with_full, output, sends_j = by_micro_batch.get(b) or layout_times.layer(b)
                per_layer = with_full if full else plain
                if p == 1:
                    stage_j = L * per_layer + output
                    p2p = 0.0
                else:
                    middle, slower = n_middle * per_layer, n_last * per_layer + output
                    stage_j = middle if middle >= slower else slower
                    p2p = 2 * sends_j / bandwidth
                if m * (stage_j + p2p - p2p) > bound:
                    continue  # its floor: no choice of v or ZeRO stage makes it fast enough
                # Megatron-LM refuses interleaving with m < p
                interleavings = vs if m >= p else head
                if (
                    p > 1
                    and interleavings
                    and (m * stage_j + bubble_and_sends(stage_j, p2p, m, p)) * LOWER > bound
                ):
                    # Each v's step time would be past the bound (and skipped below).
                    continue
                some_fit = False
                # Bytes at this micro-batch (where the names above hold seconds), as doubles
                # holding ints exactly (`exact`): a sum of them, or one divided, rounds as the
                # ints' would (Python converts an int to a double, rounded once, to add it to
                # one).
                b_f = float(b)
                layer_bytes, embedding_bytes = l0 * b_f + l1, e0 * b_f + e1
                output_bytes, rebuild, loss = o0 * b_f + o1, r0 * b_f + r1, s0 * b_f + s1
                for v in interleavings:
                    t_mb = stage_j + (2 * v * sends_j / bandwidth if p > 1 else 0.0)
                    base = (m + (p - 1) / v) * t_mb
                    if base > bound:
                        some_fit = True  # not known; do not stop the micro-batches
                        continue
                    found = per_v.get(v)
                    if found is None:
                        if not per_v:  # the first v of this (TP, PP): no traffic yet either
                            traffic = timing.data_parallel_traffic(ctx, t, p, c, d, grad_bytes)
                            by_tp[(t, p)] = (per_v, traffic)
                        found = per_v[v] = (
                            padded_layers(L, p, v),
                            screen.states_by_zero(t, p, v, zeros, shards),
                        )
                    layers, zero_states = found
                    if not exact:
                        first, last = screen.activation_need(t, p, c, d, v, b, rc)
                    else:
                        # chunks_in_flight of the first and the last stage
                        warmup = p - 1 if v == 1 else 2 * (p - 1) + (v - 1) * p
                        chunks = m * v if warmup >= m * v else warmup + 1
                        # The stored layers over p·v chunks, and the embedding's over v, each
                        # divided as the ints would be (memory.share)
                        first = (
                            share(layer_bytes, layers * chunks, p * v)
                            + share(embedding_bytes, chunks, v)
                            + rebuild
                        )
                        if p == 1:
                            first = last = first + output_bytes + loss
                        else:
                            warmup = 0 if v == 1 else (v - 1) * p
                            chunks = m * v if warmup >= m * v else warmup + 1
                            last = (
                                share(layer_bytes, layers * chunks, p * v)
                                + output_bytes
                                + rebuild
                                + loss
                            )
                    # Each ZeRO stage shards more of the states than the one before, so it
                    # needs at most as much memory (Screen.states_by_zero): the last needs the
                    # least, and the stages that fit are the last few.
                    z, s_first, s_last = zero_states[-1]
                    need, other = s_first + first, s_last + last
                    if other > need:
                        need = other
                    if need > usable:
                        # None fits: every stage is screened, and the list of layouts that do
                        # not fit takes the first stage that needs this least memory.
                        searched += len(zero_states)
                        least = z
                        for z, s_first, s_last in zero_states[-2::-1]:
                            other, other_last = s_first + first, s_last + last
                            if other_last > other:
                                other = other_last
                            if other > need:
                                break
                            least = z
                        seconds = base + timing.exposed(traffic, least, m, t_mb)
                        not_fitting.append((seconds, need, t, p, c, d, v, b, rc, least))
                        continue
                    for stage_states in zero_states:  # the first stage that fits
                        searched += 1
                        need, other = stage_states[1] + first, stage_states[2] + last
                        if other > need:
                            need = other
                        if need <= usable:
                            break
                    z = stage_states[0]
                    seconds = base + timing.exposed(traffic, z, m, t_mb)
                    best = (seconds, need, t, p, c, d, v, b, rc, z)
                    if z == 0 and len(zero_states) > 1:
                        # ZeRO-1 fits too and may be faster (timing.data_parallel_exposed);
                        # the stages past it only add communication.
                        searched += 1
                        z, s_first, s_last = zero_states[1]
                        need, other = s_first + first, s_last + last
                        if other > need:
                            need = other
                        seconds = base + timing.exposed(traffic, z, m, t_mb)
                        item = (seconds, need, t, p, c, d, v, b, rc, z)
                        if item < best:
                            best = item
                    fitting.append(best)
                    if len(heap) < MAX_FITTING:
                        heappush(heap, -best[0])
                    elif best[0] < -heap[0]:
                        heapreplace(heap, -best[0])
                    if len(heap) == MAX_FITTING:
                        bound = -heap[0]
                    some_fit = True
                if not some_fit:
                    # Memory grows with the micro-batch (a rank holds at most
                    # min(b·p, its share) sequences in flight): larger ones fit no more.
                    break
    if not fitting and not not_fitting:
        raise no_split(gpus, batch, pins)
    # By (seconds, need, layout): each item is that tuple.
    fitting.sort()
    not_fitting.sort()
    return Result(
        ranked(ctx, screen, run, grad_bytes, fitting, not_fitting),
        shape=shape,
        cluster=cluster,
        run=run,
        flops_per_token=ctx.flops.total,
        usable_bytes=usable,
        layouts_searched=searched,
    )


def ranked(
    ctx: Context,
    screen: Screen,
    run: Run,
    grad_bytes: int,
    fitting: list[Item],
    not_fitting: list[Item],
) -> Iterator[Plan]:
    """The plans in the order a Result lists them, each made when the one before it has been
    taken: up to MAX_FITTING that fit by the engine's exact count, then the fastest that do
    not (`fitting` and `not_fitting` are the search's items, sorted)."""
    first: Plan | None = None
    count = 0
    for item in fitting:
        made = make_plan(ctx, screen, run, grad_bytes, item)
        if made.fits:
            first = first or made
            count += 1
            yield made
        else:  # the screen's rounding said fits, the engine's exact count says not
            not_fitting.insert(0, item)
        if count == MAX_FITTING:
            break
    # Only the layouts that do not fit but would be faster than the recommendation say
    # something (what memory costs); list the fastest of them.
    cutoff = first.seconds_per_step if first else math.inf
    shown = [item for item in not_fitting if item[0] < cutoff] or not_fitting
    for item in shown[:MAX_NOT_FITTING]:
        yield make_plan(ctx, screen, run, grad_bytes, item)


def no_split(gpus: int, batch: int, pins: Pins) -> InputError:
    return InputError(
        "global_batch",
        f"No layout splits a global batch of {batch:,} sequences over {gpus:,} GPUs"
        + (" with the pinned choices" if any(astuple(pins)) else "")
        + ": the batch must be a multiple of data parallel × micro-batch. Try a batch "
        "that is a multiple of the GPU count, or unpin a choice.",
    )


def make_plan(ctx: Context, screen: Screen, run: Run, grad_bytes: int, item: Item) -> Plan:
    _, _, t, p, c, d, v, b, rc, z = item
    memory = screen.exact(t, p, c, d, v, b, rc, z)
    st = timing.step_time(ctx, t, p, c, d, v, b, rc, z, grad_bytes)
    seconds = st.seconds
    gpus = ctx.gpus
    tokens = run.tokens_per_step
    model = tokens * ctx.flops.total
    hardware = model + (tokens * ctx.layer_flops * ctx.layers / 3 if rc == "full" else 0.0)
    steps = -(-run.train_tokens // tokens)
    m = run.global_batch // (d * b)
    return Plan(
        tp=t,
        pp=p,
        cp=c,
        dp=d,
        vpp=v,
        micro_batch=b,
        accumulation_steps=m,
        recompute=rc,
        zero_stage=z,
        memory=memory,
        fits=memory.total <= screen.usable,
        time=st,
        tokens_per_s=tokens / seconds,
        tflops_per_gpu=model / (gpus * seconds) / 1e12,
        mfu=model / (gpus * seconds * ctx.peak),
        hardware_tflops_per_gpu=hardware / (gpus * seconds) / 1e12,
        hfu=hardware / (gpus * seconds * ctx.peak),
        optimizer_steps=steps,
        run_seconds=steps * seconds,
        pipeline_bubble=(p - 1) / (v * m),
    )


def losses(first: Plan, other: Plan) -> list[Loss]:
    """The parts of the step time that grew against the first plan, largest first (only those
    above 1 % of the first plan's step)."""
    if other is first:
        return []
    a, b = first.time, other.time
    comm_a = a.tensor_parallel + a.context_parallel + a.pipeline_p2p + a.data_parallel
    comm_b = b.tensor_parallel + b.context_parallel + b.pipeline_p2p + b.data_parallel
    parts = (
        ("compute", (b.compute - b.recompute) - (a.compute - a.recompute)),
        ("recompute", b.recompute - a.recompute),
        ("bubble", b.bubble - a.bubble),
        ("communication", comm_b - comm_a),
    )
    threshold = 0.01 * a.seconds
    grown = [Loss(kind, seconds) for kind, seconds in parts if seconds > threshold]
    grown.sort(key=lambda x: -x.seconds)
    return grown
