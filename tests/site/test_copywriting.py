"""Chinese/English spacing and punctuation in docs/, checked by autocorrect."""

from pathlib import Path

import pytest

from tools.copywriting import main, problems

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "docs").rglob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT / "docs")))
def test_copywriting(page: Path):
    found = problems(page)
    assert not found, "\n".join(found)


def test_the_hook_names_each_problem_and_fails(tmp_path: Path, capsys):
    page = tmp_path / "page.md"
    page.write_text("用numpy实现NMS。\n", encoding="utf-8")
    assert main([str(page)]) == 1
    assert capsys.readouterr().out.startswith(f"{page}: line 1: ")
    page.write_text("用 numpy 实现 NMS。\n", encoding="utf-8")
    assert main([str(page)]) == 0
    assert capsys.readouterr().out == ""
