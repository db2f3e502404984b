"""Binary log loss (cross-entropy) and the Brier score, beside the base-rate baseline.

Clipping follows scikit-learn since 1.2 (the only behaviour since 1.5, when the `eps` argument
was removed): each probability column is clipped to [ε, 1 − ε] with ε the float64 machine
epsilon, so one confidently wrong sample costs at most −ln ε ≈ 36.04 nats instead of infinity.

Calibration is read from a reliability table with equal-width bins: scikit-learn's
calibration_curve(strategy="uniform") binning, 10 bins with edges k·(1/10) as numpy's linspace
computes them, each bin (lower, upper] and the first also taking 0. The expected calibration
error is the sample-weighted mean gap between a bin's observed frequency of 1s and its mean
predicted probability, ECE = Σ (n_b / N)·|ȳ_b − p̄_b| (Naeini et al. 2015; Guo et al. 2017).
"""

import math
import sys
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache, partial

from .common import Rows, echo, mean, require_binary_labels, require_same_length, worst_first

EPS = sys.float_info.epsilon  # 2.220446049250313e-16, numpy's finfo(float64).eps
MAX_SAMPLE_LOSS = -math.log(EPS)  # ≈ 36.04 nats
LN2 = math.log(2)
CALIBRATION_BINS = 10


@dataclass(frozen=True)
class ReliabilityBin:
    lower: float  # the bin holds lower < y_prob ≤ upper; the first bin holds 0 as well
    upper: float
    count: int
    positives: int
    mean_predicted: float | None  # None for an empty bin, which ECE skips
    observed: float | None  # the fraction of the bin's labels that are 1
    gap: float | None  # observed − mean_predicted: above 0 the model under-predicts here


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
    ece: float = 0.0  # expected calibration error over `reliability`, a probability gap
    calibration_bins: int = CALIBRATION_BINS  # equal-width bins on [0, 1]
    # One ReliabilityBin per bin, lowest first, empty ones too; held as columns (common.Rows).
    reliability: Rows | tuple = ()
    # The inputs, for the page's worked example and per-sample table, and the unit it shows the
    # loss in first (both are computed).
    y_true: tuple[int, ...] = echo(())
    y_prob: tuple[float, ...] = echo(())
    units: str = echo("nats")


def entropy_nats(rate: float) -> float:
    """Binary entropy: the log loss of predicting `rate` for every sample at that base rate."""
    return -sum(q * math.log(q) for q in (rate, 1 - rate) if q > 0)


def reliability_table(
    y_true: tuple[int, ...], y_prob: tuple[float, ...], bins: int = CALIBRATION_BINS
) -> tuple[Rows, float]:
    """The reliability table (ReliabilityBins held as columns, common.Rows) and the expected
    calibration error, binned as the module says."""
    inner_edges, lowers, uppers = bin_edges(bins)
    # bisect_left is numpy's searchsorted(side="left"): a value equal to an edge goes below it.
    bin_of = map(partial(bisect_left, inner_edges), y_prob)
    probs: list[list[float]] = [[] for _ in range(bins)]
    positives = [0] * bins
    for b, y, p in zip(bin_of, y_true, y_prob, strict=True):
        probs[b].append(p)
        positives[b] += y
    counts = [len(p) for p in probs]
    predicted_sums = [math.fsum(p) for p in probs]
    means = [s / n if n else None for s, n in zip(predicted_sums, counts, strict=True)]
    observed = [k / n if n else None for k, n in zip(positives, counts, strict=True)]
    gaps = [o - m if n else None for o, m, n in zip(observed, means, counts, strict=True)]
    # n_b/N·|ȳ_b − p̄_b| = |positives_b − Σp_b| / N: one division, no rounded means; empty bins
    # count nothing.
    weighted_gaps = [
        abs(k - s) for k, s, n in zip(positives, predicted_sums, counts, strict=True) if n
    ]
    table = Rows(
        ReliabilityBin,
        lower=lowers,
        upper=uppers,
        count=counts,
        positives=positives,
        mean_predicted=means,
        observed=observed,
        gap=gaps,
    )
    return table, math.fsum(weighted_gaps) / len(y_prob)


@cache
def bin_edges(bins: int) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]:
    """The inner edges of `bins` equal-width bins on [0, 1], and each bin's lower and upper
    edge: fixed numbers, worked out once per process."""
    width = 1 / bins
    # k·(1/bins), not k/bins: numpy's linspace multiplies by the step, and a probability that
    # falls between the two roundings of an edge lands in scikit-learn's bin this way.
    inner_edges = tuple(k * width for k in range(1, bins))
    return inner_edges, (0.0, *inner_edges), (*inner_edges, 1.0)


def log_loss_metrics(
    y_true: tuple[int, ...], y_prob: tuple[float, ...], units: str = "nats"
) -> LogLossResult:
    """Log loss in nats and in bits; `units` ("nats" or "bits") only says which a page shows
    first."""
    require_same_length("y_true", y_true, "y_prob", y_prob)
    require_binary_labels("y_true", y_true)
    n = len(y_true)
    # −ln of the probability given to the true label, clipped to [ε, 1 − ε]. 1 − p is taken
    # before clipping, as scikit-learn builds its [1 − p, p] columns first. Written inline: a
    # function call per sample was most of the time at 100,000 samples.
    low, high, log = EPS, 1 - EPS, math.log
    losses = tuple(
        -log(min(max(p if y == 1 else 1 - p, low), high))
        for y, p in zip(y_true, y_prob, strict=True)
    )
    total = math.fsum(losses)
    clipped = sum(1 for y, p in zip(y_true, y_prob, strict=True) if (p if y == 1 else 1 - p) < EPS)
    positives = sum(y_true)
    base_rate = positives / n
    baseline = entropy_nats(base_rate)
    worst = tuple(
        SampleLoss(i, y_true[i], y_prob[i], losses[i], losses[i] / total if total else 0.0)
        for i in worst_first(losses)
    )
    reliability, ece = reliability_table(y_true, y_prob)
    return LogLossResult(
        n=n,
        positives=positives,
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
        ece=ece,
        calibration_bins=CALIBRATION_BINS,
        reliability=reliability,
        y_true=y_true,
        y_prob=y_prob,
        units=units,
    )
