"""题库: generate a page listing every question heading on the site, grouped by nav section
and page, with the 高频 questions first as a three-day sprint list.

A question is an h2–h4 heading ending in `？`. A question that most interviews for the role
ask carries the attr_list class `hf`: `## Adam 的公式是什么？ { .hf }` (CONTRIBUTING.md gives
the rule). The same sprint list replaces the `<!-- sprint -->` line of the home page.
Anchors are computed as the toc extension does; the strict build's anchor check catches
any mismatch. Pages with questions get `data-questions` on their <article>, which turns
on 自测模式 (javascripts/self-test.js) there and nowhere else.
"""

import itertools
import re
from typing import NamedTuple

from markdown.extensions.toc import unique
from mkdocs.structure.files import File, Files
from pymdownx.slugs import slugify

BANK = "questions.md"
HOME = "index.md"
SPRINT_MARKER = "<!-- sprint -->"
HIGH_FREQUENCY = "hf"
DAYS = 3
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
ATTR_LIST = re.compile(r"\s*\{:?\s*([^{}]*)\}$")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
INLINE_MARKUP = [(re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"), (re.compile(r"[`*]"), "")]
ARTICLE = '<article class="md-content__inner md-typeset">'
slug = slugify(case="lower")


class Question(NamedTuple):
    text: str
    anchor: str
    high_frequency: bool


def plain(text: str) -> str:
    """A heading's text without links and code markup, as the toc extension sees it."""
    for pattern, replacement in INLINE_MARKUP:
        text = pattern.sub(replacement, text)
    return text


def _headings(markdown: str):
    """(line index, level, text, anchor, attr_list classes) of every ATX heading outside
    fenced code; the attr_list `{ … }` at the end is not part of the text."""
    ids: set[str] = set()
    fence = None
    for index, line in enumerate(markdown.split("\n")):
        match = FENCE.match(line)
        if match and (fence is None or match.group(1).startswith(fence)):
            fence = None if fence else match.group(1)
            continue
        heading = None if fence else HEADING.match(line)
        if heading:
            text, attrs = heading.group(2), []
            if attr_list := ATTR_LIST.search(text):
                text, attrs = text[: attr_list.start()], attr_list.group(1).split()
            ids_given = [a[1:] for a in attrs if a.startswith("#")]
            anchor = ids_given[0] if ids_given else unique(slug(plain(text), "-"), ids)
            classes = {a[1:] for a in attrs if a.startswith(".")}
            yield index, len(heading.group(1)), text, anchor, classes


def headings(markdown: str):
    """(line index, level, text, anchor) of every ATX heading outside fenced code; anchors
    are made unique as the toc extension makes them."""
    for index, level, text, anchor, _ in _headings(markdown):
        yield index, level, text, anchor


def marked_questions(markdown: str) -> list[Question]:
    """The question headings of one page, with their 高频 mark."""
    return [
        Question(text, anchor, HIGH_FREQUENCY in classes)
        for _, level, text, anchor, classes in _headings(markdown)
        if 2 <= level <= 4 and plain(text).endswith("？")
    ]


def questions(markdown: str) -> list[tuple[str, str]]:
    """(heading text, anchor) of the question headings of one page."""
    return [(q.text, q.anchor) for q in marked_questions(markdown)]


def _pages(item) -> list[tuple[str, str]]:
    """(nav title, Markdown page) of every page below a nav item."""
    if isinstance(item, list):
        return [page for child in item for page in _pages(child)]
    if isinstance(item, dict):
        return [
            page
            for title, child in item.items()
            for page in ([(title, child)] if isinstance(child, str) else _pages(child))
        ]
    return [("", item)]


def titled_sections(nav) -> list[tuple[str, list[tuple[str, str]]]]:
    """Top-level nav sections in order, each with the (title, Markdown page) below it."""
    result = []
    for entry in nav or []:
        if isinstance(entry, dict):
            [(title, children)] = entry.items()
            if isinstance(children, list):
                pages = [(t, src) for t, src in _pages(children) if src.endswith(".md")]
                result.append((title, pages))
    return result


def sections(nav) -> list[tuple[str, list[str]]]:
    """Top-level nav sections in order, each with the Markdown pages below it."""
    return [(title, [src for _, src in pages]) for title, pages in titled_sections(nav)]


def grouped(files: Files, config, lines_of_page) -> list[tuple[str, list[str]]]:
    """(nav section title, lines) of each section whose pages give any lines;
    lines_of_page(src, markdown) makes the lines of one page."""
    result = []
    for title, srcs in sections(config["nav"]):
        lines = []
        for src in srcs:
            file = files.get_file_from_path(src)
            if file is not None:
                lines += lines_of_page(src, file.content_string)
        if lines:
            result.append((title, lines))
    return result


class Entry(NamedTuple):
    section: str
    page_title: str
    src: str
    question: Question


def bank(files: Files, config) -> list[Entry]:
    """Every question of the site in nav order."""
    result = []
    for section, pages in titled_sections(config["nav"]):
        for page_title, src in pages:
            file = files.get_file_from_path(src)
            if file is not None:
                result += [
                    Entry(section, page_title, src, q)
                    for q in marked_questions(file.content_string)
                ]
    return result


def split_days(entries: list[Entry], days: int = DAYS) -> list[list[Entry]]:
    """The sprint list cut into `days` parts of about equal length, at section boundaries
    where one is close (within a quarter of a day), else anywhere."""
    n = len(entries)
    cuts = [0]
    for day in range(1, days):
        target = round(n * day / days)
        boundaries = [
            i for i in range(cuts[-1] + 1, n) if entries[i].section != entries[i - 1].section
        ]
        near = [i for i in boundaries if abs(i - target) <= n / days / 4]
        cuts.append(min(near, key=lambda i: abs(i - target)) if near else max(target, cuts[-1]))
    cuts.append(n)
    return [entries[a:b] for a, b in itertools.pairwise(cuts) if b > a]


def sprint_markdown(entries: list[Entry], heading: str = "###") -> str:
    """The 高频 questions as a numbered three-day list, links relative to the site root."""
    marked = [e for e in entries if e.question.high_frequency]
    blocks, number = [], 1
    for day, part in enumerate(split_days(marked), 1):
        chapters = "、".join(dict.fromkeys(e.section for e in part))
        lines = []
        for e in part:
            lines.append(
                f"{number}. [{e.question.text}]({e.src}#{e.question.anchor})（{e.page_title}）"
            )
            number += 1
        blocks.append(f"{heading} 第 {day} 天：{chapters}\n\n" + "\n".join(lines))
    return "\n\n".join(blocks)


HF_BADGE = '<span class="hf-badge" title="高频：大多数这类岗位的面试都会问">高频</span>'


def bank_markdown(entries: list[Entry]) -> str:
    marked = sum(e.question.high_frequency for e in entries)
    blocks = []
    for section in dict.fromkeys(e.section for e in entries):
        in_section = [e for e in entries if e.section == section]
        lines = []
        for src in dict.fromkeys(e.src for e in in_section):
            on_page = [e for e in in_section if e.src == src]
            lines.append(f"- [{on_page[0].page_title}]({src})")
            for e in on_page:
                badge = f" {HF_BADGE}" if e.question.high_frequency else ""
                lines.append(f"    - [{e.question.text}]({src}#{e.question.anchor}){badge}")
        blocks.append(f"## {section}（{len(in_section)} 题）\n\n" + "\n".join(lines))
    return (
        "---\ndescription: 全站所有面试题的清单，高频题在前，按章节分组，构建时自动生成。\n"
        "---\n\n"
        f"# 题库\n\n全站共 **{len(entries)}** 道题，按章节和页面列出，点击题目直达解答。"
        f"其中 **{marked}** 道标为{HF_BADGE}：这类岗位的大多数面试都会问到（标注规则见仓库的 "
        "`CONTRIBUTING.md`）。这一页在构建网站时从各页面的题目标题自动生成。\n\n"
        "打开「自测模式」后，可以在这里逐题标记「会」或「不会」，查看每页和每章的进度，"
        "或者只看还不会的题；标记保存在这个浏览器里。\n\n"
        f'<div class="question-bank" markdown>\n\n'
        f"## 三天冲刺：高频 {marked} 题\n\n"
        "时间只剩几天时，按这个顺序先把高频题过一遍：从训练基础到大模型，"
        "每天大约三分之一。\n\n"
        + sprint_markdown(entries)
        + "\n\n"
        + "\n\n".join(blocks)
        + "\n\n</div>\n"
    )


_state: dict[str, object] = {"entries": [], "pages": set()}


def on_files(files: Files, config) -> Files:
    entries = bank(files, config)
    _state["entries"] = entries
    _state["pages"] = {e.src for e in entries}
    files.append(File.generated(config, BANK, content=bank_markdown(entries)))
    return files


def on_page_markdown(markdown: str, page, config, files) -> str:
    if page.file.src_uri == HOME and SPRINT_MARKER in markdown:
        return markdown.replace(SPRINT_MARKER, sprint_markdown(_state["entries"]))
    return markdown


def on_post_page(output: str, page, config) -> str:
    if page.file.src_uri in _state["pages"] or page.file.src_uri == BANK:
        kind = "bank" if page.file.src_uri == BANK else "page"
        return output.replace(ARTICLE, ARTICLE[:-1] + f' data-questions="{kind}">', 1)
    return output
