"""Unit tests of the build hooks that generate pages or rewrite HTML."""

import json
import logging
import re
import sys
from collections import Counter
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError
from mkdocs.structure.toc import get_toc
from pymdownx.slugs import slugify

from hooks import (
    exec_cache,
    glossary_page,
    katex_check,
    notebook_alt,
    notebook_anchors,
    question_bank,
    search_exclude,
    whiteboard_list,
)


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


SNIPPET = """import numpy as np

# --8<-- [start:whiteboard]
def relu_whiteboard(x):
    \"\"\"ReLU 的前向。

    More text.\"\"\"

    return np.maximum(x, 0)
# --8<-- [end:whiteboard]

# --8<-- [start:whiteboard_pair]
# 写出 | 两个函数
def f(a, b=1):
    return a
def g(*xs):
    return xs
# --8<-- [end:whiteboard_pair]

# --8<-- [start:full]
def relu(x):
    return np.maximum(x, 0)
# --8<-- [end:full]
"""


def test_whiteboard_sections_give_their_task_and_line_count(tmp_path):
    path = tmp_path / "a.py"
    path.write_text(SNIPPET, encoding="utf-8")
    found = whiteboard_list.snippet_sections(path)
    assert list(found) == ["whiteboard", "whiteboard_pair", "full"]
    assert [whiteboard_list.is_whiteboard(name) for name in found] == [True, True, False]
    board = found["whiteboard"]
    assert whiteboard_list.line_count(board) == 4
    assert whiteboard_list.statement(board) == "ReLU 的前向。"
    assert whiteboard_list.statement(found["whiteboard_pair"]) == "写出 | 两个函数"
    assert [
        whiteboard_list.signature(f) for f in whiteboard_list.functions(found["whiteboard_pair"])
    ] == [
        "f(a, b=1)",
        "g(*xs)",
    ]


def test_whiteboard_list_links_to_the_heading_above(tmp_path, monkeypatch):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "a.py").write_text(SNIPPET, encoding="utf-8")
    monkeypatch.setattr(whiteboard_list, "ROOT", tmp_path)
    page = "\n".join(
        [
            "# 激活函数",
            "## 怎样写 `ReLU`？",
            '=== "面试手写版"',
            "    ```python",
            '    --8<-- "s/a.py:whiteboard"',
            '    --8<-- "s/a.py:whiteboard"',
            "    ```",
            "## 两个函数",
            '--8<-- "s/a.py:whiteboard_pair"',
            '--8<-- "s/a.py:full"',
        ]
    )
    assert whiteboard_list.rows("act/relu.md", page) == [
        "| [激活函数 › 怎样写 ReLU？](act/relu.md#怎样写-relu) "
        "| `relu_whiteboard(x)`：ReLU 的前向。 | 4 |",
        "| [激活函数 › 两个函数](act/relu.md#两个函数) "
        "| `f(a, b=1)`、`g(*xs)`：写出 \\| 两个函数 | 5 |",
    ]
    with pytest.raises(PluginError, match="no section whiteboard_x"):
        whiteboard_list.rows("b.md", '--8<-- "s/a.py:whiteboard_x"')


def test_glossary_entries_are_parsed_and_sorted():
    entries = glossary_page.entries()
    terms = [entry["term"] for entry in entries]
    assert terms == sorted(terms, key=str.lower)
    bn = next(entry for entry in entries if entry["term"] == "BN")
    assert bn == {
        "term": "BN",
        "english": "Batch Normalization / BatchNorm",
        "chinese": "批归一化 / 批标准化",
    }


def test_every_glossary_term_links_to_a_section_of_a_page():
    # The anchors themselves are checked by the strict build (validation.links.anchors).
    targets = glossary_page.links()
    assert set(targets) == {entry["term"] for entry in glossary_page.entries()}
    docs = glossary_page.SOURCE.parent.parent / "docs"
    missing = {t for t in targets.values() if not (docs / t.partition("#")[0]).is_file()}
    assert not missing, f"glossary links to pages that do not exist: {missing}"


