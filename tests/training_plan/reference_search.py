"""The planner's search as it stood before its speed work (issue 14), kept as the reference the
fast search (training_plan/engine/search.py) must agree with exactly: the same layouts visited
in the same order, pruned by the same bound, and every memory figure from the activation engine
itself (calculators/catalog/activation.py: `layer_terms`, `embedding_terms`, `output_terms`,
`loss_working_bytes` and `stage_needs`, one call each time), every time figure from the scalar
time model (timing.layer_time, stage_time, data_parallel_exposed, step_time), one layout at a
time. It is slow (tens of milliseconds for a thousand GPUs) and plain, which is its use."""

import heapq
import math
from dataclasses import astuple, dataclass, replace
from functools import cached_property

from calculators.catalog.activation import (
    Hardware,
    chunks_in_flight,
    embedding_terms,
    layer_terms,
    loss_working_bytes,
    output_terms,
    param_count,
    stage_needs,
    total,
    worst,
)
from calculators.catalog.memory import ceil_div, state_bytes_per_param, zero_sharded_state_bytes
from calculators.kit.errors import InputError
from training_plan.engine import timing
from training_plan.engine.inputs import ZERO_STAGES, Cluster, Pins, Run, Shape, model_flops
from training_plan.engine.memory import MemoryParts, padded_layers
from training_plan.engine.search import (
    FREE,
    MAX_FITTING,
    MAX_MICRO_BATCH,
    MAX_MICRO_BATCH_TOKENS,
    MAX_NOT_FITTING,
    MAX_VPP,
    MIN_CP_TOKENS,
    Plan,
    Result,
    check_pins,
    divisors,
    tp_options,
)


def affine(f, one, two):
    a, b = f(one), f(two)
    return b - a, 2 * a - b  # bytes per sequence, bytes that do not grow with it


@dataclass(frozen=True)
class Coefficients:
    layer: tuple[int, int]
    embedding: tuple[int, int]
    output: tuple[int, int]
    recompute: tuple[int, int]
    loss: tuple[int, int]


