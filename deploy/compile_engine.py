"""Compile the training planner's hot modules with mypyc into build/compiled/.

    .venv/bin/python deploy/compile_engine.py

Nothing to do when the build there is current (training_plan/engine/compiled.py says when the
site uses it). Needs mypy (requirements-build.txt, which `make` installs) and a C compiler with
Python's headers. Without a compiler or the headers it says so and builds nothing: the site
runs the same modules interpreted, only slower. Any other failure (a type error) fails.

mypyc compiles ordinary typed Python: the modules stay the source of truth, runnable as they are
(the tests run both ways and compare the answers). It type-checks them first; an error fails the
build. Their imports outside the engine (the catalog, Django-free helpers) stay interpreted.
"""

import json
import os
import shutil
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from training_plan.engine import compiled  # noqa: E402


def missing_toolchain() -> str | None:
    """What stops a C extension from being built here, if anything."""
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler}; on Debian: apt-get install gcc)"
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not headers.exists():
        return f"no Python headers ({headers}; on Debian: apt-get install python3-dev)"
    return None


def main() -> int:
    target = compiled.package_dir()
    if compiled.current_build() is not None:
        return 0
    if os.environ.get("GRADACC_INTERPRETED"):
        print("GRADACC_INTERPRETED is set: the engine runs interpreted; not compiling.")
        return 0
    if missing := missing_toolchain():
        print(f"Not compiling the planner engine: {missing}. It runs interpreted, slower.")
        return 0
    from mypyc.build import mypycify
    from setuptools import Distribution

    os.chdir(ROOT)  # mypyc names modules after their paths from here
    shutil.rmtree(compiled.BUILD, ignore_errors=True)
    work = compiled.BUILD.parent / "mypyc"
    sources = [f"training_plan/engine/{name}.py" for name in compiled.MODULES]
    extensions = mypycify(
        # Modules outside the engine are read for their types but neither compiled nor
        # reported on; a missing stub is not an error.
        ["--follow-imports=silent", "--ignore-missing-imports", *sources],
        opt_level="3",
        # The shared library of the four modules lives inside the package, next to them.
        group_name="training_plan.engine.native",
        target_dir=str(work / "c"),
    )
    dist = Distribution({"ext_modules": extensions})
    build = dist.get_command_obj("build_ext")
    build.build_lib = str(compiled.BUILD)
    build.build_temp = str(work / "objects")
    dist.run_command("build_ext")
    # Written last: a build that stopped half-way has no stamp and is never used.
    (target / compiled.STAMP).write_text(json.dumps(compiled.stamp(), indent=1) + "\n")
    print(f"compiled {', '.join(compiled.MODULES)} into {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
