"""Activation memory of transformer training, and whether a micro-batch fits on a GPU. Pure Python.

Shared domain arithmetic: the activation-memory page (activation_memory/) and the training planner
(training_plan/) both count memory with it, and siblings never import each other, so it lives in
the catalog. activation_memory.engine re-exports it under the names that app always used.

Two block models, both counted tensor by tensor as autograd keeps them for the backward pass:

- `gpt`: the block of Korthikanti et al. 2022, "Reducing Activation Recomputation in Large
  Transformer Models" (arXiv:2205.05198): LayerNorm, attention, GeLU MLP, dropout, 16-bit
  activations, 1-byte dropout masks. Per layer sbh(34 + 5as/h) bytes with no parallelism, and
  every variant of its Table 2 (tensor parallel, sequence parallel, selective and full
  recomputation), the 1F1B first-stage rule, the interleaving factor and the section 4.3 terms
  outside the layers. `flash` attention drops the s x s tensors and keeps a float32
  log-sum-exp per row and head instead.
- `llama`: Hugging Face Transformers' Llama code (the code most fine-tuning runs use): RMSNorm
  that upcasts to float32, grouped-query attention, SwiGLU MLP, no dropout, the eager
  attention's float32 softmax, and a float32 cross-entropy over the whole vocabulary. Tensor and
  sequence parallelism shard it by the paper's rules.

Both were checked against bytes measured with torch.autograd.graph.saved_tensors_hooks
(validation/activation_memory/). Symbols follow the paper: s sequence, b micro-batch, h hidden,
a heads, t tensor-parallel size, p pipeline stages, v vocabulary, L layers; q = a * head_dim,
k = kv_heads * head_dim, f = ffn_hidden, d = bytes per activation element.
"""

from dataclasses import dataclass, field, replace

from calculators.catalog.memory import (
    ModelStateBytes,
    ceil_div,
    state_bytes_per_param,
    zero_sharded_state_bytes,
)
from calculators.catalog.pipeline import bubble_fraction
from calculators.kit.errors import InputError

ARCHES = ("llama", "gpt")
ATTENTIONS = ("flash", "eager")
RECOMPUTES = ("none", "selective", "full")
FP32 = 4
INT64 = 8
MAX_MICRO_BATCH = 65_536


@dataclass(frozen=True)
class Scenario:
    seq_len: int = 4096
    micro_batch: int = 2
    hidden: int = 4096
    layers: int = 32
    heads: int = 32
    arch: str = "llama"
    kv_heads: int = 32
    ffn_hidden: int = 11008
    vocab: int = 32000
    attention: str = "flash"
    tp: int = 1
    pp: int = 1
    sp: int = 0
    recompute: str = "none"
    dtype_bytes: int = 2
    head_dim: int = 0  # 0: hidden / heads
    tied: int = 0
    vpp: int = 1  # interleaved model chunks per pipeline stage
    # Micro-batches per optimizer step on each pipeline (the gradient-accumulation steps,
    # Megatron's num_microbatches). None: at least pp, the steady state the paper assumes.
    accumulation_steps: int | None = None
    # Bytes per dropout-mask element. GPUs keep a bool mask (1 byte, as the paper assumes);
    # PyTorch's CPU dropout keeps it in the activation dtype, which the validation uses.
    mask_bytes: int = 1


@dataclass(frozen=True)
class Term:
    """One stored tensor (or group) and its bytes on one GPU for one micro-batch."""

    key: str
    label: str
    expression: str  # in the paper's symbols, before tensor-parallel division
    sharded_by: str  # "t" (split by tensor parallelism), "sp" (only with sequence parallel), ""
    bytes: int


@dataclass(frozen=True)
class ActivationResult:
    per_layer_bytes: int
    layers_bytes: int
    total_bytes: int
    layer_terms: list[Term]
    embedding_terms: list[Term]  # per micro-batch in flight, on the first stage
    output_terms: list[Term]  # on the stage holding the output layer (the only one if p = 1)
    embedding_bytes: int  # all in-flight micro-batches, after the interleaving factor
    output_bytes: int  # counted in total_bytes only when pp = 1
    in_flight_micro_batches: int  # on the first stage: p, or fewer when a step has fewer
    interleave_factor: float
    # The last pipeline stage: L/p layers for one micro-batch (more chunks when interleaved),
    # and the output layer.
    last_stage_bytes: int
    recompute_working_bytes: int  # one layer's tensors rebuilt during its backward
    loss_working_bytes: int  # transient logits buffers around the cross-entropy
    first_stage_chunks: int  # forward passes of L/(p*vpp) layers the first stage holds at once
    # Every forward of the step runs before the first backward (Megatron's
    # are_all_microbatches_in_warmup): n micro-batches too few to reach the steady state.
    all_warmup: bool
    # Idle time of one step relative to its ideal (bubble-free) time, (p - 1) / (vpp * n)
    # (Narayanan et al. 2021, section 2.2); None without pipelining or without n.
    pipeline_bubble: float | None


