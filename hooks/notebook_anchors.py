"""Give a notebook's headings the anchors a Markdown page's headings get.

mkdocs-jupyter drops every non-ASCII character from heading ids (a Chinese heading gets
id="") and slugifies its table of contents another way (#_1, #_2, …), so the contents
linked nowhere. Both are set here with the slugify of mkdocs.yml's toc extension.
"""

import html
import re

from markdown.extensions.toc import unique
from mkdocs.exceptions import PluginError

HEADING = re.compile(r'(<h[1-6] id=")[^"]*(">)(.*?)(<a class="anchor-link" href="#)[^"]*(")', re.S)
TAG = re.compile(r"<[^>]+>")


def toc_items(items):
    for item in items:
        yield item
        yield from toc_items(item.children)


def on_page_content(html_text: str, page, config, files) -> str:
    if not page.file.src_uri.endswith(".ipynb"):
        return html_text
    slugify = config.mdx_configs["toc"]["slugify"]
    items = list(toc_items(page.toc))
    headings = HEADING.findall(html_text)
    if len(items) != len(headings):
        raise PluginError(
            f"{page.file.src_uri}: {len(headings)} headings but {len(items)} contents entries"
        )
    used: set[str] = set()
    anchors = iter(items)

    def anchor(match: re.Match) -> str:
        start, mid, text, link, end = match.groups()
        slug = unique(slugify(html.unescape(TAG.sub("", text)).strip(), "-"), used)
        next(anchors).id = slug
        return f"{start}{slug}{mid}{text}{link}{slug}{end}"

    return HEADING.sub(anchor, html_text)