def test_malformed_glossary_link_is_an_error(tmp_path, monkeypatch):
    source = tmp_path / "glossary_links.tsv"
    source.write_text("BN\tnormalization/batchnorm.md\n", encoding="utf-8")  # no anchor
    monkeypatch.setattr(glossary_page, "LINKS", source)
    with pytest.raises(ValueError, match=r"glossary_links\.tsv:1"):
        glossary_page.links()


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


class Formatter:
    """Stands in for markdown-exec's formatter: counts runs, may log a warning."""

    __module__ = "markdown_exec.fake"

    def __init__(self, warn: bool = False) -> None:
        self.runs, self.warn = 0, warn

    def __call__(self, source, language, css_class, options, md, **kwargs):
        self.runs += 1
        if self.warn:
            logging.getLogger("mkdocs.plugins.markdown_exec").warning("fence failed")
        return f"<p>{source} run {self.runs}</p>"


def test_a_fence_runs_once_while_nothing_changes(tmp_path):
    formatter = Formatter()
    used = set()
    fence = exec_cache.CachedFence(formatter, tmp_path, "digest-1", used)
    first = fence("print(1)", "python", "", {"html": True}, None)
    assert fence("print(1)", "python", "", {"html": True}, None) == first
    assert formatter.runs == 1
    assert len(used) == 1
    fence("print(2)", "python", "", {"html": True}, None)
    fence("print(1)", "python", "", {"html": False}, None)
    exec_cache.CachedFence(formatter, tmp_path, "digest-2", used)(
        "print(1)", "python", "", {"html": True}, None
    )
    assert formatter.runs == 4  # other code, other options, other imports: run again


def test_a_failing_fence_is_never_cached(tmp_path):
    formatter = Formatter(warn=True)
    fence = exec_cache.CachedFence(formatter, tmp_path, "digest", set())
    fence("raise ValueError", "python", "", {}, None)
    fence("raise ValueError", "python", "", {}, None)
    assert formatter.runs == 2
    assert not list(tmp_path.iterdir())


def test_a_failing_fence_warns_and_is_not_cached_in_a_quiet_build(tmp_path):
    # `mkdocs build -q` sets mkdocs' log level to ERROR; --strict counts warnings.
    mkdocs_log = logging.getLogger("mkdocs")
    level = mkdocs_log.level
    mkdocs_log.setLevel(logging.ERROR)
    strict = exec_cache.WarningCounter()
    mkdocs_log.addHandler(strict)
    try:
        exec_cache.CachedFence(Formatter(warn=True), tmp_path, "digest", set())(
            "raise ValueError", "python", "", {}, None
        )
    finally:
        mkdocs_log.removeHandler(strict)
        mkdocs_log.setLevel(level)
    assert strict.count == 1
    assert not list(tmp_path.iterdir())


def test_a_fence_in_a_session_always_runs(tmp_path):
    formatter = Formatter()
    fence = exec_cache.CachedFence(formatter, tmp_path, "digest", set())
    fence("x = 1", "python", "", {"session": "s"}, None)
    fence("x = 1", "python", "", {"session": "s"}, None)
    assert formatter.runs == 2


def test_the_digest_follows_every_imported_file(tmp_path, monkeypatch):
    (tmp_path / "snippets" / "pkg").mkdir(parents=True)
    (tmp_path / "tools").mkdir()
    module = tmp_path / "snippets" / "pkg" / "mod.py"
    module.write_text("A = 1\n")
    monkeypatch.setattr(exec_cache, "ROOT", tmp_path)
    before = exec_cache.digest_of_imports()
    assert exec_cache.digest_of_imports() == before
    module.write_text("A = 2\n")
    assert exec_cache.digest_of_imports() != before


def notebook_page(tmp_path, alts_per_cell: list[list[str]]):
    cells = [{"cell_type": "code", "metadata": {"alt": alts}} for alts in alts_per_cell]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": [*cells, {"cell_type": "markdown"}]}), "utf-8")
    return SimpleNamespace(file=SimpleNamespace(src_uri="nb.ipynb", abs_src_path=str(path)))