def head_dim_of(sc: Scenario) -> int:
    return sc.head_dim or sc.hidden // sc.heads


def validate(sc: Scenario) -> None:
    """Raise InputError, naming the field to change, for shapes no implementation can run."""
    if sc.arch not in ARCHES:
        raise InputError("arch", f"Architecture must be one of: {', '.join(ARCHES)}.")
    if sc.attention not in ATTENTIONS:
        raise InputError("attention", f"Attention must be one of: {', '.join(ATTENTIONS)}.")
    if sc.recompute not in RECOMPUTES:
        raise InputError("recompute", f"Recompute must be one of: {', '.join(RECOMPUTES)}.")
    if sc.dtype_bytes not in (2, 4):
        raise InputError("dtype_bytes", "Bytes per activation must be 2 (bf16/fp16) or 4 (fp32).")
    if sc.head_dim == 0 and sc.hidden % sc.heads:
        raise InputError(
            "head_dim",
            f"Hidden size {sc.hidden:,} is not divisible by {sc.heads:,} heads: give the head "
            "dimension explicitly.",
        )
    kv = kv_heads_of(sc)
    if sc.arch == "llama" and (kv > sc.heads or sc.heads % kv):
        raise InputError(
            "kv_heads",
            f"KV heads must divide the {sc.heads:,} attention heads (grouped-query attention "
            "shares each KV head among a whole number of query heads).",
        )
    for name, value in (("heads", sc.heads), ("hidden", sc.hidden), ("ffn_hidden", sc.ffn_hidden)):
        if value % sc.tp:
            raise InputError("tp", f"Tensor parallel {sc.tp} must divide {name} ({value:,}).")
    if sc.arch == "llama" and kv % sc.tp:
        raise InputError("tp", f"Tensor parallel {sc.tp} must divide the {kv} KV heads.")
    if sc.sp and sc.seq_len % sc.tp:
        raise InputError(
            "seq_len",
            f"With sequence parallelism the sequence length must be a multiple of TP ({sc.tp}).",
        )
    if sc.layers % (sc.pp * sc.vpp):
        raise InputError(
            "layers",
            f"Layers ({sc.layers:,}) must be a multiple of pipeline stages x interleaved chunks "
            f"({sc.pp} x {sc.vpp}), so every stage holds whole layers.",
        )
    if sc.vpp > 1 and sc.pp == 1:
        raise InputError("vpp", "Interleaved chunks need pipeline parallelism (PP above 1).")
    if sc.vpp > 1 and sc.accumulation_steps is not None and sc.accumulation_steps < sc.pp:
        raise InputError(
            "accumulation_steps",
            f"The interleaved schedule needs at least PP = {sc.pp} micro-batches per step "
            f"(Megatron-LM refuses {sc.accumulation_steps}): raise the accumulation steps or "
            "set interleaved chunks to 1.",
        )


def kv_heads_of(sc: Scenario) -> int:
    return sc.heads if sc.arch == "gpt" else sc.kv_heads


class _Counter:
    """Collects terms; divides by t for tensors split by tensor (or sequence) parallelism."""

    def __init__(self, sc: Scenario):
        self.sc = sc
        self.terms: list[Term] = []

    def add(self, key, label, expression, nbytes, sharded_by):
        # Tests, not a dict built per term: the largest-micro-batch solver adds some seventy
        # terms a keystroke.
        if sharded_by == "t" or (sharded_by == "sp" and self.sc.sp):
            divisor = self.sc.tp
        elif sharded_by in ("sp", ""):
            divisor = 1
        else:
            raise KeyError(sharded_by)
        self.terms.append(Term(key, label, expression, sharded_by, ceil_div(nbytes, divisor)))


