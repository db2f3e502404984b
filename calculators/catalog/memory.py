"""The memory kit: byte sizes, training state per parameter, and ZeRO sharding. Pure Python.

Shared by every memory tool (activation memory, GPU fit). All results are whole bytes (int);
divide by `GIB` or `GB` only for display, and label which one you used: a "24 GB" card is
about 22.4 GiB, a 7 % gap that is easy to lose.

Sources:
- Mixed-precision Adam = 2 + 2 + 12 = 16 bytes per parameter, and the ZeRO stage formulas:
  Rajbhandari et al. 2019, "ZeRO: Memory Optimizations Toward Training Trillion Parameter
  Models", arXiv:1910.02054, section 3.1 and Figure 1.
- 16-bit weights with fp32 gradients = 18 bytes per parameter (Megatron-LM's default), fp32
  everything = 16: Megatron-LM docs/source/api-guide/dist_optimizer.md.
- 8-bit Adam keeps two 1-byte states: Dettmers et al. 2021, arXiv:2110.02861.
"""

from dataclasses import dataclass

from calculators.kit.errors import InputError

GB = 10**9  # decimal gigabyte: marketing sizes, Hugging Face file sizes
GIB = 2**30  # binary gibibyte: nvidia-smi (MiB), PyTorch's OOM messages, llama.cpp
MIB = 2**20

# Bytes per element of each storage type a training run uses.
DTYPE_BYTES = {"fp32": 4, "tf32": 4, "bf16": 2, "fp16": 2, "fp8": 1, "int8": 1}

# How weights and gradients are held, and whether an fp32 master copy of the weights exists.
#   mixed       16-bit weights and gradients, fp32 master weights in the optimizer (the ZeRO
#               paper's "mixed precision"; PyTorch AMP with bf16/fp16 weights, DeepSpeed bf16)
#   mixed_fp32_grads  16-bit weights, gradients accumulated in fp32, fp32 master weights
#               (Megatron-LM's default with bf16: 18 bytes per parameter with Adam)
#   fp32        everything in fp32, no separate master copy
#   bf16        "pure" bf16: weights, gradients and optimizer states all bf16, no master copy
PRECISIONS = {
    "mixed": "16-bit weights and gradients, fp32 master weights",
    "mixed_fp32_grads": "16-bit weights, fp32 gradients, fp32 master weights",
    "fp32": "fp32 weights and gradients",
    "bf16": "pure bf16: weights, gradients and optimizer states in bf16",
}

# Optimizer states per parameter: how many, and bytes each when kept in fp32 (8-bit Adam's
# states are 1 byte whatever the precision).
OPTIMIZERS = {
    "adam": "Adam / AdamW (two states: momentum and variance)",
    "adam8bit": "8-bit Adam (bitsandbytes: two 1-byte states)",
    "sgd": "SGD with momentum (one state)",
}
_STATE_COUNT = {"adam": 2, "adam8bit": 2, "sgd": 1}
ZERO_STAGES = (0, 1, 2, 3)


@dataclass(frozen=True)
class StateBytesPerParam:
    """Bytes each parameter costs in training, split the way ZeRO shards them."""

    weights: int
    gradients: int
    optimizer: int  # optimizer states plus any fp32 master copy of the weights

    @property
    def total(self) -> int:
        return self.weights + self.gradients + self.optimizer


def bytes_per_dtype(name: str) -> int:
    try:
        return DTYPE_BYTES[name]
    except KeyError:
        allowed = ", ".join(DTYPE_BYTES)
        raise InputError("dtype", f"Unknown dtype {name!r}; use one of: {allowed}.") from None


def state_bytes_per_param(precision: str, optimizer: str) -> StateBytesPerParam:
    """Weights, gradients and optimizer bytes per parameter for a precision and optimizer.

    mixed + adam = 2 + 2 + 12 = 16 (ZeRO's K = 12: fp32 master 4, momentum 4, variance 4);
    mixed_fp32_grads + adam = 2 + 4 + 12 = 18 (Megatron); fp32 + adam = 4 + 4 + 8 = 16;
    mixed + adam8bit = 2 + 2 + 6 = 10; mixed + sgd = 2 + 2 + 8 = 12; bf16 + adam = 2 + 2 + 4 = 8.
    """
    if precision not in PRECISIONS:
        raise InputError("precision", f"Precision must be one of: {', '.join(PRECISIONS)}.")
    if optimizer not in OPTIMIZERS:
        raise InputError("optimizer", f"Optimizer must be one of: {', '.join(OPTIMIZERS)}.")
    count = _STATE_COUNT[optimizer]
    if optimizer == "adam8bit":
        state_each = 1
    elif precision == "bf16":
        state_each = 2
    else:
        state_each = 4
    states = count * state_each
    if precision == "fp32":
        return StateBytesPerParam(weights=4, gradients=4, optimizer=states)
    if precision == "bf16":
        return StateBytesPerParam(weights=2, gradients=2, optimizer=states)
    master = 4  # the fp32 copy of the weights the optimizer updates
    gradients = 4 if precision == "mixed_fp32_grads" else 2
    return StateBytesPerParam(weights=2, gradients=gradients, optimizer=master + states)


@dataclass(frozen=True)
class ModelStateBytes:
    """One GPU's share of weights, gradients and optimizer states, in bytes."""

    weights_bytes: int
    gradients_bytes: int
    optimizer_bytes: int

    @property
    def total_bytes(self) -> int:
        return self.weights_bytes + self.gradients_bytes + self.optimizer_bytes


def ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def zero_sharded_state_bytes(
    params: int, per_param: StateBytesPerParam, zero_stage: int, data_parallel_size: int
) -> ModelStateBytes:
    """Model-state bytes on one GPU when `params` parameters are trained with ZeRO `zero_stage`
    across `data_parallel_size` data-parallel GPUs (the most-loaded GPU: shards round up).

    Stage 0 keeps everything; 1 shards optimizer states; 2 also gradients; 3 (and FSDP full
    shard) also the weights. ZeRO Figure 1 (7.5B parameters, 64 GPUs, mixed Adam): 120, 31.4,
    16.6 and 1.9 GB.
    """
    if zero_stage not in ZERO_STAGES:
        raise InputError("zero", "ZeRO stage must be 0, 1, 2 or 3.")
    if data_parallel_size < 1:
        raise InputError("gpus", "The data-parallel size must be at least 1.")
    if params < 0:
        raise ValueError("params must not be negative")

    def share(bytes_each: int, sharded: bool) -> int:
        total = params * bytes_each
        return ceil_div(total, data_parallel_size) if sharded else total

    return ModelStateBytes(
        weights_bytes=share(per_param.weights, zero_stage >= 3),
        gradients_bytes=share(per_param.gradients, zero_stage >= 2),
        optimizer_bytes=share(per_param.optimizer, zero_stage >= 1),
    )


def to_gib(nbytes: int) -> float:
    return nbytes / GIB


def to_gb(nbytes: int) -> float:
    return nbytes / GB
