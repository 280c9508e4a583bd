"""Keep raw TeX and code blocks out of the search index (Material's data-search-exclude).

The index is loaded on every first page view: TeX and code are most of its bytes and
are not what readers search for; headings and prose are.
"""

import re

EXCLUDED = re.compile(r'<(span|div) class="(arithmatex|(?:language-[\w-]+ )?highlight)"')


def on_page_content(html: str, page, config, files) -> str:
    return EXCLUDED.sub(r'<\1 class="\2" data-search-exclude', html)
