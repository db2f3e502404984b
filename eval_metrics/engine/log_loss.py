"""Binary log loss (cross-entropy) and the Brier score, beside the base-rate baseline.

Clipping follows scikit-learn since 1.2 (the only behaviour since 1.5, when the `eps` argument
was removed): each probability column is clipped to [ε, 1 − ε] with ε the float64 machine
epsilon, so one confidently wrong sample costs at most −ln ε ≈ 36.04 nats instead of infinity.
"""

import math
import sys
from dataclasses import dataclass

from .common import mean, require_binary_labels, require_same_length, worst_first

EPS = sys.float_info.epsilon  # 2.220446049250313e-16, numpy's finfo(float64).eps
MAX_SAMPLE_LOSS = -math.log(EPS)  # ≈ 36.04 nats
LN2 = math.log(2)


@dataclass(frozen=True)
class SampleLoss:
    index: int  # 0-based position in the input
    y_true: int
    y_prob: float
    loss: float  # nats
    share: float  # this sample's fraction of the total loss


@dataclass(frozen=True)
class LogLossResult:
    n: int
    positives: int
    log_loss: float  # mean, nats
    log_loss_bits: float
    total_loss: float  # sum over samples, nats
    clipped: int  # samples whose probability for their own label was below ε
    brier: float
    base_rate: float  # fraction of labels that are 1
    baseline_log_loss: float  # entropy of the base rate: always predicting base_rate
    baseline_log_loss_bits: float
    baseline_brier: float  # base_rate × (1 − base_rate), the Brier score of that same predictor
    per_sample: tuple[float, ...]  # nats, input order
    worst: tuple[SampleLoss, ...]


def clip(p: float) -> float:
    return min(max(p, EPS), 1 - EPS)


def sample_loss(label: int, prob: float) -> float:
    """−ln of the probability given to the true label, each column clipped as scikit-learn does."""
    # 1 − p is computed before clipping, as scikit-learn builds the [1 − p, p] columns first.
    return -math.log(clip(prob) if label == 1 else clip(1 - prob))


def entropy_nats(rate: float) -> float:
    """Binary entropy: the log loss of predicting `rate` for every sample at that base rate."""
    return -sum(q * math.log(q) for q in (rate, 1 - rate) if q > 0)


def log_loss_metrics(y_true: tuple[int, ...], y_prob: tuple[float, ...]) -> LogLossResult:
    require_same_length("y_true", y_true, "y_prob", y_prob)
    require_binary_labels("y_true", y_true)
    n = len(y_true)
    losses = tuple(sample_loss(y, p) for y, p in zip(y_true, y_prob, strict=True))
    total = math.fsum(losses)
    clipped = sum(1 for y, p in zip(y_true, y_prob, strict=True) if (p if y == 1 else 1 - p) < EPS)
    base_rate = sum(y_true) / n
    baseline = entropy_nats(base_rate)
    worst = tuple(
        SampleLoss(i, y_true[i], y_prob[i], losses[i], losses[i] / total if total else 0.0)
        for i in worst_first(losses)
    )
    return LogLossResult(
        n=n,
        positives=sum(y_true),
        log_loss=total / n,
        log_loss_bits=total / n / LN2,
        total_loss=total,
        clipped=clipped,
        brier=mean([(y - p) ** 2 for y, p in zip(y_true, y_prob, strict=True)]),
        base_rate=base_rate,
        baseline_log_loss=baseline,
        baseline_log_loss_bits=baseline / LN2,
        baseline_brier=base_rate * (1 - base_rate),
        per_sample=losses,
        worst=worst,
    )