def test_notebook_images_get_the_alt_texts_their_cells_declare(tmp_path):
    image = f'<img src="data:image/png;base64,AA" {notebook_alt.PLACEHOLDER}>'
    page = notebook_page(tmp_path, [["前 30 张图片"], ["训练曲线", "混淆矩阵 <表>"]])
    out = notebook_alt.on_page_content(image * 3, page, None, None)
    assert "No description" not in out
    assert (
        out.index('alt="前 30 张图片"')
        < out.index('alt="训练曲线"')
        < out.index("混淆矩阵 &lt;表&gt;")
    )


def test_notebook_alt_texts_must_match_the_images(tmp_path):
    image = f'<img src="x.png" {notebook_alt.PLACEHOLDER}>'
    with pytest.raises(PluginError, match=r"nb\.ipynb: 2 images without alt text.* declare 1"):
        notebook_alt.on_page_content(image * 2, notebook_page(tmp_path, [["一张图"]]), None, None)
    markdown_page = SimpleNamespace(file=SimpleNamespace(src_uri="a.md"))
    assert notebook_alt.on_page_content(image, markdown_page, None, None) == image


def test_notebook_headings_and_contents_get_the_same_anchors():
    # mkdocs-jupyter's own: id="" for a Chinese heading, and #_1, #_2 in the contents
    titles = [(1, "用 numpy 训练"), (2, "数据"), (2, "<code>x</code> 的形状"), (2, "数据")]
    headings = "".join(
        f'<h{level} id="">{text}<a class="anchor-link" href="#">¶</a></h{level}>'
        for level, text in titles
    )
    children = [
        {"level": 2, "id": old, "name": name, "children": []}
        for old, name in [("_1", "数据"), ("x", "x 的形状"), ("_2", "数据")]
    ]
    tokens = [{"level": 1, "id": "numpy", "name": "用 numpy 训练", "children": children}]
    page = SimpleNamespace(file=SimpleNamespace(src_uri="nb.ipynb"), toc=get_toc(tokens))
    config = SimpleNamespace(mdx_configs={"toc": {"slugify": slugify(case="lower")}})
    out = notebook_anchors.on_page_content(headings, page, config, None)
    ids = ["用-numpy-训练", "数据", "x-的形状", "数据_1"]
    assert re.findall(r'id="([^"]*)"', out) == ids
    assert re.findall(r'href="#([^"]*)"', out) == ids
    title = page.toc.items[0]
    assert [title.id] + [item.id for item in title.children] == ids


def test_partial_build_deletes_no_cached_output(tmp_path, monkeypatch):
    entry = tmp_path / "unused.html"
    entry.write_text("<p>1</p>")
    monkeypatch.setattr(exec_cache, "fence_cache", tmp_path)
    monkeypatch.setattr(exec_cache, "used", set())
    monkeypatch.setattr(exec_cache, "pages", {"a.md", "b.md"})
    monkeypatch.setattr(exec_cache, "rendered", {"a.md"})  # make serve rebuilt one page
    exec_cache.on_post_build(None)
    assert entry.exists()
    exec_cache.rendered.add("b.md")  # a full build: what no page used is stale
    exec_cache.on_post_build(None)
    assert not entry.exists()


def test_the_digest_follows_the_installed_packages(tmp_path, monkeypatch):
    (tmp_path / "numpy-2.4.6.dist-info").mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    assert exec_cache.installed_packages() == ["numpy-2.4.6.dist-info"]
    before = exec_cache.digest_of_imports()
    (tmp_path / "numpy-2.4.6.dist-info").rename(tmp_path / "numpy-2.5.0.dist-info")
    assert exec_cache.digest_of_imports() != before


