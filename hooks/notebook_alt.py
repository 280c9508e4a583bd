"""Give a notebook's images the alt text its code cells declare, in place of nbconvert's
English placeholder. A cell that draws figures lists one description per image in its
metadata: "alt": ["…", …]. Images and descriptions must match one to one."""

import html
import json
from pathlib import Path

from mkdocs.exceptions import PluginError

PLACEHOLDER = 'alt="No description has been provided for this image"'


def declared_alt_texts(notebook: dict) -> list[str]:
    return [text for cell in notebook["cells"] for text in cell.get("metadata", {}).get("alt", [])]


def on_page_content(html_text: str, page, config, files) -> str:
    if not page.file.src_uri.endswith(".ipynb"):
        return html_text
    notebook = json.loads(Path(page.file.abs_src_path).read_text(encoding="utf-8"))
    texts = declared_alt_texts(notebook)
    found = html_text.count(PLACEHOLDER)
    if found != len(texts):
        raise PluginError(
            f"{page.file.src_uri}: {found} images without alt text, but its cells declare "
            f"{len(texts)} in their metadata 'alt'"
        )
    for text in texts:
        html_text = html_text.replace(PLACEHOLDER, f'alt="{html.escape(text)}"', 1)
    return html_text
