"""Unit tests of the build hooks that generate pages or rewrite HTML."""

import pytest

from hooks import glossary_page, question_bank, search_exclude


def test_questions_are_headings_ending_in_a_fullwidth_question_mark():
    page = "\n".join(
        [
            "# 页面标题？",  # h1 is the page title, not a question
            "## 为什么用 `ReLU`？",
            "## 参考",
            "```python",
            "## 代码里的注释？",
            "```",
            "### 什么是 [IoU](nms.md)？",
            "## 为什么用 `ReLU`？",  # duplicate heading: toc appends _1
        ]
    )
    assert question_bank.questions(page) == [
        ("为什么用 `ReLU`？", "为什么用-relu"),
        ("什么是 [IoU](nms.md)？", "什么是-iou"),
        ("为什么用 `ReLU`？", "为什么用-relu_1"),
    ]


def test_sections_follow_the_nav_order():
    nav = [
        {"首页": "index.md"},
        {"训练基础": [{"优化器": "training/optimizers.md"}, {"子节": [{"a": "training/a.md"}]}]},
        {"计算机视觉": [{"NMS": "detection/nms.md"}]},
    ]
    assert question_bank.sections(nav) == [
        ("训练基础", ["training/optimizers.md", "training/a.md"]),
        ("计算机视觉", ["detection/nms.md"]),
    ]


def test_glossary_entries_are_parsed_and_sorted():
    entries = glossary_page.entries()
    terms = [entry["term"] for entry in entries]
    assert terms == sorted(terms, key=str.lower)
    bn = next(entry for entry in entries if entry["term"] == "BN")
    assert bn == {"term": "BN", "english": "Batch Normalization", "chinese": "批归一化"}


def test_malformed_glossary_line_is_an_error(tmp_path, monkeypatch):
    source = tmp_path / "abbreviations.md"
    source.write_text("*[BN]: Batch Normalization 批归一化\n", encoding="utf-8")
    monkeypatch.setattr(glossary_page, "SOURCE", source)
    with pytest.raises(ValueError, match=r"abbreviations\.md:1"):
        glossary_page.entries()


def test_math_and_code_blocks_are_excluded_from_search():
    html = (
        '<p><span class="arithmatex">\\(x\\)</span></p><div class="arithmatex">\\[y\\]</div>'
        '<div class="highlight"><pre>x = 1</pre></div><p><code>x</code></p>'
    )
    out = search_exclude.on_page_content(html, None, None, None)
    assert out.count("data-search-exclude") == 3
    assert "<code>x</code>" in out  # inline code stays searchable