def test_a_formula_that_passed_is_not_checked_again(tmp_path, monkeypatch):
    config = SimpleNamespace(config_file_path=str(tmp_path / "mkdocs.yml"))
    good = {"page": "good.md", "tex": r"\frac{1}{2}", "display": False}
    bad = {"page": "bad.md", "tex": r"\frac{1}{2", "display": True}
    monkeypatch.setattr(katex_check, "formulas", [good])
    katex_check.on_post_build(config)  # Node checks it
    monkeypatch.setattr(katex_check, "formulas", [good, bad])
    with pytest.raises(PluginError, match=r"bad\.md") as failed:
        katex_check.on_post_build(config)
    assert "good.md" not in str(failed.value)  # only the new formula went to Node
    monkeypatch.setattr(katex_check, "formulas", [good])
    monkeypatch.setattr(katex_check.subprocess, "run", lambda *args, **kwargs: 1 / 0)
    katex_check.on_post_build(config)  # known to pass: no Node at all
    monkeypatch.setattr(katex_check, "formulas", [{**good, "display": True}])
    with pytest.raises(ZeroDivisionError):  # display mode is another formula to KaTeX
        katex_check.on_post_build(config)


def test_search_terms_name_the_notation_of_each_section():
    from hooks import search_terms

    html = (
        '<h2 id="a">BN</h2><p><span class="arithmatex" data-search-exclude>'
        "\\(\\gamma \\hat{x} + \\beta\\)</span> 和 σ</p>"
        '<h2 id="b">梯度</h2><div class="arithmatex">\\[\\nabla_\\theta'
        " \\operatorname{softmax}(z)\\]</div><h2>无</h2><p>x</p>"
    )
    out = search_terms.on_page_content(html, None, None, None)
    spans = re.findall(r'<span class="search-terms" hidden>([^<]*)</span>', out)
    assert spans == ["gamma beta sigma", "nabla 梯度 theta softmax"]
    page = SimpleNamespace(content=out)
    search_terms.on_page_context({}, page, None, None)
    assert page.content == html


def test_search_index_is_normalised_and_gets_the_glossary_synonyms(tmp_path):
    from hooks import search_terms

    (tmp_path / "search").mkdir()
    docs = [
        {"location": "cnn/pooling/", "title": "1x1 卷积", "text": "３*３ 和 2 X 2"},
        {"location": "questions/", "title": "题库", "text": "1x1"},
        {"location": "glossary/", "title": "术语表", "text": "BN"},
    ]
    index = {"config": {"lang": ["zh"]}, "docs": docs}
    (tmp_path / "search" / "search_index.json").write_text(json.dumps(index), "utf-8")
    (tmp_path / "search" / "search_index.js").write_text("var __index = {}", "utf-8")
    search_terms.on_post_build(SimpleNamespace(site_dir=str(tmp_path)))
    out = json.loads((tmp_path / "search" / "search_index.json").read_text("utf-8"))
    assert out["docs"] == [{"location": "cnn/pooling/", "title": "1×1 卷积", "text": "3×3 和 2×2"}]
    groups = out["config"]["synonyms"]
    assert ["BN", "Batch Normalization", "BatchNorm", "批归一化", "批标准化"] in groups
    assert ["NMS", "Non-Maximum Suppression", "非极大值抑制"] in groups
    # a long description is no name: BERT's Chinese line is left out of its group
    assert not any("双向 Transformer" in " ".join(group) for group in groups)
    offline = (tmp_path / "search" / "search_index.js").read_text("utf-8")
    assert json.loads(offline.removeprefix("var __index = ")) == out


def unpack(split: dict, sections: int) -> list[Counter]:
    """The search wrapper's reading of a split index (search-wrapper.js, unpack)."""
    from hooks.search_index_split import BASE, DIGITS

    vocabulary = []
    for line in split["terms"].split("\n"):
        shared = (ord(line[0]) - 48) * 2  # UTF-16 units, as JavaScript's slice counts
        before = (vocabulary[-1] if vocabulary else "").encode("utf-16-le")[:shared]
        vocabulary.append(before.decode("utf-16-le") + line[1:])
    counts = [Counter() for _ in range(sections)]
    for term, entries in zip(vocabulary, split["postings"].split(" "), strict=True):
        section, value, times = 0, 0, False
        for digit in entries:
            if digit == "!":
                times = True
                continue
            value = value * BASE + DIGITS.index(digit) % BASE
            if DIGITS.index(digit) >= BASE:
                continue  # more digits follow
            if times:
                counts[section][term] = value
            else:
                section += value
                counts[section][term] = 1
            value, times = 0, False
    return counts