def layer_terms(sc: Scenario) -> list[Term]:
    """Bytes one transformer layer keeps for backward, per GPU, for one micro-batch."""
    s, b, h, a, d, m = (
        sc.seq_len,
        sc.micro_batch,
        sc.hidden,
        sc.heads,
        sc.dtype_bytes,
        sc.mask_bytes,
    )
    sb = s * b
    q = a * head_dim_of(sc)
    k = kv_heads_of(sc) * head_dim_of(sc)
    f = sc.ffn_hidden
    c = _Counter(sc)
    if sc.recompute == "full":
        c.add("layer_input", "Layer input (all else recomputed)", f"{d}sbh", d * sb * h, "sp")
        return c.terms
    scores = sc.attention == "eager" and sc.recompute == "none"
    if sc.arch == "gpt":
        c.add("ln1_input", "LayerNorm 1 input", f"{d}sbh", d * sb * h, "sp")
        c.add("qkv_input", "Q/K/V projection input", f"{d}sbh", d * sb * h, "sp")
        c.add("q_k", "Q and K", f"{2 * d}sbh", d * sb * (q + k), "t")
        c.add("v", "V", f"{d}sbh", d * sb * k, "t")
        if scores:
            c.add("softmax", "Softmax output", f"{d}as²b", d * a * s * sb, "t")
            c.add("softmax_mask", "Attention-dropout mask", f"{m}as²b", m * a * s * sb, "t")
            c.add("softmax_dropout", "Attention-dropout output", f"{d}as²b", d * a * s * sb, "t")
        elif sc.attention == "flash":
            c.add("lse", "Flash log-sum-exp (fp32)", "4asb", FP32 * a * sb, "t")
        c.add("proj_input", "Output projection input", f"{d}sbh", d * sb * q, "t")
        c.add("attn_mask", "Attention residual dropout mask", f"{m}sbh", m * sb * h, "sp")
        c.add("ln2_input", "LayerNorm 2 input", f"{d}sbh", d * sb * h, "sp")
        c.add("fc1_input", "MLP first linear input", f"{d}sbh", d * sb * h, "sp")
        c.add("gelu_input", "GeLU input", f"{d}sbf", d * sb * f, "t")
        c.add("fc2_input", "MLP second linear input", f"{d}sbf", d * sb * f, "t")
        c.add("mlp_mask", "MLP dropout mask", f"{m}sbh", m * sb * h, "sp")
        return c.terms
    norm = (FP32 + d) * sb * h + FP32 * sb  # fp32 copy, normalized copy in d, fp32 rstd
    c.add("norm1", "RMSNorm 1 (fp32 upcast copy, output, rstd)", f"{FP32 + d}sbh + 4sb", norm, "sp")
    c.add("qkv_input", "Q/K/V projection input", f"{d}sbh", d * sb * h, "sp")
    c.add("q", "Q after RoPE", f"{d}sbq", d * sb * q, "t")
    if scores and k < q:
        c.add("k_v", "K and V repeated to every head", f"{2 * d}sbq", 2 * d * sb * q, "t")
    else:
        c.add("k_v", "K after RoPE, and V", f"{2 * d}sbk", 2 * d * sb * k, "t")
    if scores:
        c.add("softmax", "Softmax output (fp32)", "4as²b", FP32 * a * s * sb, "t")
        if d != FP32:
            c.add("softmax_cast", f"Softmax cast back to {d}-byte", f"{d}as²b", d * a * s * sb, "t")
    elif sc.attention == "flash":
        c.add("lse", "Flash log-sum-exp (fp32)", "4asb", FP32 * a * sb, "t")
    c.add("o_input", "Attention output (o_proj input)", f"{d}sbq", d * sb * q, "t")
    c.add("norm2", "RMSNorm 2 (fp32 upcast copy, output, rstd)", f"{FP32 + d}sbh + 4sb", norm, "sp")
    c.add("mlp_input", "MLP input", f"{d}sbh", d * sb * h, "sp")
    c.add("swiglu", "SwiGLU: gate, SiLU(gate), up, product", f"{4 * d}sbf", 4 * d * sb * f, "t")
    return c.terms


def embedding_terms(sc: Scenario) -> list[Term]:
    """Kept by the input side of the first stage, for one micro-batch in flight."""
    s, b, h, d = sc.seq_len, sc.micro_batch, sc.hidden, sc.dtype_bytes
    c = _Counter(sc)
    c.add("token_ids", "Token ids (int64)", "8sb", INT64 * s * b, "")
    if sc.arch == "gpt":
        mask = sc.mask_bytes * s * b * h
        c.add("embedding_mask", "Embedding dropout mask", f"{sc.mask_bytes}sbh", mask, "sp")
    else:
        tables = 2 * d * s * head_dim_of(sc)
        c.add("rotary", "RoPE cos and sin tables", f"{2 * d}s·head_dim", tables, "")
    return c.terms


