"""Fail the build on any formula KaTeX cannot parse or would render other than written, such
as \\mathbb{1} (checked once per build with Node)."""

import html
import json
import re
import subprocess
from pathlib import Path

from mkdocs.exceptions import PluginError

CHECKER = Path(__file__).with_name("katex_check.mjs")
# What pymdownx.arithmatex (generic) emits: \( \) inline, \[ \] display.
MATH = re.compile(r'<(span|div) class="arithmatex"[^>]*>(.*?)</\1>', re.DOTALL)
DELIMITERS = re.compile(r"^\\[(\[](.*)\\[)\]]$", re.DOTALL)

formulas: list[dict] = []


def on_pre_build(config) -> None:
    formulas.clear()


def on_page_content(html_text: str, page, config, files) -> str:
    for match in MATH.finditer(html_text):
        tex = DELIMITERS.match(html.unescape(match.group(2)).strip())
        formulas.append(
            {
                "page": page.file.src_uri,
                "tex": tex.group(1) if tex else match.group(2),
                "display": match.group(1) == "div",
            }
        )
    return html_text


def on_post_build(config) -> None:
    result = subprocess.run(
        ["node", str(CHECKER)],
        input=json.dumps(formulas),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise PluginError(f"KaTeX cannot render these formulas:\n{result.stdout}{result.stderr}")
