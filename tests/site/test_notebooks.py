"""Notebooks read like the other pages: committed without outputs, Chinese headings, and
code a reader can run with what the snippets need (standard library, numpy, matplotlib)."""

import ast
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "docs").rglob("*.ipynb"))
SNIPPET_PACKAGES = {p.name for p in (ROOT / "snippets").iterdir() if p.is_dir()}
ALLOWED = {"numpy", "matplotlib"} | SNIPPET_PACKAGES | set(sys.stdlib_module_names)
ids = [str(p.relative_to(ROOT / "docs")) for p in NOTEBOOKS]


def cells(notebook: Path, kind: str) -> list[str]:
    data = json.loads(notebook.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in data["cells"] if c["cell_type"] == kind]


def test_there_is_a_notebook():
    assert NOTEBOOKS


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids)
def test_committed_without_outputs(notebook: Path):
    data = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in data["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == []
            assert cell["execution_count"] is None


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids)
def test_headings_are_chinese(notebook: Path):
    headings = [line for text in cells(notebook, "markdown") for line in text.splitlines()]
    headings = [line for line in headings if line.startswith("#")]
    assert headings
    assert all(re.search(r"[\u4e00-\u9fff]", h) for h in headings), headings


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids)
def test_imports_only_what_a_reader_has(notebook: Path):
    imported = set()
    for source in cells(notebook, "code"):
        # IPython magics (%matplotlib inline) are not Python
        code = "\n".join(line for line in source.splitlines() if not line.startswith("%"))
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module.split(".")[0])
    assert imported <= ALLOWED, imported - ALLOWED
