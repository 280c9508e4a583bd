"""Every Python fence in docs/ is either run by the doc tests or explicitly marked `notest`."""

import re
from pathlib import Path

import pytest
from pytest_markdown_docs.plugin import parse_superfences_block_info

from conftest import dedent_fences, pytest_markdown_docs_markdown_it

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "docs").rglob("*.md"))
# Any fence opening whose language looks like Python, at any indentation.
PYTHON_FENCE = re.compile(
    r"^[ \t]*(`{3,}|~{3,})\s*(\{[^}]*\.)?(py|python|python3)\b", re.IGNORECASE
)
RUN = {"py", "python", "python3"}


def python_fences(text: str) -> list:
    tokens = pytest_markdown_docs_markdown_it().parse(text)
    return [
        (token, parse_superfences_block_info(token.info))
        for token in tokens
        if token.type == "fence" and PYTHON_FENCE.match("```" + token.info)
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT / "docs")))
def test_every_python_fence_is_run_or_marked(page: Path):
    text = page.read_text(encoding="utf-8")
    fences = python_fences(text)
    # The raw line scan sees every fence; the parser must see the same number.
    opening_lines = [line for line in dedent_fences(text).split("\n") if PYTHON_FENCE.match(line)]
    assert len(fences) == len(opening_lines), "a Python fence is hidden from the doc tests"
    for token, info in fences:
        line = token.map[0] + 1
        assert info[0] in RUN or "notest" in info, f"line {line}: unknown language {info[0]!r}"
        assert "--8<--" not in token.content, f"line {line}: include not expanded"


def test_include_expands_to_the_snippet_text():
    page = '```python\n--8<-- "snippets/detection/nms.py:nms"\n```\n'
    [(token, _)] = python_fences(page)
    assert token.content.startswith("def nms(")
    assert "[start:nms]" not in token.content


def test_fences_in_admonitions_and_tabs_are_found():
    page = (
        "!!! note\n    ```python\n    x = 1\n    ```\n\n"
        '=== "甲"\n\n    ```{.python notest}\n    y = 2\n    ```\n'
    )
    fences = python_fences(page)
    assert [token.content for token, _ in fences] == ["x = 1\n", "y = 2\n"]
    assert "notest" in fences[1][1]


def test_figure_fence_does_not_break_a_continuation_chain():
    page = (
        "```python\nx = 1\n```\n\n"
        '```python exec="on" html="1"\nprint("<p>figure</p>")\n```\n\n'
        "```{.python continuation}\nassert x == 1\n```\n"
    )
    from pytest_markdown_docs.plugin import FenceSyntax, extract_fence_tests

    tests = list(
        extract_fence_tests(
            pytest_markdown_docs_markdown_it(),
            page,
            start_line_offset=0,
            source_path=Path("page.md"),
            fence_syntax=FenceSyntax.superfences,
        )
    )
    chained = next(test for test in tests if "assert x == 1" in test.source)
    assert "x = 1" in chained.source
    assert "figure" not in chained.source