def output_terms(sc: Scenario) -> list[Term]:
    """Kept by the stage with the final norm, output layer and loss (paper section 4.3)."""
    s, b, h, d = sc.seq_len, sc.micro_batch, sc.hidden, sc.dtype_bytes
    sb = s * b
    c = _Counter(sc)
    if sc.arch == "gpt":
        c.add("final_norm", "Final LayerNorm input", f"{d}sbh", d * sb * h, "sp")
    else:
        norm = (FP32 + d) * sb * h + FP32 * sb
        c.add("final_norm", "Final RMSNorm (fp32 upcast)", f"{FP32 + d}sbh + 4sb", norm, "sp")
    c.add("head_input", "Output layer input", f"{d}sbh", d * sb * h, "sp")
    c.add("logits", "Log-probabilities for the loss (fp32)", "4sbv", FP32 * sb * sc.vocab, "t")
    c.add("labels", "Labels (int64)", "8sb", INT64 * sb, "")
    return c.terms


def total(terms) -> int:
    return sum(t.bytes for t in terms)


def chunks_in_flight(pp: int, vpp: int, accumulation_steps: int | None, rank: int) -> int:
    """Forward passes through one model chunk (L / (pp * vpp) layers of one micro-batch) whose
    activations pipeline rank `rank` holds at once, at its peak, under Megatron-LM's 1F1B
    schedules (pipeline_parallel/schedules.py, get_pp_rank_microbatches, with the default group
    of pp micro-batches per virtual stage): its warm-up forwards, plus the one forward the
    steady state runs before its first backward frees anything; or every forward of the step
    when the step is all warm-up.

    Without interleaving the first rank warms up with pp - 1 forwards and so holds pp
    micro-batches (Korthikanti et al. 2022, section 4.2.3), but only the n it has when a step
    has n < pp. With vpp chunks it holds pp * vpp + pp - 1 chunks: the paper's factor
    1 + (pp - 1) / (pp * vpp) on L layers."""
    warmup = warmup_forwards(pp, vpp, rank)
    if accumulation_steps is not None and warmup >= accumulation_steps * vpp:
        return accumulation_steps * vpp
    return warmup + 1


def warmup_forwards(pp: int, vpp: int, rank: int) -> int:
    """Chunk forwards a rank runs before its first backward when the step has enough of them.
    Interleaved: two per later rank, plus vpp - 1 rounds of pp each (schedules.py)."""
    return pp - rank - 1 if vpp == 1 else 2 * (pp - rank - 1) + (vpp - 1) * pp


def activations(sc: Scenario) -> ActivationResult:
    validate(sc)
    terms = layer_terms(sc)  # once: the solver asks for three or four micro-batches a request
    per_layer = total(terms)
    p, m = sc.pp, sc.vpp
    # The first stage holds the most layer activations (see chunks_in_flight): with at least
    # p micro-batches a step, p of them through L/p layers, L layers' worth whatever p is;
    # interleaving m chunks multiplies that by 1 + (p-1)/(p m). Fewer micro-batches, fewer.
    first = chunks_in_flight(p, m, sc.accumulation_steps, 0)
    in_flight = min(p, sc.accumulation_steps or p)
    layers_bytes = ceil_div(per_layer * sc.layers * first, p * m)
    embed_terms = embedding_terms(sc)
    # The input side sits in the first chunk, kept once per micro-batch in flight (as Megatron's
    # theoretical_memory_usage.py counts it, interleaving factor included).
    embedding_bytes = ceil_div(total(embed_terms) * first, m)
    out_terms = output_terms(sc)
    output_bytes = total(out_terms)
    total_bytes = layers_bytes + embedding_bytes + (output_bytes if p == 1 else 0)
    last = chunks_in_flight(p, m, sc.accumulation_steps, p - 1)
    last_stage = ceil_div(per_layer * sc.layers * last, p * m) + output_bytes
    return ActivationResult(
        per_layer_bytes=per_layer,
        layers_bytes=layers_bytes,
        total_bytes=total_bytes,
        layer_terms=terms,
        embedding_terms=embed_terms,
        output_terms=out_terms,
        embedding_bytes=embedding_bytes,
        output_bytes=output_bytes,
        in_flight_micro_batches=in_flight,
        interleave_factor=first / (m * in_flight),
        last_stage_bytes=last_stage if p > 1 else total_bytes,
        recompute_working_bytes=recompute_working_bytes(sc),
        loss_working_bytes=loss_working_bytes(sc),
        first_stage_chunks=first,
        all_warmup=sc.accumulation_steps is not None
        and warmup_forwards(p, m, 0) >= sc.accumulation_steps * m,
        pipeline_bubble=(
            float(bubble_fraction(p, m, sc.accumulation_steps))
            if p > 1 and sc.accumulation_steps
            else None
        ),
    )