def test_split_search_index_keeps_each_sections_terms_and_counts_and_moves_its_text(tmp_path):
    from hooks import search_index_split

    separator = r"[\s\u200b\-、，]+|\.(?!\d)"
    docs = [
        {"location": "a/", "title": "a", "text": "<p>BN\u200b的\u200b作用，<b>bn</b> 0.5</p>"},
        {"location": "a/#x", "title": "x", "text": "的\u200b的-的 e.g 作用域"},
        {"location": "b/", "title": "b", "text": "作用域"},
        {"location": "c/", "title": "c", "text": ""},
    ]
    index = {"config": {"separator": separator, "lang": ["zh"]}, "docs": docs}
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "text").mkdir()
    (tmp_path / "search" / "text" / "7.json").write_text("old", "utf-8")  # a removed section
    (tmp_path / "search" / "search_index.json").write_text(json.dumps(index), "utf-8")
    site = SimpleNamespace(site_dir=str(tmp_path), plugins={})
    search_index_split.on_post_build(site)
    out = json.loads((tmp_path / "search" / "search_index.json").read_text("utf-8"))
    split = out["config"]["split"]
    # Sorted terms, each after the characters it shares with the one before (作用域: 2).
    assert split["terms"].split("\n") == ["00.5", "0bn", "0e", "0g", "0作用", "2域", "0的"]
    # Tags are no terms, case goes, 0.5 stays whole; 的 is in sections 0 and 1 (gap 1),
    # three times in section 1.
    assert split["postings"].split(" ")[-1] == "#$!&"
    assert split["postings"].split(" ")[-2] == "$$"  # 作用域: sections 1 and 2
    assert unpack(split, 4) == [
        Counter({"bn": 2, "的": 1, "作用": 1, "0.5": 1}),
        Counter({"的": 3, "e": 1, "g": 1, "作用域": 1}),
        Counter({"作用域": 1}),
        Counter(),
    ]
    assert out["docs"] == [{k: v for k, v in doc.items() if k != "text"} for doc in docs]
    assert not (tmp_path / "search" / "text" / "7.json").exists()
    assert re.fullmatch(r"search/text/[0-9a-f]{12}/", split["text"])
    texts = sorted((tmp_path / split["text"]).glob("*.json"))
    assert [path.name for path in texts] == ["0.json", "1.json", "2.json", "3.json"]
    assert [json.loads(path.read_text("utf-8")) for path in texts] == [d["text"] for d in docs]
    # mkdocs serve's next rebuild reads the index whole again (hooks/live_reload.py)
    assert search_index_split.whole(out, tmp_path) == index
    assert search_index_split.whole(index, tmp_path / "nowhere") is index


def test_split_search_index_numbers_past_one_digit():
    from hooks.search_index_split import BASE, DIGITS, front_coded, number

    assert BASE == 45
    assert len(set(DIGITS)) == 91
    assert not {"!", " ", '"', "\\"} & set(DIGITS)  # JSON leaves them alone; ! and space mark
    values = [0, 44, 45, 2024, 45**3 + 7]
    # the last digit from the first 45 (# to O), the others from the next 45 (P to ~)
    assert [number(value) for value in values] == ["#", "O", "Q#", "}O", "QPP*"]
    # 𝑥 is two UTF-16 units: JavaScript's slice counts those.
    assert front_coded(["𝑥a", "𝑥b"]).split("\n") == ["0𝑥a", "2b"]
    # At most 78 shared units: chr(48 + 78) is the last printable one.
    long = ["a" * 100, "a" * 100 + "b"]
    assert front_coded(long).split("\n") == ["0" + "a" * 100, "~" + "a" * 22 + "b"]


