"""Regression metrics: MAE, MSE, RMSE, R², MAPE, and the mean-predictor baseline.

Definitions follow scikit-learn's (mean_absolute_error, mean_squared_error, r2_score,
mean_absolute_percentage_error), which the tests compare against on random inputs.

95% intervals are analytic, not bootstrapped. MAE and MSE are means of the per-sample |e| and
e², so the central limit theorem gives MAE ± z·s_|e|/√n (s the sample standard deviation,
divisor n − 1), and the delta method carries MSE's to RMSE = √MSE: SE(RMSE) = SE(MSE)/(2·RMSE),
RMSE ± z·SE(RMSE), with z = 1.959964. A percentile bootstrap of 1,000 resamples would draw
10⁸ indices at 100,000 samples, seconds in plain Python where these take milliseconds, and it
agrees with them at large n (the tests check); at small n (under about 30) every such interval
is rough. A lower end below 0 is clipped to 0: neither error can be negative.
"""

import math
import sys
from dataclasses import dataclass

from calculators.kit.errors import InputError

from .common import Z_95, echo, mean, require_same_length, worst_first

CI_METHOD = "analytic: normal approximation for MAE, delta method for RMSE"

# scikit-learn divides percentage errors by max(|y|, EPS): below EPS a target counts as zero.
EPS = sys.float_info.epsilon


@dataclass(frozen=True)
class RegressionResult:
    n: int
    mae: float
    mse: float
    rmse: float
    r2: float
    # False when every target is equal: SS_tot = 0 and R² = 1 − SS_res/SS_tot is undefined.
    # r2 then holds scikit-learn's documented force_finite value: 1.0 for perfect predictions,
    # else 0.0 (see regression_metrics for what r2_score actually returns).
    r2_defined: bool
    mean_true: float
    sum_abs_error: float
    sum_squared_error: float  # SS_res
    total_sum_squares: float  # SS_tot, the squared error of always predicting the mean
    baseline_mse: float  # SS_tot / n: the MSE of predicting mean(y_true) for every sample
    baseline_mae: float  # the MAE of that same constant prediction
    # MAPE as a fraction (0.327 = 32.7%), like scikit-learn. None when any target is 0 (or
    # within EPS of it): its percentage error divides by zero, where scikit-learn divides by
    # EPS and reports an enormous number. mape_nonzero is the MAPE of the other samples.
    mape: float | None
    mape_nonzero: float | None
    zero_targets: int
    residuals: tuple[float, ...]  # y_true − y_pred, sample by sample
    worst: tuple[int, ...]  # 0-based indices of the largest absolute errors, largest first
    # Standard errors and 95% intervals [low, high], as the module says; `ci_method` says so too.
    mae_se: float = 0.0
    mae_ci_95: tuple[float, float] = (0.0, 0.0)
    rmse_se: float = 0.0
    rmse_ci_95: tuple[float, float] = (0.0, 0.0)
    ci_method: str = CI_METHOD
    # The inputs, for the page's worked example and its table of the worst samples.
    y_true: tuple[float, ...] = echo(())
    y_pred: tuple[float, ...] = echo(())


def regression_metrics(y_true: tuple[float, ...], y_pred: tuple[float, ...]) -> RegressionResult:
    require_same_length("y_true", y_true, "y_pred", y_pred)
    n = len(y_true)
    if n < 2:
        raise InputError(
            "y_true", "y_true needs at least 2 values: R² compares them with their mean."
        )
    residuals = tuple(t - p for t, p in zip(y_true, y_pred, strict=True))
    abs_errors = [abs(r) for r in residuals]
    sum_abs = math.fsum(abs_errors)
    sse = math.fsum(r * r for r in residuals)
    equal_targets = all(t == y_true[0] for t in y_true)
    # Equal targets are their own mean, exactly. Dividing a float sum by n need not give it back
    # (0.1 + 0.1 + 0.1 = 0.30000000000000004, ÷ 3 = 0.10000000000000002), and that rounding
    # error would leave an SS_tot of ~1e-34 where the true one is 0.
    y_mean = y_true[0] if equal_targets else mean(y_true)
    sst = math.fsum((t - y_mean) ** 2 for t in y_true)
    # SS_tot can also underflow to 0 for targets differing by ~1e-160: undefined just the same.
    constant_targets = equal_targets or sst == 0
    # R² is then undefined (r2_defined is False and the page says so). The number JSON carries
    # is scikit-learn's documented force_finite value, 1 if perfect, else 0, so a client reading
    # only `r2` keeps a finite float; r2_score itself returns that only when numpy's mean of the
    # targets happens to be exact, and a float artefact such as -5.19e31 otherwise.
    r2 = (1.0 if sse == 0 else 0.0) if constant_targets else 1 - sse / sst
    percentage = [abs(t - p) / abs(t) for t, p in zip(y_true, y_pred, strict=True) if abs(t) >= EPS]
    zero_targets = n - len(percentage)
    mape_nonzero = mean(percentage) if percentage else None
    mae, mse = sum_abs / n, sse / n
    rmse = math.sqrt(mse)
    mae_se = standard_error(abs_errors, mae)
    # With RMSE = 0 every error is 0, so SE(MSE) is 0 too and so is the interval's width.
    rmse_se = standard_error([r * r for r in residuals], mse) / (2 * rmse) if rmse else 0.0
    return RegressionResult(
        n=n,
        mae=mae,
        mse=mse,
        rmse=rmse,
        r2=r2,
        r2_defined=not constant_targets,
        mean_true=y_mean,
        sum_abs_error=sum_abs,
        sum_squared_error=sse,
        total_sum_squares=sst,
        baseline_mse=sst / n,
        baseline_mae=mean([abs(t - y_mean) for t in y_true]),
        mape=mape_nonzero if zero_targets == 0 else None,
        mape_nonzero=mape_nonzero,
        zero_targets=zero_targets,
        residuals=residuals,
        worst=tuple(worst_first(abs_errors)),
        mae_se=mae_se,
        mae_ci_95=interval(mae, mae_se),
        rmse_se=rmse_se,
        rmse_ci_95=interval(rmse, rmse_se),
        y_true=y_true,
        y_pred=y_pred,
    )


def standard_error(values: list[float], mean_value: float) -> float:
    """s/√n, s the sample standard deviation (divisor n − 1) about `mean_value`."""
    n = len(values)
    return math.sqrt(math.fsum((v - mean_value) ** 2 for v in values) / (n - 1) / n)


def interval(estimate: float, se: float) -> tuple[float, float]:
    return (max(0.0, estimate - Z_95 * se), estimate + Z_95 * se)
