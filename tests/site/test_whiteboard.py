"""面试手写版 and 完整实现, for every page tagged 手写代码, present and future.

The convention (CONTRIBUTING.md): a whiteboard section is a snippet section named
`whiteboard` or `whiteboard_<suffix>`, at most 25 non-blank lines of plain code that defines
the function(s) a candidate writes at the board. A page shows it in a `=== "面试手写版"` tab
directly followed by a `=== "完整实现"` tab. Its equivalence test: every function the section
defines is named, in the mirrored tests/<section>/test_<topic>.py, by a test function that
also names a function of the same snippet file outside its whiteboard sections.
"""

import ast
import builtins
import re
import symtable
from pathlib import Path

import pytest
from mkdocs.utils.meta import get_data

from conftest import pytest_markdown_docs_markdown_it
from hooks.whiteboard_list import (
    INCLUDE,
    functions,
    includes,
    is_whiteboard,
    line_count,
    snippet_sections,
)

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "docs").rglob("*.md"))
MAX_LINES = 25
BOARD, FULL = "面试手写版", "完整实现"
TAB = re.compile(r'^(?P<indent>[ \t]*)===\+?\s+"(?P<title>[^"]*)"')
PYTHON = re.compile(r"^\{?\.?(py|python|python3)\b")


def page_id(page: Path) -> str:
    return str(page.relative_to(ROOT / "docs"))


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip())


def tabs(markdown: str) -> list[dict]:
    """Every `=== "title"` tab: its title, indent, header line and the end of its body."""
    lines = markdown.split("\n")
    found = []
    for start, line in enumerate(lines):
        if match := TAB.match(line):
            indent, end = len(match["indent"]), start + 1
            for index in range(start + 1, len(lines)):
                if lines[index].strip() and indent_of(lines[index]) <= indent:
                    break
                if lines[index].strip():
                    end = index + 1
            found.append({"title": match["title"], "indent": indent, "start": start, "end": end})
    return found


def tab_order_errors(markdown: str) -> list[str]:
    """Each whiteboard include sits in a 面试手写版 tab whose next tab is 完整实现."""
    lines, all_tabs, errors = markdown.split("\n"), tabs(markdown), []
    for index, line in enumerate(lines):
        if not INCLUDE.match(line):
            continue
        around = [t for t in all_tabs if t["start"] < index < t["end"]]
        if not around or around[-1]["title"] != BOARD:
            errors.append(f"line {index + 1}: a whiteboard include outside a {BOARD} tab")
            continue
        board = around[-1]
        after = [t for t in all_tabs if t["start"] >= board["end"]]
        following = after[0] if after else None
        gap = lines[board["end"] : following["start"]] if following else []
        if not (
            following
            and following["title"] == FULL
            and following["indent"] == board["indent"]
            and not any(g.strip() for g in gap)
        ):
            errors.append(f"line {board['start'] + 1}: {BOARD} tab not followed by a {FULL} tab")
    return errors


def tab_code(markdown: str, tab: dict) -> str:
    """The Python a tab shows, includes expanded as the doc tests expand them."""
    lines = markdown.split("\n")[tab["start"] + 1 : tab["end"]]
    body = "\n".join(line[tab["indent"] + 4 :] for line in lines)
    tokens = pytest_markdown_docs_markdown_it().parse(body)
    fences = [t for t in tokens if t.type == "fence" and PYTHON.match(t.info.strip())]
    return "\n".join(t.content for t in fences)


def undefined_names(source: str) -> set[str]:
    """Global names the code uses but neither defines, imports nor gets from builtins."""
    table = symtable.symtable(source, "<tab>", "exec")
    defined = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
    known = defined | set(dir(builtins))
    missing, pending = set(), [table]
    while pending:
        scope = pending.pop()
        pending += scope.get_children()
        for symbol in scope.get_symbols():
            is_global = scope is table or symbol.is_global()
            if is_global and symbol.is_referenced() and symbol.get_name() not in known:
                missing.add(symbol.get_name())
    return missing


