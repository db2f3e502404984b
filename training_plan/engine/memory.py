"""Memory of the most loaded GPU for a layout, counted by the activation engine
(calculators/catalog/activation.py: Korthikanti et al. 2022 with the Llama block) and the ZeRO
accounting of calculators/catalog/memory.py.

The search screens thousands of layouts, and one call of the engine costs about 0.2 ms, so it
screens with the engine's own terms: each is linear in the micro-batch (bytes ∝ s·b, plus a few
terms that do not grow with b), so two evaluations per (TP, CP, recompute) give every
micro-batch. Every plan the planner returns is then counted again by `stage_needs` itself, and
that exact count decides whether it fits.
"""

from dataclasses import dataclass, replace
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
from calculators.catalog.memory import (
    ceil_div,
    state_bytes_per_param,
    zero_sharded_state_bytes,
)


@dataclass(frozen=True)
class MemoryParts:
    """One GPU's bytes, the most loaded one (a pipeline's first or last stage)."""

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


def padded_layers(layers: int, pp: int, vpp: int) -> int:
    """Layers counted for the most loaded stage: with pp·vpp not dividing L, every chunk holds
    ceil(L/(p·v)) layers (an over-count for the first and last stages, which hold fewer)."""
    per = -(-layers // (pp * vpp))
    return per * pp * vpp


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


class Screen:
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
