"""The GPU ids each tool took before the one catalog gave every tool the same field, and the tools
that take a GPU, as the registry has them (what the GPU-id tests and test_gpu_catalog share)."""

from calculators.kit import registry
from calculators.kit.fields import CatalogGpuField

# Typed from each tool's form before issue 14 item 4 (git history: calculators/catalog/budget.py
# TRAINING_GPUS, activation_memory/forms.py GPU_IDS, training_plan/forms.py's planner_gpus()):
# links in the wild carry these, so each must still give the answer it gave.
OLD_IDS = {
    "gradient-accumulation": ("a100", "h100-sxm", "h100-pcie", "h200", "b200", "gb200", "rtx-4090"),
    "activation-memory": ("h100-80gb", "a100-80gb", "a100-40gb", "rtx-4090-24gb", "custom"),
    "training-plan": (
        "a100-40gb",
        "a100-80gb",
        "h100-sxm",
        "rtx-3060-12gb",
        "rtx-4060-ti-16gb",
        "rtx-3090-24gb",
        "rtx-4090-24gb",
        "rtx-a6000-48gb",
    ),
}


def gpu_tools() -> dict:
    """Every registered tool with a `gpu` parameter, by slug."""
    return {t.slug: t for t in registry.all_tools() if "gpu" in t.form_class.base_fields}


def catalog_gpu_fields() -> dict[str, CatalogGpuField]:
    return {slug: t.form_class.base_fields["gpu"] for slug, t in gpu_tools().items()}
