"""Unit tests of the build hooks that generate pages or rewrite HTML."""

import logging
import sys
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from hooks import exec_cache, glossary_page, katex_check, question_bank, search_exclude


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
