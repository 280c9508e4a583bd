"""Keep raw TeX out of the search index: mark arithmatex elements for Material's search."""

import re

ARITHMATEX = re.compile(r'<(span|div) class="arithmatex">')


def on_page_content(html: str, page, config, files) -> str:
    return ARITHMATEX.sub(r'<\1 class="arithmatex" data-search-exclude>', html)
