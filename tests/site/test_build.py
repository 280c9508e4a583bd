"""The strict build passes, and fails loudly on a broken link, snippet or formula."""

import re
import shutil
import subprocess
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


def test_figures_are_inline_svg_in_the_page_colour(built_site: Path):
    page = (built_site / "training/optimizers/index.html").read_text(encoding="utf-8")
    # The optional style gives a phone the figure's minimum readable width (tools/figure.py);
    # a figure of several panels holds them in one more <div>.
    figure = re.search(r'<div class="code-figure"([^>]*)><(?:svg|p|div) class="figure-', page)
    assert figure
    assert "data-search-exclude" in figure.group(1)
    assert "currentColor" in page


def test_notebook_page_shows_its_plots(built_site: Path):
    # Its three figures come from the kernel's inline backend; with another backend (the
    # tests set MPLBACKEND=Agg) cells would run and silently show nothing.
    page = (built_site / "mnist/numpy_mlp/index.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 3
    # each with the Chinese description its cell declares (hooks/notebook_alt.py)
    images = [tag for tag in re.findall(r"<img\s[^>]*>", page) if "data:image/png" in tag]
    alts = [re.search(r'\salt="([^"]*)"', tag).group(1) for tag in images]
    assert len(alts) == 3
    assert all(re.search(r"[\u4e00-\u9fff]", alt) for alt in alts), alts
    assert "No description" not in page


def test_notebook_contents_link_to_its_chinese_headings(built_site: Path):
    # hooks/notebook_anchors.py: mkdocs-jupyter alone gives Chinese headings id="" and
    # links its contents to #_1, #_2, ...
    page = (built_site / "mnist/numpy_mlp/index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="#([^"]+)" class="md-nav__link"', page))
    ids = set(re.findall(r'<h[1-6] id="([^"]+)"', page))
    assert "数据" in links
    assert links <= ids, links - ids


# One project holds every broken page: the build reports them all before it fails.
BROKEN_PAGES = {
    "link.md": ("# 标题\n\n[断链](missing.md)\n", "missing.md"),
    "anchor.md": ("# 标题\n\n[锚点](#no-such-anchor)\n", "no-such-anchor"),
    "formula.md": ("# 标题\n\n公式 $\\frac{1}{2$ 写错了。\n", "\\frac{1}{2"),
    # parses, but KaTeX has no blackboard digits: it would show a plain 1
    "blackboard.md": ("# 标题\n\n指示函数 $\\mathbb{1}[x > 0]$。\n", "\\mathbb{1}"),
}


@pytest.fixture(scope="module")
def broken_build(tmp_path_factory) -> subprocess.CompletedProcess:
    project = tmp_path_factory.mktemp("broken")
    pages = {name: text for name, (text, _) in BROKEN_PAGES.items()}
    return mkdocs_build(make_project(project, pages), project / "out")


@pytest.mark.parametrize("name", BROKEN_PAGES)
def test_strict_build_fails_loudly(broken_build, name: str):
    assert broken_build.returncode != 0
    # A warning or error names the page and its fault: on its own it fails a strict build.
    reports = re.split(r"^(?=WARNING|ERROR)", broken_build.stderr, flags=re.MULTILINE)
    message = BROKEN_PAGES[name][1]
    assert any(name in r and message in r for r in reports if r.startswith(("WARNING", "ERROR")))


def test_strict_build_fails_on_a_missing_snippet(tmp_path: Path):
    page = '# 标题\n\n```python\n--8<-- "snippets/no_such_file.py"\n```\n'
    result = mkdocs_build(make_project(tmp_path, {"index.md": page}), tmp_path / "out")
    assert result.returncode != 0
    assert "no_such_file.py" in result.stderr


def test_no_stray_site_files_in_docs():
    # mkdocs copies every non-Markdown file in docs/ to the site; keep docs/ to pages and assets.
    stray = [p for p in (ROOT / "docs").rglob("*.py")]
    assert stray == [], f"Python files belong in snippets/, not docs/: {stray}"
    assert shutil.which("node"), "Node.js is needed to check formulas at build time"
