"""The offline copy (OFFLINE=true build) works from file://, search included.

Checked on a small copy of the site; CI builds the full offline copy as an artifact
(`make offline`).
"""

from urllib.parse import urlparse

import pytest

from .conftest import make_project, mkdocs_build

pytestmark = pytest.mark.browser

PAGES = {
    "index.md": "---\ndescription: 首页。\n---\n\n# 首页\n\n见[非极大值抑制](nms.md)。\n",
    "nms.md": "---\ndescription: NMS。\n---\n\n# 非极大值抑制\n\n交并比 $\\frac{a}{b}$ 过大。\n",
}


@pytest.fixture(scope="session")
def offline_site(tmp_path_factory):
    project = tmp_path_factory.mktemp("offline-project")
    result = mkdocs_build(make_project(project, PAGES), project / "site", OFFLINE="true")
    assert result.returncode == 0, result.stderr
    return project / "site"


def test_offline_build_has_no_remote_scripts(offline_site):
    page = (offline_site / "nms.html").read_text(encoding="utf-8")
    assert "unpkg.com" not in page
    assert '<script src="assets/iframe-worker/shim.js">' in page
    assert "navigation.instant" not in page
    assert (offline_site / "search/search_index.js").is_file()


def test_file_url_copy_searches(page, offline_site):
    page.goto((offline_site / "index.html").as_uri())
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("非极大值抑制")
    box.press("End")
    result = page.locator(".md-search-result__item > a.md-search-result__link").first
    result.wait_for()
    assert urlparse(result.get_attribute("href")).path.endswith("/nms.html")
    result.click()
    page.wait_for_url("**/nms.html*")
    page.wait_for_function("document.querySelector('.arithmatex .katex') !== null")
