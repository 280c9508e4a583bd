"""题库: generate a page listing every question heading on the site, grouped by nav section.

A question is an h2–h4 heading ending in `？`. Anchors are computed as the toc extension
does; the strict build's anchor check catches any mismatch.
"""

import re

from markdown.extensions.toc import unique
from mkdocs.structure.files import File, Files
from pymdownx.slugs import slugify

BANK = "questions.md"
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
INLINE_MARKUP = [(re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"), (re.compile(r"[`*]"), "")]
slug = slugify(case="lower")


def plain(text: str) -> str:
    """A heading's text without links and code markup, as the toc extension sees it."""
    for pattern, replacement in INLINE_MARKUP:
        text = pattern.sub(replacement, text)
    return text


def headings(markdown: str):
    """(line index, level, text, anchor) of every ATX heading outside fenced code; anchors
    are made unique as the toc extension makes them."""
    ids: set[str] = set()
    fence = None
    for index, line in enumerate(markdown.split("\n")):
        match = FENCE.match(line)
        if match and (fence is None or match.group(1).startswith(fence)):
            fence = None if fence else match.group(1)
            continue
        heading = None if fence else HEADING.match(line)
        if heading:
            text = heading.group(2)
            yield index, len(heading.group(1)), text, unique(slug(plain(text), "-"), ids)


def questions(markdown: str) -> list[tuple[str, str]]:
    """(heading text, anchor) of the question headings of one page."""
    return [
        (text, anchor)
        for _, level, text, anchor in headings(markdown)
        if 2 <= level <= 4 and plain(text).endswith("？")
    ]


def sections(nav) -> list[tuple[str, list[str]]]:
    """Top-level nav sections in order, each with the Markdown pages below it."""

    def pages(item) -> list[str]:
        if isinstance(item, str):
            return [item] if item.endswith(".md") else []
        if isinstance(item, list):
            return [page for child in item for page in pages(child)]
        return [page for child in item.values() for page in pages(child)]

    result = []
    for entry in nav or []:
        if isinstance(entry, dict):
            [(title, children)] = entry.items()
            if isinstance(children, list):
                result.append((title, pages(children)))
    return result


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


def on_files(files: Files, config) -> Files:
    def lines_of_page(src: str, markdown: str) -> list[str]:
        return [f"- [{text}]({src}#{anchor})" for text, anchor in questions(markdown)]

    groups = grouped(files, config, lines_of_page)
    blocks = [f"## {title}（{len(lines)} 题）\n\n" + "\n".join(lines) for title, lines in groups]
    total = sum(len(lines) for _, lines in groups)
    intro = (
        "---\ndescription: 全站所有面试题的清单，按章节分组，构建时自动生成。\n---\n\n"
        f"# 题库\n\n全站共 **{total}** 道题，按章节列出，点击题目直达解答。"
        "这一页在构建网站时从各页面的题目标题自动生成。\n"
    )
    files.append(File.generated(config, BANK, content=intro + "\n\n" + "\n\n".join(blocks) + "\n"))
    return files
