"""The activation-memory engine, under the names this app and its tests have always imported.

The arithmetic lives in calculators/catalog/activation.py: the training planner counts memory with
the same functions, and one sibling app never imports another."""

from calculators.catalog.activation import (  # noqa: F401 (re-exported)
    ARCHES,
    ATTENTIONS,
    FP32,
    INT64,
    MAX_MICRO_BATCH,
    RECOMPUTES,
    ActivationResult,
    FitResult,
    Hardware,
    ParamCount,
    Scenario,
    StageNeed,
    Term,
    activations,
    chunks_in_flight,
    data_parallel_size,
    embedding_terms,
    fit,
    head_dim_of,
    kv_heads_of,
    largest_micro_batch,
    layer_terms,
    loss_working_bytes,
    output_terms,
    param_count,
    recompute_working_bytes,
    stage_needs,
    total,
    validate,
    warmup_forwards,
    worst,
)
