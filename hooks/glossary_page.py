"""术语表: generate the glossary page from includes/abbreviations.md, the file that also
gives every page its hover tooltips (pymdownx.snippets auto_append + abbr) and the search
its synonyms (hooks/search_terms.py). ' / ' separates other names of the same thing:
*[BN]: Batch Normalization / BatchNorm，批归一化 / 批标准化

Each term links to the section that explains it: includes/glossary_links.tsv, one
`term<TAB>page.md#anchor` per line. The strict build checks every anchor; a small test project
(tests/site/conftest.py) without the page leaves the term unlinked."""

import re
from pathlib import Path

from mkdocs.structure.files import File, Files

SOURCE = Path(__file__).resolve().parent.parent / "includes" / "abbreviations.md"
LINKS = SOURCE.with_name("glossary_links.tsv")
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


def links() -> dict[str, str]:
    """Term -> page.md#anchor of the section that explains it; a malformed line is an error."""
    result = {}
    for number, line in enumerate(LINKS.read_text(encoding="utf-8").splitlines(), 1):
        term, _, target = line.partition("\t")
        if not target.partition("#")[2] or not target.partition("#")[0].endswith(".md"):
            raise ValueError(f"{LINKS.name}:{number}: expected 'term<TAB>page.md#anchor'")
        result[term] = target
    return result


def on_files(files: Files, config) -> Files:
    targets = links()

    def term(entry: dict[str, str]) -> str:
        target = targets.get(entry["term"], "")
        if files.get_file_from_path(target.partition("#")[0]) is None:
            return entry["term"]
        return f"[{entry['term']}]({target})"

    rows = "\n".join(f"| {term(e)} | {e['english']} | {e['chinese']} |" for e in entries())
    content = (
        "---\ndescription: 深度学习面试常用缩写与术语的中英对照表。\n---\n\n"
        "# 术语表\n\n常用缩写的英文全称与中文含义，点缩写可以跳到讲解它的那一节。"
        "全站页面上出现这些缩写时，把鼠标悬停在上面（手机上轻点）也能看到同样的解释。\n\n"
        "| 缩写 | 英文全称 | 中文 |\n| --- | --- | --- |\n" + rows + "\n"
    )
    files.append(File.generated(config, "glossary.md", content=content))
    return files
