"""Rewrite the search index as compact UTF-8 JSON instead of \\u-escaped Chinese.

Every reader downloads the index on the first page view; unescaped it is 45 % smaller
raw and about 10 % smaller gzip-compressed.
"""

import json
from pathlib import Path


def on_post_build(config) -> None:
    index = Path(config.site_dir) / "search" / "search_index.json"
    if index.is_file():
        data = json.loads(index.read_text(encoding="utf-8"))
        index.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")
