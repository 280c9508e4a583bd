"""Pages talk to the candidate, not about the test suite. What the code was checked against is
said once, in a `!!! success "验证"` admonition right before `## 参考`.

A page mentions the test suite when its text outside code fences and outside that admonition
contains 测试中, 测试里, 单元测试, 测试用例, a path under tests/ or pytest.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "docs").rglob("*.md"))
MENTION = re.compile(
    r"测试中|测试里|测试把|测试对|测试用 (?:PyTorch|hypothesis)|单元测试|测试用例"
    r"|\btests/|\bpytest\b"
)
VERIFY = re.compile(r'^(!!!|\?\?\?\+?)\s+\w+\s+"验证"\s*$')
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def prose_and_verification(markdown: str) -> tuple[list[tuple[int, str]], list[list[str]]]:
    """(line number, text) of the lines outside fences and 验证 blocks; each 验证 block's lines
    together with the first line after it."""
    lines = markdown.split("\n")
    prose, blocks, fence, block = [], [], None, None
    for number, line in enumerate(lines, 1):
        if block is not None:
            if not line.strip() or line.startswith((" ", "\t")):
                block.append(line)
                continue
            block.append(line)  # the first line after the block
            block = None
        match = FENCE.match(line)
        if match and (fence is None or match.group(1).startswith(fence)):
            fence = None if fence else match.group(1)
        elif fence is None and VERIFY.match(line):
            block = [line]
            blocks.append(block)
        elif fence is None:
            prose.append((number, line))
    return prose, blocks


def page_id(page: Path) -> str:
    return str(page.relative_to(ROOT / "docs"))


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_page_talks_to_the_candidate(page: Path):
    prose, blocks = prose_and_verification(page.read_text(encoding="utf-8"))
    mentions = [f"line {n}: {line.strip()[:80]}" for n, line in prose if MENTION.search(line)]
    assert mentions == [], "the test suite belongs in the page's one 验证 line"
    assert len(blocks) <= 1, "one 验证 admonition per page"
    for block in blocks:
        after = [line for line in block[1:] if line.strip() and not line.startswith((" ", "\t"))]
        assert after[:1] in ([], ["## 参考"]), "the 验证 admonition comes right before ## 参考"


def test_mentions_and_verification_blocks_are_found():
    page = (
        "正文。测试里用 PyTorch 核对过。\n\n```python\n# 测试中\n```\n\n"
        '!!! success "验证"\n    本页代码已与 PyTorch 逐项比对，见 `tests/a/test_b.py`。\n\n'
        "## 参考\n"
    )
    prose, blocks = prose_and_verification(page)
    assert [n for n, line in prose if MENTION.search(line)] == [1]
    [block] = blocks
    assert "tests/" in block[1]
    assert block[-1] == "## 参考"
