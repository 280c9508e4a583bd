"""Fail the build on any formula KaTeX cannot parse or would render other than written, such
as \\mathbb{1} (checked once per build with Node).

A formula that passed is remembered in .cache/katex-passed.txt, keyed by its TeX, display
mode, the checker and the KaTeX version: a build with no new formula starts no Node.
"""

import hashlib
import html
import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

from mkdocs.exceptions import PluginError

CHECKER = Path(__file__).with_name("katex_check.mjs")
KATEX = Path(__file__).resolve().parent.parent / "node_modules" / "katex" / "package.json"
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


def key(formula: dict, salt: bytes) -> str:
    text = f"{formula['display']}\0{formula['tex']}".encode()
    return hashlib.sha256(salt + b"\0" + text).hexdigest()[:32]


def on_post_build(config) -> None:
    passed_file = Path(config.config_file_path).parent / ".cache" / "katex-passed.txt"
    passed = set(passed_file.read_text().split()) if passed_file.is_file() else set()
    salt = CHECKER.read_bytes() + (KATEX.read_bytes() if KATEX.is_file() else b"")
    keys = [key(formula, salt) for formula in formulas]
    new = [formula for k, formula in zip(keys, formulas, strict=True) if k not in passed]
    if not new:
        return
    result = subprocess.run(
        ["node", str(CHECKER)],
        input=json.dumps(new),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise PluginError(f"KaTeX cannot render these formulas:\n{result.stdout}{result.stderr}")
    passed_file.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=passed_file.parent, delete=False) as file:
        file.write("\n".join(sorted(passed | set(keys))) + "\n")  # builds may run side by side
    os.replace(file.name, passed_file)
