"""The layout rule of ARCHITECTURE.md, read from the source: no tool imports another tool; the
kit and the catalog import no tool. What several tools share lives in calculators/catalog/."""

import ast
from pathlib import Path

import pytest

from calculators.kit import registry

ROOT = Path(__file__).resolve().parents[2]
# A tool is the Django app that serves it. The flagship's app is `calculators`, whose kit and
# catalog are shared by every tool and so belong to none; share_images serves every tool too.
SHARED = ("calculators.kit", "calculators.catalog", "share_images")
TOOL_APPS = {tool.form_class.__module__.split(".")[0] for tool in registry.all_tools()}


def owner(module: str) -> str | None:
    """The tool a module belongs to, or None for shared code (and for anything outside)."""
    top = module.split(".")[0]
    if module == top == "calculators" or module.startswith(SHARED) or top not in TOOL_APPS:
        return None
    return top


def imports(path: Path) -> set[str]:
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = module.split(".")[: -node.level] if node.level else []
            name = ".".join([*base, node.module or ""]).strip(".")
            found.add(name)
            found |= {f"{name}.{alias.name}" for alias in node.names}
    return found


SOURCES = [p for top in sorted(TOOL_APPS | {"share_images"}) for p in (ROOT / top).rglob("*.py")]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_tool_imports_another_and_the_shared_code_imports_no_tool(path):
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    mine = owner(module)
    for name in imports(path):
        theirs = owner(name)
        assert theirs is None or theirs == mine, f"{module} imports {name} (of {theirs})"
