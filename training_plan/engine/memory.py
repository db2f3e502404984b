"""Memory of the most loaded GPU for a layout, counted as the activation engine counts it
(calculators/catalog/activation.py: Korthikanti et al. 2022 with the Llama block) with the ZeRO
accounting of calculators/catalog/memory.py.

The search screens thousands of layouts. The engine builds a list of named terms for every
count (its page shows them), about 0.1 ms a call; `Count` below is the same arithmetic for the
planner's scenarios (flash attention, 16-bit activations, 1-byte dropout masks) as plain integer
sums, each term rounded up on its own as the engine rounds it, so its bytes are the engine's to
the byte (tests/training_plan/test_engine_memory.py compares them on many scenarios). The screen
uses the engine's terms the way it always did: each is linear in the micro-batch (bytes ∝ s·b,
plus a few terms that do not grow with b), so two evaluations per (TP, CP, recompute) give every
micro-batch. Every plan the planner returns is then counted exactly (`Screen.exact`, the
engine's `stage_needs`), and that count decides whether it fits.
"""

from functools import cache
from operator import truediv
from typing import Final, NamedTuple

from calculators.catalog.activation import ParamCount, chunks_in_flight, param_count
from calculators.catalog.memory import state_bytes_per_param

from .inputs import Cluster, Run, Shape, catalog_shape

# Final: mypyc writes these constants into the code rather than reading module globals.
FP32: Final = 4  # bytes: the RMSNorm upcast, the flash log-sum-exp, the log-probabilities
INT64: Final = 8  # bytes: token ids and labels
D: Final = 2  # bytes per activation element: the planner trains with 16-bit activations
MASK: Final = 1  # bytes per dropout-mask element on a GPU (the GPT block)

# Every int of at most this magnitude is exactly a double.
EXACT_INT: Final = 2**53
EXACT_FLOAT: Final = 9007199254740992.0  # 2.0**53, for comparing doubles without a conversion

# The (per sequence, fixed) pairs of Screen.coefficients: layer, embedding, output, recompute,
# loss; then the sum of their magnitudes (see Screen.coefficients).
Coefficients = tuple[int, int, int, int, int, int, int, int, int, int, int]


