"""The offline copy (OFFLINE=true build) works from file://, search included."""

from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser


def test_file_url_copy_searches(page, offline_site: Path):
    page.goto((offline_site / "index.html").as_uri())
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("非极大值抑制")
    box.press("End")
    result = page.locator(".md-search-result__item > a.md-search-result__link").first
    result.wait_for()
    assert urlparse(result.get_attribute("href")).path.endswith("/detection/nms.html")
    result.click()
    page.wait_for_url("**/detection/nms.html*")
    page.wait_for_function("document.querySelector('.arithmatex .katex') !== null")
