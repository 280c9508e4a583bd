"""`make serve`: it watches every file a page is built from, and a rebuild after an edit
(mkdocs serve --dirty with hooks/live_reload.py) serves what a full build would."""

import json
import shutil
import subprocess
from pathlib import Path

from mkdocs.config import load_config

from hooks import live_reload
from tools.live_server import as_built, fetch, serving, wait_for_text

from .conftest import ROOT, make_project, mkdocs_build

PAGES = sorted(p for p in (ROOT / "docs").rglob("*") if p.suffix in {".md", ".ipynb"})


def test_serve_watches_every_file_a_page_is_built_from(monkeypatch):
    monkeypatch.chdir(ROOT)  # the search dictionary's path is relative to the working directory
    config = load_config(str(ROOT / "mkdocs.yml"))
    # What pages include and import, and what the config builds every page with: hooks,
    # templates (custom_dir), the glossary (auto_append), the search dictionary.
    bases, roots, memo = live_reload.snippet_bases(config), live_reload.import_roots(config), {}
    needed = live_reload.shared_dependencies(config)
    for page in PAGES:
        needed |= live_reload.dependencies(page, bases, roots, memo)
    watched = [Path(config.docs_dir), Path(config.config_file_path), *map(Path, config.watch)]
    unwatched = sorted(str(p) for p in needed if not any(p.is_relative_to(w) for w in watched))
    assert not unwatched, f"mkdocs.yml's watch: misses files pages are built from: {unwatched}"
    # The derivation found each kind of source, so an empty result above means something.
    kinds = {path.relative_to(ROOT).parts[0] for path in needed}
    assert kinds >= {"docs", "snippets", "includes", "hooks", "tools", "overrides", "mkdocs.yml"}


def test_includes_are_found_in_every_form():
    text = "\n".join(
        [
            '--8<-- "snippets/a.py:imports"',
            "  --8<-- 'includes/b.md'",
            ';--8<-- "snippets/escaped.py"',  # escaped: shown, not included
            "# --8<-- [start:section]",  # a section marker inside a snippet
            "--8<--",
            "snippets/c.py",
            ";snippets/escaped_too.py",
            "",
            "snippets/d.py:1:3",
            "--8<--",
        ]
    )
    assert live_reload.included_paths(text) == [
        "snippets/a.py:imports",
        "includes/b.md",
        "snippets/c.py",
        "snippets/d.py:1:3",
    ]


def test_dependencies_follow_includes_and_imports_transitively(tmp_path: Path):
    files = {
        "docs/page.md": (
            '```python\n--8<-- "snippets/shown/code.py:part"\n```\n\n'
            '```python exec="on" html="1"\nfrom tools.figure import show\n'
            "from drawing.plot import (\n    draw,\n)\n\nshow(draw())\n```\n"
        ),
        "snippets/shown/code.py": "import numpy as np\n",
        "snippets/drawing/plot.py": "from drawing.helpers import axes\n",
        "snippets/drawing/helpers.py": "from .style import COLOURS\n",
        "snippets/drawing/style.py": "COLOURS = []\n",
        "snippets/drawing/data/points.csv": "1,2\n",
        "snippets/unrelated/other.py": "X = 1\n",
        "tools/__init__.py": "",
        "tools/figure.py": "def show(figure): ...\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    found = live_reload.dependencies(
        tmp_path / "docs/page.md", [tmp_path], [tmp_path / "snippets", tmp_path], {}
    )
    assert {p.relative_to(tmp_path).as_posix() for p in found} == set(files) - {
        "snippets/unrelated/other.py"
    }