def equivalence_errors(section_lines: list[str], snippet_source: str, test_source: str) -> list:
    """Whiteboard functions that no test function names together with a full-version one."""
    board = {f.name for f in functions(section_lines)}
    full = {
        node.name
        for node in ast.parse(snippet_source).body
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name not in board
    }
    named_by_tests = []
    for node in ast.walk(ast.parse(test_source)):
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            names |= {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
            named_by_tests.append(names)
    return sorted(f for f in board if not any(f in n and n & full for n in named_by_tests))


# ---- the site --------------------------------------------------------------------------

TAGGED = [
    p for p in PAGES if "手写代码" in get_data(p.read_text(encoding="utf-8"))[1].get("tags", [])
]
SECTIONS = sorted(
    (path, name)
    for path in (ROOT / "snippets").rglob("*.py")
    for name in snippet_sections(path)
    if is_whiteboard(name)
)
SECTION_INCLUDE = re.compile(r'--8<--\s+"[^":]+:(?P<name>[\w-]+)"')


def full_tab_id(page: Path, tab: dict) -> str:
    lines = page.read_text(encoding="utf-8").split("\n")[tab["start"] : tab["end"]]
    names = [m["name"] for m in map(SECTION_INCLUDE.search, lines) if m and m["name"] != "imports"]
    return f"{page_id(page)}:{names[0] if names else tab['start'] + 1}"


FULL_TABS = [
    pytest.param(page, tab, id=full_tab_id(page, tab))
    for page in PAGES
    for tab in tabs(page.read_text(encoding="utf-8"))
    if tab["title"] == FULL
]


def section_id(section) -> str:
    path, name = section
    return f"{path.relative_to(ROOT / 'snippets')}:{name}"


def test_the_site_has_whiteboard_pages_and_sections():
    assert len(TAGGED) >= 10
    assert len(SECTIONS) >= 10


@pytest.mark.parametrize("page", TAGGED, ids=page_id)
def test_tagged_page_shows_a_whiteboard_version_before_the_full_one(page: Path):
    text = page.read_text(encoding="utf-8")
    found = [i for i in includes(text) if is_whiteboard(i["name"])]
    assert found, f"a page tagged 手写代码 includes no `whiteboard*` section ({BOARD})"
    assert tab_order_errors(text) == []


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_whiteboard_include_is_in_a_board_tab(page: Path):
    assert tab_order_errors(page.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("section", SECTIONS, ids=section_id)
def test_whiteboard_section_is_short_and_has_an_equivalence_test(section):
    path, name = section
    lines = snippet_sections(path)[name]
    assert line_count(lines) <= MAX_LINES, f"{line_count(lines)} non-blank lines"
    assert functions(lines), "a whiteboard section defines the function(s) to write"
    rel = path.relative_to(ROOT / "snippets")
    test_module = ROOT / "tests" / rel.parent / f"test_{rel.stem}.py"
    assert test_module.is_file(), f"no mirrored test module {test_module.relative_to(ROOT)}"
    snippet, tests = path.read_text(encoding="utf-8"), test_module.read_text(encoding="utf-8")
    missing = equivalence_errors(lines, snippet, tests)
    assert missing == [], f"no test compares {missing} with the full version"


@pytest.mark.parametrize("section", SECTIONS, ids=section_id)
def test_whiteboard_section_is_shown_on_a_page(section):
    path, name = section
    include = (str(path.relative_to(ROOT)), name)
    shown = {
        (i["path"], i["name"]) for page in PAGES for i in includes(page.read_text(encoding="utf-8"))
    }
    assert include in shown


@pytest.mark.parametrize(("page", "tab"), FULL_TABS)
def test_full_version_tab_runs_on_its_own(page: Path, tab: dict):
    """Copying the 完整实现 tab alone gives every helper it calls."""
    code = tab_code(page.read_text(encoding="utf-8"), tab)
    assert code.strip(), f"the {FULL} tab shows no Python"
    assert undefined_names(code) == set(), "names the tab uses but does not define"
    exec(compile(code, f"{page_id(page)}:{FULL}", "exec"), {"__name__": "full_version_tab"})


# ---- the checkers catch what they are meant to catch ------------------------------------

BOARD_TAB = '=== "面试手写版"\n\n    ```python\n    --8<-- "snippets/a.py:whiteboard"\n    ```\n\n'
FULL_TAB = '=== "完整实现"\n\n    ```python\n    --8<-- "snippets/a.py:full"\n    ```\n'


def test_tab_order_checker():
    assert tab_order_errors(BOARD_TAB + FULL_TAB) == []
    assert tab_order_errors(FULL_TAB + "\n" + BOARD_TAB)
    assert tab_order_errors(BOARD_TAB + "正文。\n\n" + FULL_TAB)  # not the same tab set
    assert tab_order_errors(BOARD_TAB)
    assert tab_order_errors('```python\n--8<-- "snippets/a.py:whiteboard_x"\n```\n')


def test_missing_helper_is_found():
    code = "import numpy as np\n\ndef f(x):\n    _check(x)\n    return np.abs(x) + len(x)\n"
    assert undefined_names(code) == {"_check"}
    assert undefined_names("def _check(x):\n    pass\n\n" + code) == set()
    assert undefined_names("y = z + 1\n") == {"z"}


def test_equivalence_rule():
    section = ["def add_whiteboard(a, b):", "    return a + b"]
    snippet = "\n".join(section) + "\n\ndef add(a, b):\n    return a + b\n"
    good = "def test_same():\n    assert add_whiteboard(1, 2) == add(1, 2)\n"
    apart = "def test_a():\n    add_whiteboard(1, 2)\n\ndef test_b():\n    add(1, 2)\n"
    assert equivalence_errors(section, snippet, good) == []
    assert equivalence_errors(section, snippet, apart) == ["add_whiteboard"]
    assert equivalence_errors(section, snippet, "def helper():\n    add_whiteboard(add)\n")
