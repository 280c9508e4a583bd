"""Accessibility attributes that arithmatex, nbconvert and Material leave out, written into
the HTML at build time (no JavaScript on the page). axe-core checks the result in
tests/site/test_browser.py.

- A display formula, a notebook code cell or a figure that is wider than the column scrolls
  sideways: it takes keyboard focus (tabindex="0"), with a name for screen readers.
- Material's search dialog and a page's tag list (a <nav>) get an accessible name.
- A nav section with an index page (navigation.indexes) labels its nested <nav> by an
  empty <label> (the toggle beside the title link): the nav is named by the title instead.
"""

import html
import re

from mkdocs.exceptions import PluginError

SCROLLERS = {
    '<div class="arithmatex"': "公式",
    '<div class="highlight-ipynb hl-python"': "代码",
    '<div class="code-figure"': "图",  # scrolls on a phone below its readable width
}
SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog"'
SEARCH_NAME = "搜索"
TAGS_NAV = '<nav class="md-tags"'
INDEXED_SECTION = re.compile(
    r'<div class="md-nav__link md-nav__container">\s*<a [^>]*>(.*?)</a>\s*'
    r'<label class="md-nav__link[^"]*" for="__nav_[\d_]+" id="(__nav_[\d_]+_label)"',
    re.S,
)
LABEL = re.compile(r"<label ([^>]*)>(.*?)</label>", re.S)
LABEL_ID = re.compile(r'\bid="([^"]+)"')
LABELLED_NAV = re.compile(r'<nav [^>]*aria-labelledby="(__nav_[\d_]+_label)"')
TAG = re.compile(r"<[^>]+>")


def text(fragment: str) -> str:
    return " ".join(html.unescape(TAG.sub(" ", fragment)).split())


def focusable(html_text: str) -> str:
    for start, name in SCROLLERS.items():
        focus = f'tabindex="0" role="group" aria-label="{name}"'
        html_text = html_text.replace(start, f"{start} {focus}")
    return html_text


def name_search_dialog(output: str) -> str:
    if 'data-md-component="search"' not in output:
        return output  # a page without Material's header
    if output.count(SEARCH_DIALOG) != 1:
        raise PluginError(f"Material's search dialog markup changed: {SEARCH_DIALOG!r} not found")
    return output.replace(SEARCH_DIALOG, f'{SEARCH_DIALOG} aria-label="{SEARCH_NAME}"')


def label_indexed_sections(output: str, where: str) -> str:
    # aria-label is not allowed on a <label> (axe: aria-prohibited-attr), but on a <nav>.
    for title, label_id in INDEXED_SECTION.findall(output):
        name = html.escape(text(title))
        output = output.replace(f'aria-labelledby="{label_id}"', f'aria-label="{name}"')
    named = {
        LABEL_ID.search(attributes).group(1)
        for attributes, content in LABEL.findall(output)
        if LABEL_ID.search(attributes) and text(content)
    }
    unnamed = sorted({m.group(1) for m in LABELLED_NAV.finditer(output)} - named)
    if unnamed:
        raise PluginError(f"{where}: nav sections labelled by an empty <label>: {unnamed}")
    return output


def on_page_content(html_text: str, page, config, files) -> str:
    return focusable(html_text)


def on_post_page(output: str, page, config) -> str:
    output = name_search_dialog(output).replace(TAGS_NAV, f'{TAGS_NAV} aria-label="标签"')
    return label_indexed_sections(output, page.file.src_uri)
