"""WITHOUT_FRAMEWORKS=1 (make test-without-frameworks) really hides PyTorch and Keras, and a
test module that skips itself below its first test fails instead of hiding numpy tests."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import first_test_line

ROOT = Path(__file__).resolve().parents[2]
BLOCKED = {**os.environ, "WITHOUT_FRAMEWORKS": "1"}
TEST_MODULES = sorted((ROOT / "tests").rglob("test_*.py"))


def module_level_skips(path: Path) -> list[int]:
    """Lines of the module-level statements that call pytest.importorskip or pytest.skip."""
    return [
        node.lineno
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if not isinstance(node, ast.FunctionDef | ast.ClassDef)
        and any(
            isinstance(call, ast.Attribute) and call.attr in ("importorskip", "skip")
            for call in ast.walk(node)
        )
    ]


@pytest.mark.parametrize("path", TEST_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_level_skip_below_a_test(path):
    # The same rule as WITHOUT_FRAMEWORKS' collection check, read from the source, so it
    # holds on every `make test` even where the frameworks are installed.
    first = first_test_line(path)
    below = [line for line in module_level_skips(path) if first is not None and line > first]
    assert not below, f"module-level skip at line {below} hides the tests from line {first} on"


def test_the_frameworks_cannot_be_imported():
    code = (
        "import conftest\n"
        "for name in ('torch', 'torch.nn', 'keras', 'keras.layers'):\n"
        "    try:\n"
        "        __import__(name)\n"
        "    except ModuleNotFoundError as error:\n"
        "        assert error.name == name.split('.')[0], error\n"
        "    else:\n"
        "        raise SystemExit(f'{name} was imported')\n"
        "import numpy, scipy.stats, sklearn.metrics  # the numpy stack is untouched\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=BLOCKED, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


NUMPY_TESTS = """
import numpy as np
import pytest

def test_numpy_one():
    assert np.add(1, 1) == 2

def test_numpy_two():
    assert np.ones(2).sum() == 2
"""


def test_numpy_tests_are_not_hidden(pytester, monkeypatch):
    pytester.makeconftest((ROOT / "conftest.py").read_text(encoding="utf-8"))
    pytester.makepyfile(
        # the framework skip at module level, below the numpy tests: the module fails
        test_module_skip=NUMPY_TESTS + 'torch = pytest.importorskip("torch")\n',
        # each torch test skips alone: the numpy tests run
        test_skip_alone=NUMPY_TESTS + 'def test_t():\n    pytest.importorskip("torch")\n',
        # a test function that imports torch without importorskip fails, it is not skipped
        test_bare_import=NUMPY_TESTS + "def test_t():\n    import torch  # noqa: F401\n",
    )
    monkeypatch.setenv("WITHOUT_FRAMEWORKS", "1")
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:xdist", "--continue-on-collection-errors", "-rfEs"
    )
    result.assert_outcomes(passed=4, skipped=1, failed=1, errors=1)
    result.stdout.fnmatch_lines(["test_module_skip.py skips the whole module at line 9 (*"])
    result.stdout.fnmatch_lines(["FAILED test_bare_import.py::test_t - ModuleNotFoundError*"])
