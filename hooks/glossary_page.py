"""术语表: generate the glossary page from includes/abbreviations.md, the file that also
gives every page its hover tooltips (pymdownx.snippets auto_append + abbr) and the search
its synonyms (hooks/search_terms.py). ' / ' separates other names of the same thing:
*[BN]: Batch Normalization / BatchNorm，批归一化 / 批标准化"""

import re
from pathlib import Path

from mkdocs.structure.files import File, Files

SOURCE = Path(__file__).resolve().parent.parent / "includes" / "abbreviations.md"
ENTRY = re.compile(r"^\*\[(?P<term>[^\]]+)\]:\s*(?P<english>[^，]+)，(?P<chinese>.+)$")


def entries() -> list[dict[str, str]]:
    """Glossary entries, sorted case-insensitively; a malformed line is an error."""
    result = []
    for number, line in enumerate(SOURCE.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        match = ENTRY.match(line)
        if not match:
            expected = "'*[缩写]: English，中文'"
            raise ValueError(f"{SOURCE.name}:{number}: expected {expected}, got {line!r}")
        result.append(match.groupdict())
    return sorted(result, key=lambda entry: entry["term"].lower())


def on_files(files: Files, config) -> Files:
    rows = "\n".join(f"| {e['term']} | {e['english']} | {e['chinese']} |" for e in entries())
    content = (
        "---\ndescription: 深度学习面试常用缩写与术语的中英对照表。\n---\n\n"
        "# 术语表\n\n常用缩写的英文全称与中文含义。全站页面上出现这些缩写时，"
        "把鼠标悬停在上面（手机上轻点）也能看到同样的解释。\n\n"
        "| 缩写 | 英文全称 | 中文 |\n| --- | --- | --- |\n" + rows + "\n"
    )
    files.append(File.generated(config, "glossary.md", content=content))
    return files
