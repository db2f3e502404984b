"""The training planner's engine: typed Python, no Django. Its inputs are frozen dataclasses
(Shape, Cluster, Run, Pins), its results named tuples (Plan and its parts).

A compiled build of its hot modules, when one matches these sources, is imported in their
place (compiled.py says when and why).
"""

from .compiled import current_build

if (_build := current_build()) is not None:
    __path__.insert(0, str(_build))  # the package's submodules are looked up there first

from .inputs import (  # noqa: E402 (after choosing where submodules are found)
    Cluster,
    Pins,
    Run,
    Shape,
    catalog_shape,
    cluster,
    custom_shape,
    missing_figures,
    planner_gpus,
    planner_models,
)
from .search import Plan, Result, plan  # noqa: E402

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
    "missing_figures",
    "plan",
    "planner_gpus",
    "planner_models",
]
