"""Learning-rate scaling when the global batch changes, and the context that bounds it.

Pure Python (no Django). Sources, each checked against the paper's own text:
- Goyal et al. 2017 (arXiv 1706.02677): linear rule for SGD with momentum, gradual warmup.
- Malladi et al. 2022 (arXiv 2205.10287): square-root rule for Adam, with its companion changes
  to beta1, beta2 and epsilon.
- McCandlish et al. 2018 (arXiv 1812.06162): steps/examples trade-off around the critical batch.
- Kaplan et al. 2020 (arXiv 2001.08361): critical batch as a function of loss (an estimate).
- DeepSeek-AI 2024 (arXiv 2401.02954): fitted compute-optimal learning rate and batch.
"""

import math
from dataclasses import dataclass

from calculators.catalog.lr import linear_lr, sqrt_lr
from calculators.catalog.memory import ceil_div
from calculators.kit.errors import InputError

OPTIMIZERS = ("adam", "sgd")
# Momentum SGD follows the linear rule (Goyal); the Adam family the square-root rule (Malladi).
RULE_FOR_OPTIMIZER = {"adam": "sqrt", "sgd": "linear"}
# Beyond this batch ratio (either way) neither rule is a safe one-shot answer.
RATIO_CAUTION = 8.0
BETA_FLOOR = 1e-9

# Kaplan et al. 2020, Sec 5.1: B_crit(L) ~ B_* / L^(1/alpha_B), B_* ~ 2e8 tokens, alpha_B ~ 0.21,
# L the loss in nats per token (their WebText2 models and tokenizer).
KAPLAN_B_STAR_TOKENS = 2e8
KAPLAN_ALPHA_B = 0.21

# DeepSeek LLM, Formula (1): eta_opt = 0.3118 C^-0.1250, B_opt = 0.2920 C^0.3271 (B in tokens),
# fitted on budgets from 1e17 to 2e19 FLOPs and validated at 1e20.
DEEPSEEK_LR = (0.3118, -0.1250)
DEEPSEEK_BATCH = (0.2920, 0.3271)
DEEPSEEK_FITTED_FLOPS = (1e17, 2e19)
DEEPSEEK_VALIDATED_FLOPS = 1e20


@dataclass(frozen=True)
class ScalingInput:
    base_lr: float
    base_batch: int
    new_batch: int
    optimizer: str = "adam"
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    base_warmup: int | None = None  # warmup steps at the base batch
    seq_len: int | None = None  # tokens per sequence; when given, batches count sequences
    tokens: float | None = None  # training tokens planned (schedule and compute context)
    critical_batch: float | None = None  # same unit as the batches
    target_loss: float | None = None  # nats per token, for Kaplan's critical-batch estimate
    flops: float | None = None  # training compute C in FLOPs, for the DeepSeek reference
    layers: int | None = None  # or the model, whose FLOPs/token times tokens give compute
    hidden: int | None = None


@dataclass(frozen=True)
class AdamCompanions:
    """Malladi et al.'s square-root rule: the other Adam hyper-parameters at ratio kappa."""

    beta1: float  # 1 - kappa (1 - beta1)
    beta2: float  # 1 - kappa (1 - beta2)
    eps: float  # eps / sqrt(kappa)
    applicable: bool  # both betas stay above 0; past that the rule has no valid setting
    max_ratio: float  # the largest kappa that keeps both betas at or above 0


@dataclass(frozen=True)
class Warmup:
    """Base warmup carried to the new batch two ways: same steps, or same amount of data."""

    base_steps: int
    base_samples: int  # base_steps x base_batch (in the batch unit)
    same_steps: int  # keep the step count (more data per warmup)
    same_steps_samples: int
    same_data_steps: int  # keep the data: ceil(base_samples / new_batch) steps
    same_data_samples: int
    base_tokens: int | None  # the same three amounts in tokens, when seq_len is known
    same_steps_tokens: int | None
    same_data_tokens: int | None


@dataclass(frozen=True)
class CriticalBatch:
    """McCandlish et al.: S = S_min (1 + B_crit/B) steps and E = E_min (1 + B/B_crit) examples."""

    critical_batch: float  # in the batch unit
    source: str  # "given" or "kaplan"
    critical_batch_tokens: float | None
    base_steps_factor: float  # S / S_min at the base batch
    new_steps_factor: float
    base_data_factor: float  # E / E_min at the base batch
    new_data_factor: float
    steps_change: float  # steps at new batch / steps at base batch, same target loss
    data_change: float  # examples at new batch / examples at base batch
    new_beyond: bool


@dataclass(frozen=True)
class Schedule:
    """Optimizer steps for the planned tokens at each batch (the last partial step counts)."""

    tokens: float
    base_steps: int
    new_steps: int
    warmup_share: float | None  # base warmup steps / new steps, if warmup keeps its steps


