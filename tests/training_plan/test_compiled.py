"""The planner engine's compiled build (training_plan/engine/compiled.py): used only when built
from exactly the sources, and answering exactly as they do."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from training_plan import engine
from training_plan.engine import compiled

from .engine_answers import answers

ROOT = compiled.HERE.parents[1]


@pytest.fixture
def tree(tmp_path):
    """Copies of the sources, and a build directory stamped as built from them."""
    sources = tmp_path / "sources"
    sources.mkdir()
    for name in compiled.MODULES:
        shutil.copy(compiled.HERE / f"{name}.py", sources)
    build = tmp_path / "build"
    package = compiled.package_dir(build)
    package.mkdir(parents=True)
    (package / compiled.STAMP).write_text(json.dumps(compiled.stamp(sources)))
    return sources, build, package


def test_a_build_of_exactly_these_sources_is_used(tree, monkeypatch):
    monkeypatch.delenv("GRADACC_INTERPRETED", raising=False)
    sources, build, package = tree
    assert compiled.current_build(sources, build) == package


def test_a_build_from_other_sources_or_another_python_is_not(tree, monkeypatch):
    monkeypatch.delenv("GRADACC_INTERPRETED", raising=False)
    sources, build, package = tree
    edited = sources / "search.py"
    edited.write_text(edited.read_text() + "\n# an edit after the build\n")
    assert compiled.current_build(sources, build) is None
    edited.write_text((compiled.HERE / "search.py").read_text())
    stamp = json.loads((package / compiled.STAMP).read_text())
    (package / compiled.STAMP).write_text(json.dumps({**stamp, "python": "cpython-30"}))
    assert compiled.current_build(sources, build) is None


def test_an_unfinished_build_or_none_at_all_is_not_used(tree, monkeypatch):
    monkeypatch.delenv("GRADACC_INTERPRETED", raising=False)
    sources, build, package = tree
    (package / compiled.STAMP).write_text('{"python": ')  # cut short
    assert compiled.current_build(sources, build) is None
    (package / compiled.STAMP).unlink()
    assert compiled.current_build(sources, build) is None


def test_gradacc_interpreted_runs_the_sources(tree, monkeypatch):
    sources, build, _ = tree
    monkeypatch.setenv("GRADACC_INTERPRETED", "1")
    assert compiled.current_build(sources, build) is None


def test_the_modules_in_use_are_the_build_when_it_is_current():
    build = compiled.current_build()
    for name in compiled.MODULES:
        module = sys.modules[f"{engine.__name__}.{name}"]
        if build is None:
            assert module.__file__ == str(compiled.HERE / f"{name}.py")
        else:
            assert module.__file__.startswith(str(build)), module.__file__
            assert module.__file__.endswith(".so"), module.__file__


@pytest.mark.skipif(compiled.current_build() is None, reason="no current compiled build")
def test_the_build_answers_exactly_as_the_sources():
    """Every plan's every figure (repr: floats to the last digit), the layouts screened, what
    each plan loses against the first, and the refusals, on the same scenarios."""
    interpreted = subprocess.run(
        [sys.executable, "-m", "tests.training_plan.engine_answers"],
        cwd=ROOT,
        env={**os.environ, "GRADACC_INTERPRETED": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    expected = json.loads(interpreted.stdout)
    got = answers()
    assert len(got) == len(expected) == 70
    for mine, theirs in zip(got, expected, strict=True):
        assert mine == theirs
