"""Which copy of the engine's hot modules Python imports: their compiled build, or these sources.

The search screens a few hundred layouts per request in loops of float arithmetic, which the
interpreter runs at several hundred machine instructions a line. `deploy/compile_engine.py`
(run by `make run`, `make test`, `make bench` and the Docker build) compiles the modules in
MODULES with mypyc, from these same typed sources, into build/compiled/; that build answers the
same, faster (README, "Performance"). It is used only when it was built from exactly the sources
beside this file, by this Python: a build left over from an edit is ignored, never run in their
place. GRADACC_INTERPRETED=1 runs the sources even when a current build exists (the tests
compare the two). This module is never compiled itself: it decides.
"""

import hashlib
import json
import os
import sys
from pathlib import Path

MODULES = ("inputs", "memory", "search", "timing")
HERE = Path(__file__).resolve().parent
BUILD = HERE.parents[1] / "build" / "compiled"  # the package tree mypyc builds under it
STAMP = "sources.json"  # beside the compiled modules: what they were built from


def package_dir(build: Path = BUILD) -> Path:
    return build / "training_plan" / "engine"


def stamp(sources: Path = HERE) -> dict:
    """What a build records, and what a current build must match: the Python it is for and the
    SHA-256 of every source it compiles."""
    return {
        "python": sys.implementation.cache_tag,
        "sources": {
            name: hashlib.sha256((sources / f"{name}.py").read_bytes()).hexdigest()
            for name in MODULES
        },
    }


def current_build(sources: Path = HERE, build: Path = BUILD) -> Path | None:
    """The directory of a compiled build of exactly these sources, or None."""
    if os.environ.get("GRADACC_INTERPRETED"):
        return None
    found = package_dir(build)
    try:
        built = json.loads((found / STAMP).read_text())
    except (OSError, ValueError):
        return None  # never built, or a build that did not finish
    return found if built == stamp(sources) else None