def test_a_missing_include_is_a_dependency_that_always_looks_new(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text('--8<-- "snippets/gone.py"\n', encoding="utf-8")
    found = live_reload.dependencies(page, [tmp_path], [tmp_path], {})
    assert max(map(live_reload.mtime, found)) == float("inf")


def test_merged_index_takes_rebuilt_pages_from_this_build_in_page_order():
    def entry(location: str, text: str) -> dict:
        return {"location": location, "title": location, "text": text}

    previous = {
        "config": {"lang": ["zh"]},
        "docs": [
            entry("", "home"),
            entry("a/", "old a"),
            entry("a/#x", "old a x"),
            entry("b/", "b"),
            entry("gone/", "deleted page"),
        ],
    }
    current = {"config": {"lang": ["zh"]}, "docs": [entry("new/", "new"), entry("a/", "new a")]}
    merged = live_reload.merged_index(previous, current, ["", "a/", "new/", "b/"], {"a/", "new/"})
    assert [(e["location"], e["text"]) for e in merged["docs"]] == [
        ("", "home"),
        ("a/", "new a"),
        ("new/", "new"),
        ("b/", "b"),
    ]


# A page that includes a snippet, one that does not, and the tags page that lists both
# (a page's tags link to it only when the build knows it). The test edits the snippet.
SNIPPET = '# --8<-- [start:shown]\nword = "{word}"\n# --8<-- [end:shown]\n'
LIVE_PAGES = {
    "uses.md": (
        "---\ntags:\n  - 片段\n---\n\n# 用到片段\n\n"
        '```python\n--8<-- "snippets/demo/word.py:shown"\n```\n'
    ),
    "other.md": "---\ntags:\n  - 其他\n---\n\n# 另一页\n\n没有片段。\n",
    "tags.md": "# 标签\n\n<!-- material/tags -->\n",
}


def test_an_edit_while_serving_shows_what_a_full_build_gives(tmp_path: Path):
    project = tmp_path / "project"
    project.mkdir()
    config = make_project(project, LIVE_PAGES)
    for linked in ("snippets", "hooks"):  # the test edits these: a copy, not the repository's
        (project / linked).unlink()
    shutil.copytree(ROOT / "hooks", project / "hooks", ignore=shutil.ignore_patterns("__pycache__"))
    snippet = project / "snippets" / "demo" / "word.py"
    snippet.parent.mkdir(parents=True)
    snippet.write_text(SNIPPET.format(word="before"), encoding="utf-8")
    questions_hook = project / "hooks" / "question_bank.py"
    # Committed, so that both builds date the pages from git, not from the clock.
    git = ["git", "-C", project, "-c", "user.name=test", "-c", "user.email=test@example.com"]
    for command in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "pages"]):
        subprocess.run([*git, *command], check=True)

    with serving(config, "--dirty", timeout=120) as url:
        assert "before" in fetch(url + "uses/")
        log_start = len((project / "serve.log").read_text(encoding="utf-8"))
        snippet.write_text(SNIPPET.format(word="after"), encoding="utf-8")
        wait_for_text(url + "uses/", "after", timeout=60)
        log = (project / "serve.log").read_text(encoding="utf-8")[log_start:]
        served = {p: as_built(fetch(url + p), url, config) for p in ("uses/", "other/", "tags/")}
        served_index = json.loads(fetch(url + "search/search_index.json"))

        # An edited hook runs in the next rebuild (which rebuilds every page).
        hook = questions_hook.read_text(encoding="utf-8")
        questions_hook.write_text(hook.replace("# 题库", "# 题库（已改）"), encoding="utf-8")
        wait_for_text(url + "questions/", "题库（已改）", timeout=60)
    questions_hook.write_text(hook, encoding="utf-8")

    # Only what the edit changed is rebuilt, with the tags page and the two pages hooks
    # generate every time.
    assert "Rebuilt 5 of 6 pages: glossary.md, questions.md, tags.md, uses.md, whiteboard.md" in log
    site = tmp_path / "full"
    build = mkdocs_build(config, site)
    assert build.returncode == 0, build.stderr[-3000:]
    for page, html in served.items():
        assert html == (site / page / "index.html").read_text(encoding="utf-8"), page
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert served_index == index