class Screen:  # the activation engine, one call per count
    """Fast, engine-derived memory per layout for the search; `exact` for the answer."""

    def __init__(self, shape, cluster, run):
        self.shape, self.cluster, self.run = shape, cluster, run
        self.per_param = state_bytes_per_param(run.precision, run.optimizer)
        self.usable = int(cluster.capacity_bytes * (100 - run.reserve_pct) / 100)
        self._coefficients = {}
        self._params = {}
        self._states = {}
        self._shared = {}

    def scenario(self, tp, pp, cp, vpp, micro_batch, recompute, accumulation_steps):
        return self.shape.scenario(
            seq_len=self.run.seq_len // cp,
            micro_batch=micro_batch,
            layers=padded_layers(self.shape.layers, pp, vpp),
            tp=tp,
            pp=pp,
            sp=int(tp > 1),
            vpp=vpp,
            recompute=recompute,
            accumulation_steps=accumulation_steps,
        )

    def coefficients(self, tp, cp, recompute) -> Coefficients:
        key = (tp, cp, recompute)
        if key not in self._coefficients:
            one = self.scenario(tp, 1, cp, 1, 1, recompute, None)
            two = replace(one, micro_batch=2)
            shared = self._shared.get((tp, cp))
            if shared is None:  # what does not depend on recomputation
                shared = self._shared[(tp, cp)] = (
                    affine(lambda x: total(embedding_terms(x)), one, two),
                    affine(lambda x: total(output_terms(x)), one, two),
                    affine(loss_working_bytes, one, two),
                )
            layer = affine(lambda x: total(layer_terms(x)), one, two)
            if recompute == "none":
                rebuild = (0, 0)
            else:
                # What the backward rebuilds for one layer: recompute_working_bytes, from the
                # layer without recomputation (a difference of two affine counts is affine).
                plain = self.coefficients(tp, cp, "none").layer
                rebuild = (
                    plain
                    if recompute == "full"
                    else (
                        plain[0] - layer[0],
                        plain[1] - layer[1],
                    )
                )
            self._coefficients[key] = Coefficients(layer, *shared[:2], rebuild, shared[2])
        return self._coefficients[key]

    @cached_property
    def _param_count(self):
        return param_count(self.shape.scenario())

    def stage_params(self, pp: int, vpp: int = 1) -> tuple[int, int]:
        """(first-stage, last-stage) parameters; both the whole model when pp = 1."""
        key = (pp, vpp)
        if key not in self._params:
            pc = self._param_count
            if pp == 1:
                self._params[key] = (pc.total, pc.total)
            else:
                here = pc.per_layer * (padded_layers(self.shape.layers, pp, vpp) // pp)
                out = pc.final_norm + (pc.output_layer or pc.embedding)
                self._params[key] = (here + pc.embedding, here + out)
        return self._params[key]

    def states(self, tp, pp, vpp, zero, shards) -> tuple[int, int]:
        """Model-state bytes of the (first, last) stage's GPU: one shard of TP, ZeRO over the
        dp·cp ranks that hold the same weights."""
        key = (tp, pp, vpp, zero, shards)
        cached = self._states.get(key)
        if cached is None:
            cached = tuple(
                zero_sharded_state_bytes(
                    ceil_div(params, tp), self.per_param, zero, shards
                ).total_bytes
                for params in self.stage_params(pp, vpp)
            )
            self._states[key] = cached
        return cached

    def activation_need(self, tp, pp, cp, dp, vpp, b, recompute) -> tuple[float, float]:
        """Bytes beyond the model states on the (first, last) stage's GPU: activations as the
        engine's `activations` counts them, and the recompute and loss buffers."""
        c = self.coefficients(tp, cp, recompute)
        m = self.run.global_batch // (dp * b)
        layers = padded_layers(self.shape.layers, pp, vpp)
        per_layer = c.layer[0] * b + c.layer[1]
        rebuild = c.recompute[0] * b + c.recompute[1]
        loss = c.loss[0] * b + c.loss[1]
        output = c.output[0] * b + c.output[1]
        first_chunks = chunks_in_flight(pp, vpp, m, 0)
        first = (
            per_layer * layers * first_chunks / (pp * vpp)
            + (c.embedding[0] * b + c.embedding[1]) * first_chunks / vpp
            + rebuild
        )
        if pp == 1:
            whole = first + output + loss
            return whole, whole
        last_chunks = chunks_in_flight(pp, vpp, m, pp - 1)
        return first, per_layer * layers * last_chunks / (pp * vpp) + output + rebuild + loss

    def need(self, tp, pp, cp, dp, vpp, b, recompute, zero) -> float:
        """Bytes on the most loaded GPU (the screen: the engine's count up to rounding)."""
        first, last = self.activation_need(tp, pp, cp, dp, vpp, b, recompute)
        s_first, s_last = self.states(tp, pp, vpp, zero, dp * cp)
        return max(s_first + first, s_last + last)

    def exact(self, tp, pp, cp, dp, vpp, b, recompute, zero) -> MemoryParts:
        m = self.run.global_batch // (dp * b)
        sc = self.scenario(tp, pp, cp, vpp, b, recompute, m)
        hw = Hardware(
            capacity_bytes=self.cluster.capacity_bytes,
            reserve_pct=self.run.reserve_pct,
            gpus=self.cluster.gpus,
            zero=zero,
            precision=self.run.precision,
            optimizer=self.run.optimizer,
        )
        n = worst(stage_needs(sc, hw, dp * cp))
        return MemoryParts(
            stage=n.stage,
            weights=n.states.weights_bytes,
            gradients=n.states.gradients_bytes,
            optimizer_states=n.states.optimizer_bytes,
            activations=n.activations_bytes,
            buffers=n.working_bytes,
        )


class Kept:
    """The step times of the fastest fitting plans found so far: a layout that cannot beat the
    slowest of them cannot make the list (nor, slower than the best, the not-fitting list)."""

    def __init__(self, size: int):
        self.size = size
        self.heap: list[float] = []  # negated, so the slowest kept is on top

    def add(self, seconds: float) -> None:
        if len(self.heap) < self.size:
            heapq.heappush(self.heap, -seconds)
        elif seconds < -self.heap[0]:
            heapq.heapreplace(self.heap, -seconds)

    def bound(self) -> float:
        return -self.heap[0] if len(self.heap) == self.size else math.inf


class Context:
    """Per-request constants the time model reads."""

    def __init__(self, shape: Shape, cluster: Cluster, run: Run, screen: Screen):
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

    def stage_params(self, pp: int) -> int:
        return max(self.screen.stage_params(pp))


def plan(shape: Shape, cluster: Cluster, run: Run, pins: Pins = FREE) -> Result:
    check_pins(shape, cluster, run, pins)
    screen = Screen(shape, cluster, run)
    ctx = Context(shape, cluster, run, screen)
    grad_bytes = state_bytes_per_param(run.precision, run.optimizer).gradients
    gpus, L, s, batch = cluster.gpus, shape.layers, run.seq_len, run.global_batch
    usable = screen.usable

    tps = [pins.tp] if pins.tp else tp_options(shape, run, gpus)
    recomputes = [pins.recompute] if pins.recompute else ["none", "full"]
    fitting, not_fitting = [], []
    kept = Kept(MAX_FITTING)
    searched = 0
    combos = []
    for t in tps:
        rest = gpus // t
        pps = [pins.pp] if pins.pp else [p for p in divisors(rest) if L % p == 0]
        for p in pps:
            if rest % p:
                continue
            cps = [pins.cp] if pins.cp else divisors(rest // p)
            if p == 1:
                vs = [1]
            elif pins.vpp:
                vs = [pins.vpp]
            else:
                # Uneven (pinned) stages interleave chunks of the padded count.
                vs = [v for v in divisors(-(-L // p)) if v <= MAX_VPP]
            for c in cps:
                if (rest // p) % c or (t > 1 and (s // c) % t):
                    continue
                if c > 1 and (s % (2 * c) or (s // c < MIN_CP_TOKENS and not pins.cp)):
                    continue
                d = rest // p // c
                if batch % d:
                    continue
                combos.append((t, p, c, d, vs))
    # Layouts likely to fit and run fast first, so the bound below prunes early: the order
    # changes only the time the search takes, never its answer.
    combos.sort(key=lambda combo: promise(ctx, screen, batch, usable, *combo[:4]))
    for t, p, c, d, vs in combos:
        shards = d * c
        # Nothing to shard over one rank; otherwise every stage, each trading memory for
        # communication.
        free_zeros = (0,) if shards == 1 else ZERO_STAGES
        zeros = (pins.zero,) if pins.zero is not None else free_zeros
        per_rank = batch // d
        bs = (
            [pins.micro_batch]
            if pins.micro_batch
            else [
                b
                for b in divisors(per_rank)
                if b <= MAX_MICRO_BATCH and b * s // c <= MAX_MICRO_BATCH_TOKENS
            ]
            or [1]
        )
        rcs = recomputes
        if max(screen.states(t, p, 1, max(zeros), shards)) > usable:
            # The model states alone overflow: no micro-batch fits. One entry (the least
            # memory) is enough for the list of layouts that do not fit.
            bs, rcs, vs = bs[:1], recomputes[-1:], vs[:1]
        for rc in rcs:
            for b in bs:
                if per_rank % b:
                    continue
                m = per_rank // b
                lt = timing.layer_time(ctx, t, c, b, rc)
                # Branch and bound: m micro-batches through the slowest stage, with no
                # bubble and no communication at all, is a floor no choice of v or ZeRO
                # beats; past the slowest plan kept so far, skip them.
                stage, _, _, p2p = timing.stage_time(ctx, lt, p, 1)
                if m * (stage - p2p) > kept.bound():
                    continue
                some_fit = False
                for v in vs:
                    if v > 1 and (-(-L // p) % v or m < p):
                        continue  # Megatron-LM refuses interleaving with m < p
                    t_mb = timing.stage_time(ctx, lt, p, v)[0]
                    base = (m + (p - 1) / v) * t_mb
                    if base > kept.bound():
                        some_fit = True  # not known; do not stop the micro-batches
                        continue
                    first, last = screen.activation_need(t, p, c, d, v, b, rc)
                    best = least = None
                    for z in zeros:
                        searched += 1
                        s_first, s_last = screen.states(t, p, v, z, shards)
                        need = max(s_first + first, s_last + last)
                        if need <= usable:
                            seconds = base + timing.data_parallel_exposed(
                                ctx, t, p, c, d, z, m, t_mb, grad_bytes
                            )
                            item = (seconds, need, (t, p, c, d, v, b, rc, z))
                            if best is None or item < best:
                                best = item
                            if z > 0:
                                # Stages past the first fitting one only add
                                # communication (timing.data_parallel_exposed).
                                break
                        elif least is None or need < least[1]:
                            least = (None, need, (t, p, c, d, v, b, rc, z))
                    if best is None and least is not None:
                        z = least[2][-1]
                        seconds = base + timing.data_parallel_exposed(
                            ctx, t, p, c, d, z, m, t_mb, grad_bytes
                        )
                        least = (seconds, least[1], least[2])
                    if best is not None:
                        fitting.append(best)
                        kept.add(best[0])
                        some_fit = True
                    elif least is not None:
                        not_fitting.append(least)
                if not some_fit:
                    # Memory grows with the micro-batch (a rank holds at most
                    # min(b·p, its share) sequences in flight): larger ones fit no more.
                    break
    if not fitting and not not_fitting:
        raise InputError(
            "global_batch",
            f"No layout splits a global batch of {batch:,} sequences over {gpus:,} GPUs"
            # astuple, not vars: the planner's compiled build has no __dict__ on its dataclasses
            + (" with the pinned choices" if any(astuple(pins)) else "")
            + ": the batch must be a multiple of data parallel × micro-batch. Try a batch "
            "that is a multiple of the GPU count, or unpin a choice.",
        )
    fitting.sort(key=lambda item: (item[0], item[1], item[2]))
    not_fitting.sort(key=lambda item: (item[0], item[1], item[2]))
    plans = []
    for item in fitting:
        made = make_plan(ctx, screen, run, grad_bytes, item)
        if made.fits:
            plans.append(made)
        else:  # the screen's rounding said fits, the engine's exact count says not
            not_fitting.insert(0, item)
        if len(plans) == MAX_FITTING:
            break
    # Only the layouts that do not fit but would be faster than the recommendation say
    # something (what memory costs); list the fastest of them.
    cutoff = plans[0].seconds_per_step if plans else math.inf
    shown = [item for item in not_fitting if item[0] < cutoff] or not_fitting
    for item in shown[:MAX_NOT_FITTING]:
        plans.append(make_plan(ctx, screen, run, grad_bytes, item))
    return Result(
        plans=plans,
        shape=shape,
        cluster=cluster,
        run=run,
        flops_per_token=ctx.flops.total,
        usable_bytes=usable,
        layouts_searched=searched,
    )


def promise(ctx, screen, batch, usable, t, p, c, d) -> tuple[bool, float]:
    """(whether the model states alone overflow even with ZeRO-3, the step's compute floor at
    micro-batch 1)."""
    states = max(screen.states(t, p, 1, 3, d * c))
    stage, _, _, p2p = timing.stage_time(ctx, timing.layer_time(ctx, t, c, 1, "none"), p, 1)
    return states > usable, batch // d * (stage - p2p)


def make_plan(ctx, screen: Screen, run: Run, grad_bytes: int, item) -> Plan:
    _, _, (t, p, c, d, v, b, rc, z) = item
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
