"""Training budget, throughput and wall-clock time, and the partial window at an epoch's end.

Time follows from one number, tokens per second per GPU, either measured or estimated as
    peak FLOP/s x MFU / model FLOPs per token,   model FLOPs per token = 6N + 12·L·H·Q·T
(Chowdhery et al. 2022, PaLM, Appendix B: 6N for the weight matmuls, forward 2N and backward 4N
as in Kaplan et al. 2020, plus 12·L·H·Q·T for the attention scores and their product with V, for
L layers of H query heads of width Q over T tokens). The full T x T score matrix is counted, as
PaLM, nanoGPT and torchtitan count it, though a causal kernel computes about half of it;
Megatron-LM since core_v0.12.0 counts that half (6·L·H·Q·T), so its logged TFLOP/s run lower.
MFU is defined against this count, so a 6N-only count makes the time too short at a given MFU
(by 16 % for a 7B model at 4K context) and an implied MFU too low. With only a parameter count
the attention term is unknown and left out, and the result says so.
Accumulation changes the time per optimizer step (k micro-steps), never the time per token.
"""

from dataclasses import dataclass

from . import models as catalog

FLOPS_PER_PARAM_PER_TOKEN = 6  # forward 2N, backward 4N
# Per layer and token, PaLM Appendix B: QK^T and (scores)V, 2 matmuls of 2 FLOPs per multiply-add
# each, forward and twice that backward: 2 x 2 x 3 = 12 per query-width unit and attended key.
ATTENTION_FLOPS_PER_KEY = 12


