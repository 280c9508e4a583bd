"""The strict build passes, and fails loudly on a broken link, snippet or formula."""

import shutil
from pathlib import Path

import pytest

from .conftest import ROOT, make_project, mkdocs_build


def test_site_builds_with_katex_served_locally(built_site: Path):
    assert (built_site / "index.html").is_file()
    assert (built_site / "assets/katex/katex.min.js").is_file()
    assert list((built_site / "assets/katex/fonts").glob("KaTeX_Main-Regular.woff2"))
    page = (built_site / "detection/nms/index.html").read_text(encoding="utf-8")
    assert 'class="arithmatex" data-search-exclude' in page
    index = (built_site / "search/search_index.json").read_text(encoding="utf-8")
    assert "阈值" in index  # stored as UTF-8, not \\u escapes
    assert "\\u9608" not in index


FIGURE_PAGE = """# 标题

公式 $x^2$。

```python exec="on" html="1"
import matplotlib.pyplot as plt

from tools.figure import show

fig, ax = plt.subplots()
ax.plot([0, 1], [1, 0])
show(fig)
```
"""


def test_minimal_copy_of_the_site_builds_with_a_figure(tmp_path: Path):
    result = mkdocs_build(make_project(tmp_path, {"index.md": FIGURE_PAGE}), tmp_path / "out")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out/index.html").read_text(encoding="utf-8")
    assert '<div class="code-figure" data-search-exclude><svg' in page
    assert "currentColor" in page


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("# 标题\n\n[断链](missing.md)\n", "missing.md"),
        ("# 标题\n\n[锚点](#no-such-anchor)\n", "no-such-anchor"),
        ('# 标题\n\n```python\n--8<-- "snippets/no_such_file.py"\n```\n', "no_such_file.py"),
        ("# 标题\n\n公式 $\\frac{1}{2$ 写错了。\n", "KaTeX"),
    ],
    ids=["broken-link", "broken-anchor", "missing-snippet", "bad-formula"],
)
def test_strict_build_fails_loudly(tmp_path: Path, page: str, message: str):
    result = mkdocs_build(make_project(tmp_path, {"index.md": page}), tmp_path / "out")
    assert result.returncode != 0
    assert message in result.stderr


def test_no_stray_site_files_in_docs():
    # mkdocs copies every non-Markdown file in docs/ to the site; keep docs/ to pages and assets.
    stray = [p for p in (ROOT / "docs").rglob("*.py")]
    assert stray == [], f"Python files belong in snippets/, not docs/: {stray}"
    assert shutil.which("node"), "Node.js is needed to check formulas at build time"
