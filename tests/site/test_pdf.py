"""The whole site as one PDF (tools/pdf.py): pages, extractable Chinese text, rendered math."""

import re
import shutil
import subprocess
import unicodedata

import pypdf
import pytest

from tools.pdf import print_page_to_pdf

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("site")]


def has_chinese_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    return bool(subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout)


@pytest.fixture(scope="module")
def pdf(browser, site_url: str, tmp_path_factory) -> pypdf.PdfReader:
    if not has_chinese_font():
        pytest.skip("no Chinese font: apt-get install fonts-noto-cjk")
    out = print_page_to_pdf(browser, site_url, tmp_path_factory.mktemp("pdf") / "site.pdf")
    return pypdf.PdfReader(out)


def test_pdf_has_cover_contents_and_page_numbers(pdf: pypdf.PdfReader):
    texts = [unicodedata.normalize("NFKC", page.extract_text()) for page in pdf.pages]
    assert len(pdf.pages) >= 5
    assert "深度学习面试笔记" in texts[0]
    assert "目录" in texts[1]
    assert all(f"{number} / {len(pdf.pages)}" in text for number, text in enumerate(texts, 1))
    assert pdf.outline, "no bookmarks"


def test_pdf_text_is_chinese_and_math_is_rendered(pdf: pypdf.PdfReader):
    text = unicodedata.normalize("NFKC", "".join(page.extract_text() for page in pdf.pages))
    assert "非极大值抑制" in text
    assert not re.search(r"\\\(|\\\[|\\frac|\$\$", text), "raw TeX in the PDF"
    fonts = {
        str(font.get_object().get("/BaseFont"))
        for page in pdf.pages
        for font in page["/Resources"].get("/Font", {}).values()
    }
    assert any("KaTeX" in name for name in fonts), fonts
