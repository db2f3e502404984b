"""The training planner's engine: pure Python, frozen dataclasses, no Django."""

from .inputs import (
    Cluster,
    Pins,
    Run,
    Shape,
    catalog_shape,
    cluster,
    custom_shape,
    planner_gpus,
    planner_models,
)
from .search import Plan, Result, plan

__all__ = [
    "Cluster",
    "Pins",
    "Plan",
    "Result",
    "Run",
    "Shape",
    "catalog_shape",
    "cluster",
    "custom_shape",
    "plan",
    "planner_gpus",
    "planner_models",
]