@dataclass(frozen=True)
class ComputeOptimal:
    """DeepSeek LLM's fitted optimum for a compute budget C = M x D."""

    compute: float
    source: str  # "given" or "model"
    flops_per_token: float | None  # M = 72 n_layer d_model^2 + 12 n_layer d_model l_seq
    lr: float
    batch_tokens: float
    batch_sequences: float | None
    in_fitted_range: bool
    recommended_over_optimal: float  # your recommended LR / their eta_opt


@dataclass(frozen=True)
class ScalingResult:
    inputs: ScalingInput
    batch_ratio: float
    linear_lr: float
    sqrt_lr: float
    recommended_rule: str
    recommended_lr: float
    adam: AdamCompanions
    warmup: Warmup | None
    critical: CriticalBatch | None
    schedule: Schedule | None
    compute_optimal: ComputeOptimal | None
    cautions: tuple[str, ...]

    @property
    def other_rule(self) -> str:
        return "linear" if self.recommended_rule == "sqrt" else "sqrt"

    @property
    def other_lr(self) -> float:
        return self.linear_lr if self.recommended_rule == "sqrt" else self.sqrt_lr

    @property
    def sqrt_ratio(self) -> float:
        return math.sqrt(self.batch_ratio)


def adam_companions(beta1: float, beta2: float, eps: float, kappa: float) -> AdamCompanions:
    """Malladi et al. 2022: batch x kappa => (1 - beta) x kappa and eps / sqrt(kappa)."""
    new_beta1 = 1 - kappa * (1 - beta1)
    new_beta2 = 1 - kappa * (1 - beta2)
    # 1 - beta is the weight of the newest gradient; kappa times it must stay at most 1.
    max_ratio = min(1 / (1 - beta1), 1 / (1 - beta2))
    return AdamCompanions(
        beta1=new_beta1,
        beta2=new_beta2,
        eps=eps / math.sqrt(kappa),
        # A beta within rounding of zero (1 - 10 x 0.1 = 2e-16) counts as zero.
        applicable=min(new_beta1, new_beta2) > BETA_FLOOR,
        max_ratio=max_ratio,
    )


def warmup_plan(base_steps: int, base_batch: int, new_batch: int, seq_len: int | None) -> Warmup:
    base_samples = base_steps * base_batch
    same_data_steps = ceil_div(base_samples, new_batch)

    def tokens(samples: int) -> int | None:
        return samples * seq_len if seq_len else None

    return Warmup(
        base_steps=base_steps,
        base_samples=base_samples,
        same_steps=base_steps,
        same_steps_samples=base_steps * new_batch,
        same_data_steps=same_data_steps,
        same_data_samples=same_data_steps * new_batch,
        base_tokens=tokens(base_samples),
        same_steps_tokens=tokens(base_steps * new_batch),
        same_data_tokens=tokens(same_data_steps * new_batch),
    )


def steps_factor(batch: float, critical: float) -> float:
    """S / S_min = 1 + B_crit / B (McCandlish et al. 2018, from eq. 2.11)."""
    return 1 + critical / batch


def data_factor(batch: float, critical: float) -> float:
    """E / E_min = 1 + B / B_crit."""
    return 1 + batch / critical


def kaplan_critical_batch_tokens(loss: float) -> float:
    """Kaplan et al. 2020's fit of the critical batch (tokens) at a given loss (nats/token)."""
    return KAPLAN_B_STAR_TOKENS / loss ** (1 / KAPLAN_ALPHA_B)


def critical_tradeoff(
    base_batch: int, new_batch: int, critical: float, source: str, seq_len: int | None
) -> CriticalBatch:
    base_s, new_s = steps_factor(base_batch, critical), steps_factor(new_batch, critical)
    base_e, new_e = data_factor(base_batch, critical), data_factor(new_batch, critical)
    return CriticalBatch(
        critical_batch=critical,
        source=source,
        critical_batch_tokens=critical * seq_len if seq_len else None,
        base_steps_factor=base_s,
        new_steps_factor=new_s,
        base_data_factor=base_e,
        new_data_factor=new_e,
        steps_change=new_s / base_s,
        data_change=new_e / base_e,
        new_beyond=new_batch > critical,
    )


def deepseek_flops_per_token(layers: int, hidden: int, seq_len: int) -> int:
    """DeepSeek LLM eq. (2): non-embedding FLOPs per token, attention included."""
    return 72 * layers * hidden**2 + 12 * layers * hidden * seq_len


def deepseek_optimum(compute: float) -> tuple[float, float]:
    """(eta_opt, B_opt in tokens) from DeepSeek LLM's Formula (1)."""
    (lr_coef, lr_exp), (b_coef, b_exp) = DEEPSEEK_LR, DEEPSEEK_BATCH
    return lr_coef * compute**lr_exp, b_coef * compute**b_exp


