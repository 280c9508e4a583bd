"""Chinese/English spacing and punctuation in docs/, checked by autocorrect."""

from pathlib import Path

import autocorrect_py
import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "docs").rglob("*.md"))
autocorrect_py.load_config((ROOT / ".autocorrectrc").read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT / "docs")))
def test_copywriting(page: Path):
    result = autocorrect_py.lint_for(page.read_text(encoding="utf-8"), str(page))
    problems = [f"line {r.line}: {r.old.strip()!r} -> {r.new.strip()!r}" for r in result.lines]
    assert not problems, "\n".join(problems)