def test_split_search_index_reads_the_separator_as_javascript_does():
    from hooks.search_index_split import javascript_regex

    separator = javascript_regex(r"[\s\-]+|\.(?!\d)")
    # JavaScript's \s has no \x1c or \x85 and its \d only 0-9: Python's have more.
    assert separator.split("a\x1cb\x85c d\u3000e-f") == ["a\x1cb\x85c", "d", "e", "f"]
    assert separator.split("0.5 x.٣") == ["0.5", "x", "٣"]
    assert javascript_regex(r"\s+").split("a\ufeffb\x1fc") == ["a", "b\x1fc"]


def test_offline_search_index_stays_whole(tmp_path):
    from hooks import search_index_split

    (tmp_path / "search").mkdir()
    index = {"config": {"separator": " "}, "docs": [{"location": "", "title": "", "text": "x"}]}
    (tmp_path / "search" / "search_index.json").write_text(json.dumps(index), "utf-8")
    offline = SimpleNamespace(config=SimpleNamespace(enabled=True))
    search_index_split.on_post_build(
        SimpleNamespace(site_dir=str(tmp_path), plugins={"material/offline": offline})
    )
    assert json.loads((tmp_path / "search" / "search_index.json").read_text("utf-8")) == index
    assert not (tmp_path / "search" / "text").exists()


def test_a_high_frequency_mark_is_an_attr_list_class_not_part_of_the_question():
    page = "\n".join(
        ["## 为什么用 ReLU？ { .hf }", "## 什么是 IoU？", "### 什么是 NMS？ {: .hf #nms }"]
    )
    assert question_bank.marked_questions(page) == [
        ("为什么用 ReLU？", "为什么用-relu", True),
        ("什么是 IoU？", "什么是-iou", False),
        ("什么是 NMS？", "nms", True),
    ]


def test_the_sprint_list_is_cut_into_three_days_at_chapter_boundaries():
    question = question_bank.Question("问题？", "问题", True)
    sizes = {"训练": 4, "视觉": 3, "序列": 2, "大模型": 3}
    entries = [
        question_bank.Entry(section, "页", "a.md", question)
        for section, size in sizes.items()
        for _ in range(size)
    ]
    days = question_bank.split_days(entries)
    assert [[e.section for e in day] for day in days] == [
        ["训练"] * 4,
        ["视觉"] * 3,
        ["序列"] * 2 + ["大模型"] * 3,
    ]
    text = question_bank.sprint_markdown(entries)
    assert text.startswith("### 第 1 天：训练\n\n1. [问题？](a.md#问题)（页）")
    assert "### 第 3 天：序列、大模型\n\n8. " in text


def test_highlight_cache_reuses_a_block_until_its_source_or_options_change(monkeypatch):
    from pymdownx.highlight import Highlight

    from hooks import highlight_cache

    calls = []

    def fake_original(self, src, language, *args, **kwargs):
        calls.append(src)
        return f"<pre>{src}</pre>"

    monkeypatch.setattr(highlight_cache, "original", fake_original)
    monkeypatch.setattr(highlight_cache, "store", {})
    block = Highlight(md=None)
    other = Highlight(md=None, linenums=True)
    assert (
        highlight_cache.cached_highlight(block, "x = 1", "python", "highlight")
        == "<pre>x = 1</pre>"
    )
    highlight_cache.cached_highlight(block, "x = 1", "python", "highlight")
    assert calls == ["x = 1"]  # the second call came from the store
    highlight_cache.cached_highlight(other, "x = 1", "python", "highlight")
    highlight_cache.cached_highlight(block, "x = 2", "python", "highlight")
    highlight_cache.cached_highlight(block, "x", "python", "highlight", inline=True)
    highlight_cache.cached_highlight(block, "x", "python", "highlight", inline=True)
    assert calls == ["x = 1", "x = 1", "x = 2", "x", "x"]  # options, source; inline never cached
