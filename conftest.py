"""Doc tests: make pytest-markdown-docs run exactly the code a reader sees on the site.

Two gaps of the plugin are closed here: fences indented under `!!!`, `???` and `===`
are made visible to its parser, and `--8<--` include lines are expanded by
pymdownx.snippets with the options of mkdocs.yml.

With WITHOUT_FRAMEWORKS=1 the tests run as on a machine without PyTorch and Keras (see
`make test-without-frameworks`): importing them fails, and a test module that skips
itself for a missing framework below its first test fails instead of hiding those tests.

Also `pytest --area detection` (what `make check AREA=detection` runs): of the tests that
take a page or a snippet as a parameter, only those of that chapter.
"""

import ast
import functools
import os
import re
import sys
from pathlib import Path

import markdown
import pytest
from markdown_it import MarkdownIt
from mkdocs.config import load_config
from pytest_markdown_docs.plugin import MarkdownDocstringCodeModule

pytest_plugins = ["pytester"]  # tests/site/test_without_frameworks.py runs pytest on a module

ROOT = Path(__file__).resolve().parent
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})")

os.environ.setdefault("MPLBACKEND", "Agg")
# Frameworks in requirements-frameworks.txt: code needing them skips where they are missing.
OPTIONAL_FRAMEWORKS = {"torch", "keras"}
WITHOUT_FRAMEWORKS = os.environ.get("WITHOUT_FRAMEWORKS", "") not in ("", "0")


class BlockFrameworks:
    """A meta path finder that makes the optional frameworks unimportable, as if uninstalled.
    (None in sys.modules would do too, but libraries such as scipy's array-api-compat read
    sys.modules["torch"] and expect a module there.)"""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        if fullname.partition(".")[0] in OPTIONAL_FRAMEWORKS:
            message = f"No module named {fullname!r} (blocked by WITHOUT_FRAMEWORKS)"
            raise ModuleNotFoundError(message, name=fullname.partition(".")[0])
        return None


if WITHOUT_FRAMEWORKS:
    if loaded := {m.partition(".")[0] for m in sys.modules} & OPTIONAL_FRAMEWORKS:
        raise RuntimeError(f"WITHOUT_FRAMEWORKS=1, but {sorted(loaded)} already imported")
    sys.meta_path.insert(0, BlockFrameworks())


def dedent_fences(text: str) -> str:
    """Move every fence (and its body) to column 0, keeping the line count."""
    lines = text.split("\n")
    fence = indent = None
    for i, line in enumerate(lines):
        if fence is None:
            match = FENCE.match(line)
            if match:
                fence, indent = match.group("fence"), len(match.group("indent"))
                lines[i] = line[indent:]
            continue
        body = line[:indent] if line[:indent].strip() == "" else ""
        lines[i] = line[len(body) :]
        stripped = lines[i].strip()
        if stripped.startswith(fence) and set(stripped) == {fence[0]}:
            fence = None
    return "\n".join(lines)


@functools.cache
def snippet_preprocessor():
    """pymdownx.snippets configured exactly as for the site build."""
    options = load_config(str(ROOT / "mkdocs.yml")).mdx_configs["pymdownx.snippets"]
    options = {**options, "auto_append": []}  # the glossary belongs to pages, not fences
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"], extension_configs={"pymdownx.snippets": options}
    )
    return md.preprocessors["snippet"]


def is_build_time_fence(token) -> bool:
    """A markdown-exec fence (`exec="on"`): self-contained code that draws a figure."""
    return token.type == "fence" and "exec=" in token.info


class SiteMarkdownIt(MarkdownIt):
    def parse(self, src, env=None):
        tokens = super().parse(dedent_fences(src), env)
        for token in tokens:
            if token.type == "fence" and "--8<--" in token.content:
                lines = snippet_preprocessor().run(token.content.split("\n"))
                token.content = "\n".join(lines)
        # Build-time fences go last, so they do not break a page's `continuation` chain.
        return sorted(tokens, key=is_build_time_fence)


def pytest_markdown_docs_markdown_it():
    return SiteMarkdownIt(config="commonmark")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A page fence or snippet driver that imports a missing optional framework is skipped.
    A test function must say so itself (pytest.importorskip): here it fails."""
    try:
        return (yield)
    except ModuleNotFoundError as error:
        is_test_function = isinstance(item, pytest.Function)
        if error.name in OPTIONAL_FRAMEWORKS and (
            not is_test_function or item.originalname == "test_snippet_runs_as_a_script"
        ):
            pytest.skip(f"{error.name} is not installed (see requirements-frameworks.txt)")
        raise


def first_test_line(path: Path) -> int | None:
    """Line of the first test function or class of a test module."""
    lines = [
        node.lineno
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.FunctionDef | ast.ClassDef)
        and node.name.startswith(("test", "Test"))
    ]
    return min(lines, default=None)


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    """Without frameworks: a module skipped below its first test hides the tests above."""
    report = yield
    if WITHOUT_FRAMEWORKS and report.skipped and isinstance(collector, pytest.Module):
        _, skip_line, reason = report.longrepr
        first = first_test_line(collector.path)
        if first is not None and skip_line > first:
            report.outcome = "failed"
            report.longrepr = (
                f"{collector.path.name} skips the whole module at line {skip_line} "
                f"({reason}), below its first test at line {first}: those tests vanish "
                "without the framework. Skip inside the tests that need it instead."
            )
    return report


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    """Code fences live in docs/*.md. pytest-markdown-docs would also search every .py
    file's docstrings, importing each test module a second time under another name."""
    collectors = yield
    return [c for c in collectors if not isinstance(c, MarkdownDocstringCodeModule)]


def pytest_addoption(parser):
    parser.addoption(
        "--area",
        metavar="CHAPTER",
        help="of the tests that take a page or snippet as a parameter, run those of "
        "docs/CHAPTER/ and snippets/CHAPTER/ only; browser tests that take none are "
        "site-wide and do not run",
    )


def areas_named(item) -> set[str]:
    """The chapters of the pages and snippets an item takes as parameters ("" for a page
    at the top of docs/, such as index.md)."""
    areas = set()
    callspec = getattr(item, "callspec", None)
    for value in callspec.params.values() if callspec else ():
        if isinstance(value, Path):
            tops = [ROOT / top for top in ("docs", "snippets") if value.is_relative_to(ROOT / top)]
            value = value.relative_to(tops[0]).as_posix() if tops else None
        elif not (isinstance(value, str) and value.endswith((".md", ".ipynb", ".py"))):
            value = None  # not a page: docs/-relative like "detection/nms.md" (or a snippet)
        if value is not None:
            areas.add(value.split("/")[0] if "/" in value else "")
    return areas


def pytest_collection_modifyitems(config, items):
    area = config.getoption("area")
    if not area:
        return
    if not (ROOT / "docs" / area).is_dir():
        chapters = sorted(p.name for p in (ROOT / "docs").iterdir() if p.is_dir())
        raise pytest.UsageError(f"--area {area}: no docs/{area}/; chapters: {chapters}")
    selected, deselected = [], []
    for item in items:
        areas = areas_named(item)
        wanted = area in areas if areas else not item.get_closest_marker("browser")
        (selected if wanted else deselected).append(item)
    config.hook.pytest_deselected(items=deselected)
    items[:] = selected