def recompute_working_bytes(sc: Scenario) -> int:
    """During the backward of one layer, recomputation rebuilds what was not stored."""
    if sc.recompute == "none":
        return 0
    kept = total(layer_terms(sc))
    if sc.recompute == "full":
        return total(layer_terms(replace(sc, recompute="none")))
    return total(layer_terms(replace(sc, recompute="none"))) - kept


def loss_working_bytes(sc: Scenario) -> int:
    """Transient logits buffers at the loss (an estimate, not measured): during the backward of
    log-softmax its fp32 output gradient and input gradient coexist, while the training loop
    still holds the 16-bit logits: (8 + d) s b v / t bytes on top of the saved log-probabilities."""
    return ceil_div((2 * FP32 + sc.dtype_bytes) * sc.seq_len * sc.micro_batch * sc.vocab, sc.tp)


# Parameters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParamCount:
    per_layer: int
    embedding: int  # vocab x hidden (position embeddings are not counted)
    final_norm: int
    output_layer: int  # 0 when tied to the embedding

    @property
    def total(self) -> int:
        return self.per_layer * self.layers + self.embedding + self.final_norm + self.output_layer

    layers: int = 0


def param_count(sc: Scenario) -> ParamCount:
    """Parameters from the architecture, as Megatron-LM's theoretical_memory_usage.py counts
    them, plus biases for `gpt` (Megatron's GPT has them). Llama 2 7B: 6,738,415,616."""
    h, f = sc.hidden, sc.ffn_hidden
    q = sc.heads * head_dim_of(sc)
    k = kv_heads_of(sc) * head_dim_of(sc)
    if sc.arch == "gpt":
        attention = h * (q + 2 * k) + (q + 2 * k) + q * h + h
        mlp = 2 * h * f + f + h
        norms = 4 * h  # two LayerNorms, weight and bias
        final_norm = 2 * h
    else:
        attention = h * (q + 2 * k) + q * h
        mlp = 3 * h * f
        norms = 2 * h
        final_norm = h
    embedding = sc.vocab * h
    return ParamCount(
        per_layer=attention + mlp + norms,
        embedding=embedding,
        final_norm=final_norm,
        output_layer=0 if sc.tied else embedding,
        layers=sc.layers,
    )


# Does it fit? -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hardware:
    capacity_bytes: int
    reserve_pct: float = 10.0  # kept free: CUDA context, NCCL buffers, allocator fragmentation
    gpus: int = 8
    zero: int = 3
    precision: str = "mixed"
    optimizer: str = "adam"
    name: str = ""  # what a page calls the GPU ("NVIDIA H100 80GB", "a 48 GiB GPU")


@dataclass(frozen=True)
class StageNeed:
    stage: str  # "first", "last" or "only"
    params: int
    states: ModelStateBytes
    activations_bytes: int
    working_bytes: int  # recompute + loss transients

    @property
    def total_bytes(self) -> int:
        return self.states.total_bytes + self.activations_bytes + self.working_bytes


@dataclass(frozen=True)
class FitResult:
    activation: ActivationResult
    params: ParamCount
    data_parallel_size: int
    capacity_bytes: int
    usable_bytes: int
    need: StageNeed  # the more loaded stage at this micro-batch
    fits: bool
    largest_micro_batch: int  # 0 when not even one sequence fits
    gpus: int
    bytes_per_param: int
    # The inputs the figures above were worked out from, as the engine took them: a page prints
    # its worked example and notes from these, never from the form that asked.
    scenario: Scenario
    hardware: Hardware
    stages: list[StageNeed] = field(default_factory=list)


def data_parallel_size(sc: Scenario, gpus: int) -> int:
    if gpus % (sc.tp * sc.pp):
        raise InputError(
            "gpus",
            f"GPUs ({gpus:,}) must be a multiple of TP x PP = {sc.tp} x {sc.pp} = "
            f"{sc.tp * sc.pp}, so every model replica gets whole GPUs.",
        )
    return gpus // (sc.tp * sc.pp)


