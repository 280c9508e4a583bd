"""Reuse Pygments' HTML for code blocks that have not changed since the last build.

Highlighting the site's ~700 code blocks is about a fifth of a warm build. The key is the
block's source and every option of the highlighter and the call, plus the versions of
Pygments and pymdown-extensions; inline code is left alone (it returns an element, not
text). Entries no block used are dropped after a build that rendered every page.
"""

import hashlib
import json
import os
import tempfile
from importlib.metadata import version
from pathlib import Path

from pymdownx import highlight

original = highlight.Highlight.highlight
VERSIONS = (version("pygments"), version("pymdown-extensions"))
store: dict[str, str] = {}
used: set[str] = set()
cache_file: Path | None = None
pages: set[str] = set()  # the site's pages
rendered: set[str] = set()  # the pages this build rendered (a dirty rebuild: a few)


def cached_highlight(self, src, language, *args, **kwargs):
    if kwargs.get("inline") or len(args) > 5:  # inline is the sixth optional argument
        return original(self, src, language, *args, **kwargs)
    options = sorted((k, v) for k, v in vars(self).items() if k != "md")
    call = (VERSIONS, options, src, language, args, sorted(kwargs.items()))
    key = hashlib.sha256(repr(call).encode()).hexdigest()
    used.add(key)
    if key in store:
        return store[key]
    html = original(self, src, language, *args, **kwargs)
    if isinstance(html, str):
        store[key] = html
    return html


def on_config(config):
    global cache_file
    cache_file = Path(config.config_file_path).parent / ".cache" / "highlight.json"
    store.clear()
    used.clear()
    rendered.clear()
    if cache_file.exists():
        store.update(json.loads(cache_file.read_text(encoding="utf-8")))
    highlight.Highlight.highlight = cached_highlight
    return config


def on_nav(nav, config, files):
    pages.clear()
    pages.update(file.src_uri for file in files.documentation_pages())
    return nav


def on_page_markdown(markdown, page, config, files):
    rendered.add(page.file.src_uri)
    return markdown


def on_post_build(config):
    if rendered >= pages:
        for key in set(store) - used:
            del store[key]
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    # Builds may run side by side (test workers): never leave half a file.
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=cache_file.parent, delete=False
    ) as f:
        json.dump(store, f, ensure_ascii=False)
    os.replace(f.name, cache_file)