def optimizer_steps_for(train_tokens: int, tokens_per_step: int) -> int:
    """Whole optimizer steps needed to train on at least `train_tokens`."""
    return -(-train_tokens // tokens_per_step)


@dataclass(frozen=True)
class ModelSize:
    """What the count of model FLOPs needs to know about a model.

    `params` is N, the parameters each token is multiplied by: every weight except the input
    embedding table, which is a lookup (for tied embeddings the shared matrix counts once, as
    the output layer; for a mixture of experts only the routed experts). PaLM's 540B, whose
    embeddings are tied, is counted whole: 540.35B. Layers and the query width H·Q are None
    when only a parameter count is known, and the attention term is then left out.
    """

    params: float
    layers: int | None = None
    attention_width: int | None = None  # H·Q: query heads x head dim (not always hidden)
    sliding_layers: int = 0  # layers whose queries see only the last `sliding_window` keys
    sliding_window: int = 0
    # Where N came from, for the page to say: "given", or a catalog model's counts.
    model_id: str | None = None
    name: str = ""
    checkpoint_params: int | None = None  # all weights the checkpoint holds
    active_params: int | None = None  # those one token uses (differs for MoE)
    input_embedding_params: int = 0  # subtracted from the active count (0 when tied)
    heads: int | None = None
    head_dim: int | None = None

    @property
    def has_shape(self) -> bool:
        return self.layers is not None


def catalog_model_size(model_id: str) -> ModelSize:
    """N and the attention shape of a model in the shared catalog (the GPU pages' ids)."""
    m = catalog.BY_ID[model_id]
    a = m.arch
    active = catalog.active_parameter_count(a)
    lookup = 0 if a.tied_embeddings else a.vocab * a.hidden
    return ModelSize(
        params=active - lookup,
        layers=a.layers,
        attention_width=a.q_dim,
        sliding_layers=a.sliding_layers,
        sliding_window=a.sliding_window,
        model_id=m.id,
        name=m.name,
        checkpoint_params=catalog.parameter_count(a),
        active_params=active,
        input_embedding_params=lookup,
        heads=a.heads,
        head_dim=a.head_dim,
    )


@dataclass(frozen=True)
class FlopsPerToken:
    """Model FLOPs per trained token, PaLM's count, with both terms. The FLOP figures are floats
    whether N came as a count or in billions, so each JSON key has one type."""

    params: float  # N
    weights: float  # 6N
    attention: float | None  # 12·H·Q·(keys summed over layers); None: unknown, left out
    total: float  # what MFU is defined against
    layers: int | None
    attention_width: int | None  # H·Q
    seq_len: int  # T
    attended_keys: int | None  # keys per query summed over layers: L·T without sliding windows
    includes_attention: bool


def flops_per_token(size: ModelSize, seq_len: int) -> FlopsPerToken:
    params = float(size.params)
    weights = FLOPS_PER_PARAM_PER_TOKEN * params
    if not size.has_shape:
        return FlopsPerToken(params, weights, None, weights, None, None, seq_len, None, False)
    # A sliding-window layer's queries attend to at most `sliding_window` keys, so its score
    # matrix is T x min(T, window) (Gemma 2 and 3, gpt-oss); every other layer's is T x T.
    keys = (size.layers - size.sliding_layers) * seq_len + size.sliding_layers * min(
        seq_len, size.sliding_window
    )
    attention = float(ATTENTION_FLOPS_PER_KEY * size.attention_width * keys)
    return FlopsPerToken(
        params=params,
        weights=weights,
        attention=attention,
        total=weights + attention,
        layers=size.layers,
        attention_width=size.attention_width,
        seq_len=seq_len,
        attended_keys=keys,
        includes_attention=True,
    )


def estimated_tokens_per_gpu_s(flops_per_token: float, peak_flops: float, mfu: float) -> float:
    return peak_flops * mfu / flops_per_token


def implied_mfu(tokens_per_gpu_s: float, flops_per_token: float, peak_flops: float) -> float:
    return tokens_per_gpu_s * flops_per_token / peak_flops


@dataclass(frozen=True)
class Throughput:
    source: str  # "measured" or "estimated"
    tokens_per_gpu_s: float
    cluster_tokens_per_s: float
    seconds_per_step: float
    seconds_per_micro_step: float  # average over the k micro-steps of one optimizer step
    flops_per_token: float | None  # 6N + 12·L·H·Q·T, or 6N alone when only N is known
    peak_tflops: float | None
    mfu: float | None  # given (estimated) or implied (measured with a model size)
    flops: FlopsPerToken | None = None  # the two terms and what went into them


def throughput(
    tokens_per_step: int,
    accumulation_steps: int,
    gpus: int,
    *,
    measured_tokens_per_gpu_s: float | None = None,
    flops: FlopsPerToken | None = None,
    params: float | None = None,
    peak_tflops: float | None = None,
    mfu: float | None = None,
) -> Throughput | None:
    """Time per step from measured throughput, or from model FLOPs, GPU peak and MFU.

    `params` alone (no `flops`) counts 6N only, attention left out."""
    if flops is None and params:
        flops = flops_per_token(ModelSize(params), seq_len=0)
    per_token = flops.total if flops else None
    peak = peak_tflops * 1e12 if peak_tflops else None
    if measured_tokens_per_gpu_s:
        per_gpu = measured_tokens_per_gpu_s
        source = "measured"
        mfu = implied_mfu(per_gpu, per_token, peak) if per_token and peak else None
    elif per_token and peak and mfu:
        per_gpu = estimated_tokens_per_gpu_s(per_token, peak, mfu)
        source = "estimated"
    else:
        return None
    cluster = per_gpu * gpus
    step = tokens_per_step / cluster
    return Throughput(
        source=source,
        tokens_per_gpu_s=per_gpu,
        cluster_tokens_per_s=cluster,
        seconds_per_step=step,
        seconds_per_micro_step=step / accumulation_steps,
        flops_per_token=per_token,
        peak_tflops=peak_tflops,
        mfu=mfu,
        flops=flops,
    )


@dataclass(frozen=True)
class Budget:
    train_tokens: int
    optimizer_steps: int
    tokens_trained: int  # steps x tokens per step: the last step overshoots by < one step
    run_seconds: float | None


def budget(train_tokens: int, tokens_per_step: int, rate: Throughput | None) -> Budget:
    steps = optimizer_steps_for(train_tokens, tokens_per_step)
    trained = steps * tokens_per_step
    seconds = trained / rate.cluster_tokens_per_s if rate else None
    return Budget(train_tokens, steps, trained, seconds)


@dataclass(frozen=True)
class EpochEdge:
    """One pass over a map-style dataset with PyTorch's DistributedSampler and DataLoader
    defaults (drop_last=False both): the sampler pads by repeating samples so every rank gets
    ceil(D / dp), and the loader's last micro-batch may be short."""

    dataset_sequences: int
    sequences_per_rank: int
    padded_sequences: int  # repeats the sampler adds to even out the ranks
    micro_batches_per_rank: int
    last_micro_batch_size: int
    full_optimizer_steps: int
    last_window_micro_batches: int  # 0 when the epoch ends on a step boundary
    accumulation_steps: int

    @property
    def has_partial_window(self) -> bool:
        return self.last_window_micro_batches > 0

    @property
    def partial_gradient_scale(self) -> float:
        """What a loss divided by k does to the partial window's gradient: r / k."""
        return self.last_window_micro_batches / self.accumulation_steps

    @property
    def window_shortfall(self) -> int:
        """Micro-batches missing from the partial window."""
        if not self.has_partial_window:
            return 0
        return self.accumulation_steps - self.last_window_micro_batches

    @property
    def steps_if_stepped(self) -> int:
        return self.full_optimizer_steps + (1 if self.has_partial_window else 0)


def epoch_edge(dataset_sequences: int, dp: int, micro_batch: int, steps: int) -> EpochEdge:
    per_rank = -(-dataset_sequences // dp)
    micro_batches = -(-per_rank // micro_batch)
    full, partial = divmod(micro_batches, steps)
    return EpochEdge(
        dataset_sequences=dataset_sequences,
        sequences_per_rank=per_rank,
        padded_sequences=per_rank * dp - dataset_sequences,
        micro_batches_per_rank=micro_batches,
        last_micro_batch_size=per_rank - (micro_batches - 1) * micro_batch,
        full_optimizer_steps=full,
        last_window_micro_batches=partial,
        accumulation_steps=steps,
    )


def epochs_in(train_tokens: int, dataset_sequences: int, seq_len: int) -> float:
    return train_tokens / (dataset_sequences * seq_len)


@dataclass(frozen=True)
class Tradeoff:
    """The same run at another accumulation count, everything else fixed."""

    accumulation_steps: int
    global_batch: int
    tokens_per_step: int
    seconds_per_step: float
    optimizer_steps: int | None
    run_seconds: float | None
    current: bool


def accumulation_tradeoff(
    steps: int, per_micro_step: int, seq_len: int, rate: Throughput, train_tokens: int | None
) -> list[Tradeoff]:
    """Half, the same and double accumulation: time per step scales with k, time per token
    (and so a token budget's run time, up to the last step's overshoot) does not."""
    rows = []
    for k in sorted({max(1, steps // 2), steps, steps * 2}):
        tokens = k * per_micro_step * seq_len
        step_s = tokens / rate.cluster_tokens_per_s
        n_steps = optimizer_steps_for(train_tokens, tokens) if train_tokens else None
        run_s = n_steps * step_s if n_steps else None
        rows.append(Tradeoff(k, k * per_micro_step, tokens, step_s, n_steps, run_s, k == steps))
    return rows