def stage_needs(
    sc: Scenario, hw: Hardware, dp: int, act: ActivationResult | None = None
) -> list[StageNeed]:
    act = act or activations(sc)
    pc = param_count(sc)
    per_param = state_bytes_per_param(hw.precision, hw.optimizer)
    layers_here = pc.per_layer * (sc.layers // sc.pp)
    out_params = pc.final_norm + (pc.output_layer or pc.embedding)

    def states(params):
        return zero_sharded_state_bytes(ceil_div(params, sc.tp), per_param, hw.zero, dp)

    if sc.pp == 1:
        params = pc.total
        work = act.recompute_working_bytes + act.loss_working_bytes
        return [StageNeed("only", params, states(params), act.total_bytes, work)]
    first_params = layers_here + pc.embedding
    last_params = layers_here + out_params
    return [
        StageNeed(
            "first",
            first_params,
            states(first_params),
            act.total_bytes,
            act.recompute_working_bytes,
        ),
        StageNeed(
            "last",
            last_params,
            states(last_params),
            act.last_stage_bytes,
            act.recompute_working_bytes + act.loss_working_bytes,
        ),
    ]


def worst(needs: list[StageNeed]) -> StageNeed:
    return max(needs, key=lambda n: n.total_bytes)


def fit(sc: Scenario, hw: Hardware) -> FitResult:
    validate(sc)
    if hw.zero not in (0, 1, 2, 3):
        raise InputError("zero", "ZeRO stage must be 0, 1, 2 or 3.")
    dp = data_parallel_size(sc, hw.gpus)
    usable = int(hw.capacity_bytes * (100 - hw.reserve_pct) / 100)
    act = activations(sc)
    needs = stage_needs(sc, hw, dp, act)
    need = worst(needs)
    per_param = state_bytes_per_param(hw.precision, hw.optimizer)
    return FitResult(
        activation=act,
        params=param_count(sc),
        data_parallel_size=dp,
        capacity_bytes=hw.capacity_bytes,
        usable_bytes=usable,
        need=need,
        fits=need.total_bytes <= usable,
        largest_micro_batch=largest_micro_batch(sc, hw, dp, usable, {sc.micro_batch: need}),
        gpus=hw.gpus,
        bytes_per_param=per_param.total,
        scenario=sc,
        hardware=hw,
        stages=needs,
    )


def largest_micro_batch(
    sc: Scenario, hw: Hardware, dp: int, usable: int, known: dict[int, StageNeed] | None = None
) -> int:
    """The largest micro-batch whose most loaded stage fits in `usable` bytes (0 if none).

    Memory grows with the micro-batch, so the boundary is where b fits and b + 1 does not. It
    grows almost exactly in a straight line (every activation is proportional to b, give or
    take a byte of rounding per tensor when it is split across GPUs), so the line through b = 1
    and b = 2 lands on the boundary or beside it: two more evaluations confirm it, where a
    binary search over 1 to 65,536 took about eighteen, each a whole pass over the model (most
    of the page's time on each keystroke). If the line misses, the search still runs, between
    the bounds the evaluations have found. `known`: needs already worked out, by micro-batch
    (the page's own, often 1 or 2).
    """
    needs = dict(known or {})

    def need(b):
        if b not in needs:
            needs[b] = worst(stage_needs(replace(sc, micro_batch=b), hw, dp))
        return needs[b].total_bytes

    one = need(1)
    if one > usable:
        return 0
    lo, hi = 1, MAX_MICRO_BATCH + 1  # invariant: lo fits, hi does not (or is past the limit)
    slope = need(2) - one
    guess = MAX_MICRO_BATCH if slope <= 0 else 1 + (usable - one) // slope
    guess = min(max(guess, 1), MAX_MICRO_BATCH)
    if sc.tp == 1 and sc.pp == 1 and sc.vpp == 1:
        # Nothing is split across GPUs or stages, so no ceil_div rounds a byte: every count is
        # an integer multiple of b plus a constant, the line is exact and `guess` the boundary
        # (tests check it against a search). Skips two whole passes over the model on most
        # keystrokes (activation fragment 6.78M -> 6.40M instructions a request, callgrind).
        return guess
    if need(guess) <= usable:
        if guess == MAX_MICRO_BATCH or need(guess + 1) > usable:
            return guess
        lo = guess + 1
    else:
        hi = guess
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if need(mid) <= usable else (lo, mid)
    return lo
