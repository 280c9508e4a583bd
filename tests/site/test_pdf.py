"""The PDF pipeline (print page + tools/pdf.py) on a small copy of the site: cover, contents,
page numbers, bookmarks, extractable Chinese text, rendered math.

The full-site PDF (hundreds of pages, minutes to print) is made by CI as an artifact with
`make pdf`; this test checks the same pipeline in seconds.
"""

import re
import shutil
import subprocess
import unicodedata

import pypdf
import pytest

from tools.browser import serve
from tools.pdf import print_page_to_pdf

from .conftest import make_project, mkdocs_build

pytestmark = pytest.mark.browser

CHAPTER = """---
description: PDF 测试用的页面。
---

# 非极大值抑制

## 什么是交并比？

两个框的交并比定义为交集面积除以并集面积：

$$
\\operatorname{IoU}(A, B) = \\frac{|A \\cap B|}{|A \\cup B|}
$$

行内公式 $x^2 + y^2 = r^2$ 也要渲染。

```python
def area(box):
    return (box[2] - box[0]) * (box[3] - box[1])
```
"""


def has_chinese_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    return bool(subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout)


@pytest.fixture(scope="session")
def pdf_text(browser, tmp_path_factory) -> tuple[pypdf.PdfReader, list[str]]:
    if not has_chinese_font():
        pytest.skip("no Chinese font: apt-get install fonts-noto-cjk")
    project = tmp_path_factory.mktemp("pdf-project")
    pages = {"index.md": "---\ndescription: 首页。\n---\n\n# 首页\n\n简介。\n", "nms.md": CHAPTER}
    result = mkdocs_build(make_project(project, pages), project / "site", PRINT_SITE="true")
    assert result.returncode == 0, result.stderr
    with serve(project / "site") as url:
        out = print_page_to_pdf(browser, url, project / "site.pdf")
    reader = pypdf.PdfReader(out)
    return reader, [unicodedata.normalize("NFKC", page.extract_text()) for page in reader.pages]


def test_pdf_has_cover_contents_page_numbers_and_bookmarks(pdf_text):
    reader, texts = pdf_text
    assert len(texts) >= 3  # cover, contents, at least one page of content
    assert "深度学习面试笔记" in texts[0]
    assert "目录" in texts[1]
    assert all(f"{number} / {len(texts)}" in text for number, text in enumerate(texts, 1))
    assert any(item.title == "非极大值抑制" for item in reader.outline if hasattr(item, "title"))


def test_pdf_text_is_chinese_and_math_is_rendered(pdf_text):
    reader, texts = pdf_text
    text = "".join(texts)
    assert "交集面积除以并集面积" in text
    assert not re.search(r"\\\(|\\\[|\\frac|\\operatorname|\$", text), "raw TeX in the PDF"
    fonts = {
        str(font.get_object().get("/BaseFont"))
        for page in reader.pages
        for font in page["/Resources"].get("/Font", {}).values()
    }
    assert any("KaTeX" in name for name in fonts), fonts
