"""Every page has a description (link previews, search engines) in its front matter."""

from pathlib import Path

import pytest
from mkdocs.utils.meta import get_data

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "docs").rglob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT / "docs")))
def test_page_has_a_description(page: Path):
    _, meta = get_data(page.read_text(encoding="utf-8"))
    description = meta.get("description", "")
    assert 10 <= len(description) <= 150, "front matter needs `description:` (10–150 chars)"
