"""Every snippet file runs on its own: its `__main__` driver asserts what it demonstrates."""

import runpy
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = sorted((ROOT / "snippets").rglob("*.py"))


@pytest.mark.parametrize("path", SNIPPETS, ids=lambda p: str(p.relative_to(ROOT / "snippets")))
def test_snippet_runs_as_a_script(path: Path, monkeypatch, capsys):
    assert 'if __name__ == "__main__":' in path.read_text(encoding="utf-8"), "no driver"
    matplotlib.use("Agg")
    monkeypatch.chdir(path.parent)
    monkeypatch.syspath_prepend(str(path.parent))
    runpy.run_path(str(path), run_name="__main__")