def ceil_div(numerator: int, denominator: int) -> int:
    # calculators.catalog.memory.ceil_div, written here so that mypyc compiles it with the
    # search: imported, each call would leave the compiled code for the interpreter.
    return -(-numerator // denominator)


def ratio(numerator: int, denominator: int) -> float:
    """numerator / denominator as Python divides two ints: the exact quotient, rounded once.
    Compiled, mypyc divides two ints that fit a machine word as two doubles, and past 2**53
    each rounds on its own, so the quotient could differ in its last bit from the interpreted
    one. Up to 2**53 both are exact doubles and the division is the same."""
    if -EXACT_INT <= numerator <= EXACT_INT and -EXACT_INT <= denominator <= EXACT_INT:
        return numerator / denominator
    return truediv(numerator, denominator)  # a call mypyc leaves to Python's int division


def share(each: float, count: int, parts: int) -> float:
    """each · count / parts as the ints would give it, for `each` a whole number of bytes held
    in a double: below 2**53 the product is exact as a double and `/` rounds it once, as
    Python divides two ints; at or past it (bytes no GPU holds) the product is formed in ints
    and divided by `ratio`."""
    held = each * count
    return held / parts if held < EXACT_FLOAT else ratio(int(each) * count, parts)


class Count:
    """activation.py's byte counts for one model shape, without the term lists: `layer` is
    total(layer_terms), `embedding` total(embedding_terms), `output` total(output_terms) and
    `loss` loss_working_bytes, for a scenario of s tokens per GPU (seq_len ÷ CP), micro-batch
    b, tensor parallel tp (with sequence parallelism when tp > 1, as the planner runs it)."""

    gpt: bool
    h: int
    a: int
    head_dim: int
    q: int
    k: int
    f: int
    v: int

    def __init__(self, shape: Shape) -> None:
        self.gpt = shape.arch == "gpt"
        self.h = shape.hidden
        self.a = shape.heads
        head_dim = shape.head_dim or shape.hidden // shape.heads
        self.head_dim = head_dim
        self.q = shape.heads * head_dim
        # The GPT block has no grouped-query attention: one K and V head per head.
        self.k = (shape.heads if self.gpt else shape.kv_heads) * head_dim
        self.f = shape.ffn_hidden
        self.v = shape.vocab

    def layer(self, s: int, b: int, tp: int, recompute: str) -> int:
        """One layer's stored tensors on one GPU (layer_terms). Selective recomputation keeps
        what none keeps: flash attention stores no s × s scores to drop. Each term is rounded up
        on its own, -(-x // n), as ceil_div does (written out: this runs thousands of times a
        search), with x multiplied out before it is negated: compiled, mypyc multiplies two
        ints inline only when neither is negative (nor past 2**30), and calls Python's int
        multiplication otherwise."""
        sb = s * b
        spd = tp if tp > 1 else 1  # sequence parallel shards the "sp" terms by tp
        h, q, k, f = self.h, self.q, self.k, self.f
        if recompute == "full":
            return -(-(D * sb * h) // spd)
        lse = -(-(FP32 * self.a * sb) // tp)
        if self.gpt:
            return (
                2 * -(-(D * sb * h) // spd)  # LayerNorm 1 input, Q/K/V projection input
                + -(-(D * sb * (q + k)) // tp)  # Q and K
                + -(-(D * sb * k) // tp)  # V
                + lse
                + -(-(D * sb * q) // tp)  # output projection input
                + -(-(MASK * sb * h) // spd)  # attention residual dropout mask
                + 2 * -(-(D * sb * h) // spd)  # LayerNorm 2 input, MLP first linear input
                + 2 * -(-(D * sb * f) // tp)  # GeLU input, MLP second linear input
                + -(-(MASK * sb * h) // spd)  # MLP dropout mask
            )
        norm = -(-((FP32 + D) * sb * h + FP32 * sb) // spd)  # fp32 copy, output, fp32 rstd
        return (
            2 * norm  # RMSNorm 1 and 2
            + 2 * -(-(D * sb * h) // spd)  # Q/K/V projection input, MLP input
            + -(-(D * sb * q) // tp)  # Q after RoPE
            + -(-(2 * D * sb * k) // tp)  # K after RoPE, and V
            + lse
            + -(-(D * sb * q) // tp)  # attention output
            + -(-(4 * D * sb * f) // tp)  # SwiGLU: gate, SiLU(gate), up, product
        )

    def embedding(self, s: int, b: int, tp: int) -> int:
        """The first stage's input side for one micro-batch in flight (embedding_terms)."""
        if self.gpt:  # token ids, embedding dropout mask
            return INT64 * s * b + -(-(MASK * s * b * self.h) // (tp if tp > 1 else 1))
        return INT64 * s * b + 2 * D * s * self.head_dim  # token ids, RoPE cos and sin

    def output(self, s: int, b: int, tp: int) -> int:
        """The output layer's stage (output_terms): final norm, output-layer input, fp32
        log-probabilities, labels."""
        sb = s * b
        spd = tp if tp > 1 else 1
        if self.gpt:
            norm = -(-(D * sb * self.h) // spd)
        else:
            norm = -(-((FP32 + D) * sb * self.h + FP32 * sb) // spd)
        return norm + -(-(D * sb * self.h) // spd) + -(-(FP32 * sb * self.v) // tp) + INT64 * sb

    def loss(self, s: int, b: int, tp: int) -> int:
        """loss_working_bytes: the logits buffers around the cross-entropy."""
        return -(-((2 * FP32 + D) * s * b * self.v) // tp)

    def rebuild(self, s: int, b: int, tp: int, recompute: str) -> int:
        """recompute_working_bytes: what the backward of one layer rebuilds."""
        if recompute == "none":
            return 0
        plain = self.layer(s, b, tp, "none")
        return plain if recompute == "full" else plain - self.layer(s, b, tp, recompute)


class MemoryParts(NamedTuple):
    """One GPU's bytes, the most loaded one (a pipeline's first or last stage).

    A named tuple rather than a frozen dataclass: as immutable, and built without a Python
    __init__ (a dataclass's generated one stays interpreted under mypyc; a plan's four of them
    were most of making it)."""

    stage: str  # "only", "first" or "last"
    weights: int
    gradients: int
    optimizer_states: int
    activations: int
    buffers: int  # what recomputation rebuilds for one layer, and the loss's logits buffers

    @property
    def total(self) -> int:
        return (
            self.weights + self.gradients + self.optimizer_states + self.activations + self.buffers
        )


@cache
def catalog_param_count(model_id: str) -> ParamCount:
    """param_count of a catalog model's shape (inputs.catalog_shape), worked out once per
    process: building the activation engine's scenario and counting costs ~10 µs a request.
    Keyed by the model's id, which fixes its shape: hashing the Shape itself (a dataclass's
    generated __hash__, interpreted even when compiled) cost ~16 k instructions a request."""
    return param_count(catalog_shape(model_id).scenario())


def padded_layers(layers: int, pp: int, vpp: int) -> int:
    """Layers counted for the most loaded stage: with pp·vpp not dividing L, every chunk holds
    ceil(L/(p·v)) layers (an over-count for the first and last stages, which hold fewer)."""
    per = -(-layers // (pp * vpp))
    return per * pp * vpp


def affine(one: int, two: int) -> tuple[int, int]:
    """A count's (bytes per sequence, bytes that do not grow with it), from its bytes at one
    sequence and at two."""
    # one + one rather than 2 * one: compiled, mypyc adds ints inline up to a machine word but
    # multiplies inline only factors below 2**30 (bytes often are not)
    return two - one, one + one - two


class Screen:
    """Fast, engine-derived memory per layout for the search; `exact` for the answer."""

    def __init__(self, shape: Shape, cluster: Cluster, run: Run) -> None:
        self.shape, self.cluster, self.run = shape, cluster, run
        self.per_param = per = state_bytes_per_param(run.precision, run.optimizer)
        # What the methods below read, as typed attributes: the catalog's classes are not
        # compiled, and each read of theirs would be a dictionary lookup.
        self.weight_bytes: int = per.weights
        self.gradient_bytes: int = per.gradients
        self.optimizer_bytes: int = per.optimizer
        self.state_bytes: int = per.weights + per.gradients + per.optimizer  # per parameter
        self.seq_len: int = run.seq_len
        self.global_batch: int = run.global_batch
        self.layers: int = shape.layers
        self.usable = int(cluster.capacity_bytes * (100 - run.reserve_pct) / 100)
        self.count = Count(shape)
        # A catalog model's shape: a constant of the catalog.
        model_id = shape.model_id
        pc = catalog_param_count(model_id) if model_id else param_count(shape.scenario())
        self.total_params: int = pc.total
        self.layer_params: int = pc.per_layer
        self.embedding_params: int = pc.embedding
        self.output_params: int = pc.final_norm + (pc.output_layer or pc.embedding)
        self._coefficients: dict[tuple[int, int, str], Coefficients] = {}
        self._params: dict[tuple[int, int], tuple[int, int]] = {}
        self._shared: dict[tuple[int, int], tuple[int, int, int, int, int, int]] = {}

    def coefficients(self, tp: int, cp: int, recompute: str) -> Coefficients:
        """(l0, l1, e0, e1, o0, o1, r0, r1, s0, s1, reach): each of the layer, embedding,
        output, recompute and loss counts at micro-batch b is x0·b + x1 (see `affine`); reach,
        the sum of the ten's magnitudes, bounds every x0·b and x0·b + x1 up to b by reach·b."""
        key = (tp, cp, recompute)
        found = self._coefficients.get(key)
        if found is not None:
            return found
        count, s = self.count, self.seq_len // cp
        shared = self._shared.get((tp, cp))
        if shared is None:  # what does not depend on recomputation
            e0, e1 = affine(count.embedding(s, 1, tp), count.embedding(s, 2, tp))
            o0, o1 = affine(count.output(s, 1, tp), count.output(s, 2, tp))
            s0, s1 = affine(count.loss(s, 1, tp), count.loss(s, 2, tp))
            shared = self._shared[(tp, cp)] = (e0, e1, o0, o1, s0, s1)
        else:
            e0, e1, o0, o1, s0, s1 = shared
        l0, l1 = affine(count.layer(s, 1, tp, recompute), count.layer(s, 2, tp, recompute))
        if recompute == "none":
            r0, r1 = 0, 0
        else:
            # What the backward rebuilds for one layer: recompute_working_bytes, from the
            # layer without recomputation (a difference of two affine counts is affine).
            plain = self.coefficients(tp, cp, "none")
            r0, r1 = plain[0], plain[1]
            if recompute != "full":
                r0, r1 = r0 - l0, r1 - l1
        # Written out: compiled, a loop over a tuple of them boxed each (~1.4 k instructions a
        # call) and abs() of an int is a Python call; interpreted, a helper's ten calls cost
        # as much.
        reach = (
            (l0 if l0 >= 0 else -l0)
            + (l1 if l1 >= 0 else -l1)
            + (e0 if e0 >= 0 else -e0)
            + (e1 if e1 >= 0 else -e1)
            + (o0 if o0 >= 0 else -o0)
            + (o1 if o1 >= 0 else -o1)
            + (r0 if r0 >= 0 else -r0)
            + (r1 if r1 >= 0 else -r1)
            + (s0 if s0 >= 0 else -s0)
            + (s1 if s1 >= 0 else -s1)
        )
        found = self._coefficients[key] = (l0, l1, e0, e1, o0, o1, r0, r1, s0, s1, reach)
        return found

    def stage_params(self, pp: int, vpp: int = 1) -> tuple[int, int]:
        """(first-stage, last-stage) parameters; both the whole model when pp = 1."""
        key = (pp, vpp)
        found = self._params.get(key)
        if found is None:
            if pp == 1:
                found = (self.total_params, self.total_params)
            else:
                here = self.layer_params * (padded_layers(self.layers, pp, vpp) // pp)
                found = (here + self.embedding_params, here + self.output_params)
            self._params[key] = found
        return found

    def state_parts(self, params: int, tp: int, zero: int, shards: int) -> tuple[int, int, int]:
        """(weights, gradients, optimizer states) in bytes on one GPU: one shard of TP, ZeRO
        over the dp·cp ranks that hold the same weights (zero_sharded_state_bytes, whose shards
        round up)."""
        here = -(-params // tp)
        weights, gradients, optimizer = (
            here * self.weight_bytes,
            here * self.gradient_bytes,
            here * self.optimizer_bytes,
        )
        if zero >= 1:
            optimizer = -(-optimizer // shards)
            if zero >= 2:
                gradients = -(-gradients // shards)
                if zero >= 3:
                    weights = -(-weights // shards)
        return weights, gradients, optimizer

    def states(self, tp: int, pp: int, vpp: int, zero: int, shards: int) -> tuple[int, int]:
        """Model-state bytes of the (first, last) stage's GPU."""
        first, last = self.stage_params(pp, vpp)
        return (
            sum(self.state_parts(first, tp, zero, shards)),
            sum(self.state_parts(last, tp, zero, shards)),
        )

    def overflows(self, tp: int, pp: int, shards: int) -> bool:
        """Whether the model states alone overflow the usable memory even with ZeRO-3 (at one
        chunk per stage): `states(tp, pp, 1, 3, shards)`, written out. Every term rounds up a
        quotient of the stage's parameters, so the stage with more parameters holds at least
        as many bytes: only it is counted. In doubles while exact, as states_by_zero."""
        first, last = self.stage_params(pp)
        here = -(-(first if first >= last else last) // tp)
        here_f = float(here)
        if here_f * self.state_bytes < EXACT_FLOAT:
            sharded_f = (
                -(-(here_f * self.weight_bytes) // shards)
                + -(-(here_f * self.gradient_bytes) // shards)
                + -(-(here_f * self.optimizer_bytes) // shards)
            )
            return sharded_f > self.usable
        sharded = (
            -(-(here * self.weight_bytes) // shards)
            + -(-(here * self.gradient_bytes) // shards)
            + -(-(here * self.optimizer_bytes) // shards)
        )
        return sharded > self.usable

    def states_by_zero(
        self, tp: int, pp: int, vpp: int, zeros: tuple[int, ...], shards: int
    ) -> list[tuple[int, float, float]]:
        """[(ZeRO stage, `states` of it)] for each of `zeros`, flat, in one pass; the bytes as
        doubles, each the int rounded once (the search only adds them to doubles, which
        converts them so).

        Below 2**53 the doubles hold the ints exactly and every operation here on them is
        exact (a product or sum of ints below 2**53, and `//` of two, which Python and mypyc
        work out as fmod, an exact subtraction and an exact quotient): the same figures,
        without the int products past 2**30 that compiled code hands to Python's int
        multiplication (a stage's parameters ÷ TP often are; with `overflows`, 0.06 M of a
        search's 1.31 M instructions, callgrind). Past 2**53 (bytes no GPU holds), `states`
        counts them."""
        w, g, o = self.weight_bytes, self.gradient_bytes, self.optimizer_bytes
        # Per stage: bytes at ZeRO 0, 1, 2 and 3. Lists, not tuples: compiled, a list is
        # indexed by a variable without boxing the whole of it first.
        by_zero: list[list[float]] = []
        first, last = self.stage_params(pp, vpp)
        for params in [first, last]:
            here = float(-(-params // tp))
            if here * self.state_bytes >= EXACT_FLOAT:  # not exact: in ints
                counted: list[tuple[int, float, float]] = []
                for zero in zeros:
                    s_first, s_last = self.states(tp, pp, vpp, zero, shards)
                    counted.append((zero, float(s_first), float(s_last)))
                return counted
            weights, gradients, optimizer = here * w, here * g, here * o
            optimizer_shard = -(-optimizer // shards)
            gradients_shard = -(-gradients // shards)
            by_zero.append(
                [
                    weights + gradients + optimizer,
                    weights + gradients + optimizer_shard,
                    weights + gradients_shard + optimizer_shard,
                    -(-weights // shards) + gradients_shard + optimizer_shard,
                ]
            )
        first_bytes, last_bytes = by_zero
        return [(zero, first_bytes[zero], last_bytes[zero]) for zero in zeros]

    def activation_need(
        self, tp: int, pp: int, cp: int, dp: int, vpp: int, b: int, recompute: str
    ) -> tuple[float, float]:
        """Bytes beyond the model states on the (first, last) stage's GPU: activations as the
        engine's `activations` counts them, and the recompute and loss buffers."""
        l0, l1, e0, e1, o0, o1, r0, r1, s0, s1, _ = self.coefficients(tp, cp, recompute)
        m = self.global_batch // (dp * b)
        layers = padded_layers(self.layers, pp, vpp)
        per_layer = l0 * b + l1
        rebuild = r0 * b + r1
        loss = s0 * b + s1
        output = o0 * b + o1
        first_chunks = chunks_in_flight(pp, vpp, m, 0)
        first = (
            ratio(per_layer * layers * first_chunks, pp * vpp)
            + ratio((e0 * b + e1) * first_chunks, vpp)
            + rebuild
        )
        if pp == 1:
            whole = first + output + loss
            return whole, whole
        last_chunks = chunks_in_flight(pp, vpp, m, pp - 1)
        return first, ratio(per_layer * layers * last_chunks, pp * vpp) + output + rebuild + loss

    def need(
        self, tp: int, pp: int, cp: int, dp: int, vpp: int, b: int, recompute: str, zero: int
    ) -> float:
        """Bytes on the most loaded GPU (the screen: the engine's count up to rounding)."""
        first, last = self.activation_need(tp, pp, cp, dp, vpp, b, recompute)
        s_first, s_last = self.states(tp, pp, vpp, zero, dp * cp)
        return max(s_first + first, s_last + last)

    def exact(
        self, tp: int, pp: int, cp: int, dp: int, vpp: int, b: int, recompute: str, zero: int
    ) -> MemoryParts:
        """The engine's count, `worst(stage_needs(...))` of activation.py for the scenario of
        this layout (s ÷ CP tokens per GPU, the padded layers, sequence parallelism with TP,
        m micro-batches a step), term by term with its rounding."""
        count, s = self.count, self.seq_len // cp
        m = self.global_batch // (dp * b)
        layers = padded_layers(self.layers, pp, vpp)
        per_layer = count.layer(s, b, tp, recompute)
        first_chunks = chunks_in_flight(pp, vpp, m, 0)
        layers_bytes = ceil_div(per_layer * layers * first_chunks, pp * vpp)
        embedding = ceil_div(count.embedding(s, b, tp) * first_chunks, vpp)
        output = count.output(s, b, tp)
        first_total = layers_bytes + embedding + (output if pp == 1 else 0)
        rebuild = count.rebuild(s, b, tp, recompute)
        loss = count.loss(s, b, tp)
        first_params, last_params = self.stage_params(pp, vpp)
        weights, gradients, optimizer = self.state_parts(first_params, tp, zero, dp * cp)
        if pp == 1:
            return MemoryParts("only", weights, gradients, optimizer, first_total, rebuild + loss)
        first = MemoryParts("first", weights, gradients, optimizer, first_total, rebuild)
        last_chunks = chunks_in_flight(pp, vpp, m, pp - 1)
        last_total = ceil_div(per_layer * layers * last_chunks, pp * vpp) + output
        weights, gradients, optimizer = self.state_parts(last_params, tp, zero, dp * cp)
        last = MemoryParts("last", weights, gradients, optimizer, last_total, rebuild + loss)
        return last if last.total > first.total else first  # the first of equals, as `worst`