def check_companions(inp: ScalingInput) -> None:
    """Optional inputs that only make sense together: say which one is missing."""
    if inp.optimizer not in OPTIMIZERS:
        raise InputError("optimizer", f"Optimizer must be one of: {', '.join(OPTIMIZERS)}.")
    for name in ("base_lr", "base_batch", "new_batch"):
        if not getattr(inp, name) > 0:
            raise InputError(name, f"{name} must be greater than 0.")
    if inp.critical_batch is not None and inp.target_loss is not None:
        raise InputError(
            "target_loss",
            "Give either a critical batch or a target loss to estimate one from, not both.",
        )
    if inp.target_loss is not None and not inp.seq_len:
        raise InputError(
            "target_loss",
            "Estimating the critical batch from a loss gives tokens; give the sequence length "
            "too (1 if your batches are counted in tokens).",
        )
    if inp.tokens is not None and not inp.seq_len:
        raise InputError(
            "tokens",
            "Training tokens need the sequence length to turn into steps "
            "(1 if your batches are counted in tokens).",
        )
    model = (inp.layers, inp.hidden)
    if any(v is not None for v in model):
        if inp.flops is not None:
            raise InputError(
                "flops",
                "Give either the compute budget or the model (layers and width), not both.",
            )
        if inp.layers is None:
            raise InputError("layers", "Layers are needed with the model width.")
        if inp.hidden is None:
            raise InputError("hidden", "The model width is needed with the layers.")
        if inp.tokens is None:
            raise InputError(
                "tokens", "Training tokens are needed to turn the model into compute C = M x D."
            )


def compute_optimal(inp: ScalingInput, recommended_lr: float) -> ComputeOptimal | None:
    if inp.flops is not None:
        compute, source, per_token = inp.flops, "given", None
    elif inp.layers is not None:
        per_token = deepseek_flops_per_token(inp.layers, inp.hidden, inp.seq_len)
        compute, source = per_token * inp.tokens, "model"
    else:
        return None
    lr, batch_tokens = deepseek_optimum(compute)
    low, high = DEEPSEEK_FITTED_FLOPS
    return ComputeOptimal(
        compute=compute,
        source=source,
        flops_per_token=per_token,
        lr=lr,
        batch_tokens=batch_tokens,
        batch_sequences=batch_tokens / inp.seq_len if inp.seq_len else None,
        in_fitted_range=low <= compute <= high,
        recommended_over_optimal=recommended_lr / lr,
    )


def scale(inp: ScalingInput) -> ScalingResult:
    check_companions(inp)
    ratio = inp.new_batch / inp.base_batch
    linear = linear_lr(inp.base_lr, inp.base_batch, inp.new_batch)
    root = sqrt_lr(inp.base_lr, inp.base_batch, inp.new_batch)
    rule = RULE_FOR_OPTIMIZER[inp.optimizer]
    recommended = root if rule == "sqrt" else linear
    adam = adam_companions(inp.beta1, inp.beta2, inp.eps, ratio)

    warmup = None
    if inp.base_warmup is not None:
        warmup = warmup_plan(inp.base_warmup, inp.base_batch, inp.new_batch, inp.seq_len)

    critical = None
    if inp.critical_batch is not None:
        critical = critical_tradeoff(
            inp.base_batch, inp.new_batch, inp.critical_batch, "given", inp.seq_len
        )
    elif inp.target_loss is not None:
        estimate = kaplan_critical_batch_tokens(inp.target_loss) / inp.seq_len
        critical = critical_tradeoff(inp.base_batch, inp.new_batch, estimate, "kaplan", inp.seq_len)

    schedule = None
    if inp.tokens is not None:
        new_steps = math.ceil(inp.tokens / (inp.new_batch * inp.seq_len))
        schedule = Schedule(
            tokens=inp.tokens,
            base_steps=math.ceil(inp.tokens / (inp.base_batch * inp.seq_len)),
            new_steps=new_steps,
            warmup_share=inp.base_warmup / new_steps if inp.base_warmup is not None else None,
        )

    cautions = []
    if ratio > RATIO_CAUTION or ratio < 1 / RATIO_CAUTION:
        cautions.append("large_ratio")
    if critical and critical.new_beyond:
        cautions.append("beyond_critical_batch")
    if inp.optimizer == "adam" and not adam.applicable:
        cautions.append("adam_betas_out_of_range")
    if schedule and schedule.warmup_share is not None and schedule.warmup_share >= 1:
        cautions.append("warmup_longer_than_training")

    return ScalingResult(
        inputs=inp,
        batch_ratio=ratio,
        linear_lr=linear,
        sqrt_lr=root,
        recommended_rule=rule,
        recommended_lr=recommended,
        adam=adam,
        warmup=warmup,
        critical=critical,
        schedule=schedule,
        compute_optimal=compute_optimal(inp, recommended),
        cautions=tuple(cautions),
    )
