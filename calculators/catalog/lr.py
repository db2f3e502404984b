"""Learning-rate scaling when the global batch changes by a factor k = new / reference."""

import math


def linear_lr(ref_lr: float, ref_batch: float, new_batch: float) -> float:
    """Goyal et al. 2017: multiply the LR by k (momentum SGD)."""
    return ref_lr * (new_batch / ref_batch)


def sqrt_lr(ref_lr: float, ref_batch: float, new_batch: float) -> float:
    """Krizhevsky 2014; Malladi et al. 2022 for Adam: multiply the LR by sqrt(k)."""
    return ref_lr * math.sqrt(new_batch / ref_batch)
