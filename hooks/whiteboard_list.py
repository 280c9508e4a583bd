"""手写代码题单: generate a page listing every whiteboard section the pages include.

A whiteboard section is a named snippet section called `whiteboard` or `whiteboard_<suffix>`
(`# --8<-- [start:whiteboard_lomuto]`): the code a candidate writes at the board. Each row
links to the heading above the include, gives the functions to write, the one-line
statement of the task and the number of non-blank lines. The statement is the first line of
the docstring of the section's first function, else the first comment line at the start of
the section, else the heading. The strict build checks the links.
"""

import ast
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

try:  # mkdocs loads a hook with hooks/ on sys.path; the tests import the hooks package
    from question_bank import grouped, headings, plain
except ImportError:
    from hooks.question_bank import grouped, headings, plain

LIST = "whiteboard.md"
ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^\s*#\s*-+8<-+\s*\[(?P<kind>start|end):(?P<name>[\w-]+)\]")
INCLUDE = re.compile(r'^\s*-+8<-+\s+"(?P<path>[^":]+):(?P<name>whiteboard(?:_\w+)?)"\s*$')


def is_whiteboard(name: str) -> bool:
    return name == "whiteboard" or name.startswith("whiteboard_")


def snippet_sections(path: Path) -> dict[str, list[str]]:
    """Named sections of a snippet file: name -> its lines, without the marker lines."""
    found: dict[str, list[str]] = {}
    open_names: list[str] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        marker = MARKER.match(line)
        if marker and marker["kind"] == "start":
            open_names.append(marker["name"])
            found.setdefault(marker["name"], [])
        elif marker and marker["name"] in open_names:
            open_names.remove(marker["name"])
        elif not marker:
            for name in open_names:
                found[name].append(line)
    return found


def line_count(lines: list[str]) -> int:
    return sum(1 for line in lines if line.strip())


def functions(lines: list[str]) -> list[ast.FunctionDef]:
    """The top-level functions a section defines."""
    tree = ast.parse("\n".join(lines))
    return [node for node in tree.body if isinstance(node, ast.FunctionDef)]


def statement(lines: list[str]) -> str:
    """What to write: first docstring line of the first function, else a leading comment."""
    defined = functions(lines)
    docstring = ast.get_docstring(defined[0]) if defined else None
    if docstring:
        return docstring.strip().split("\n")[0].strip()
    for line in lines:
        if line.strip().startswith("#"):
            return line.strip().lstrip("#").strip()
        if line.strip():
            break
    return ""


def signature(function: ast.FunctionDef) -> str:
    return f"{function.name}({ast.unparse(function.args)})"


def includes(markdown: str) -> list[dict[str, str]]:
    """Whiteboard includes of a page, in order: snippet path, section name, the page title
    (its h1) and the heading above the include with its anchor."""
    above = {index: (level, text, anchor) for index, level, text, anchor in headings(markdown)}
    title, heading, found = "", ("", ""), []
    for index, line in enumerate(markdown.split("\n")):
        if index in above:
            level, text, anchor = above[index]
            title = title or (plain(text) if level == 1 else "")
            heading = (plain(text), anchor)
        elif match := INCLUDE.match(line):
            found.append(
                {**match.groupdict(), "title": title, "heading": heading[0], "anchor": heading[1]}
            )
    return found


def rows(src: str, markdown: str) -> list[str]:
    """Table rows of one page's whiteboard sections (each section once)."""
    result, seen = [], set()
    for include in includes(markdown):
        key = (include["path"], include["name"])
        if key in seen:
            continue
        seen.add(key)
        lines = snippet_sections(ROOT / include["path"]).get(include["name"])
        if lines is None:
            raise PluginError(f"{src}: no section {include['name']} in {include['path']}")
        task = statement(lines) or include["heading"]
        names = "、".join(f"`{signature(f)}`" for f in functions(lines))
        link = f"{include['title']} › {include['heading']}".strip(" ›")
        href = f"{src}#{include['anchor']}" if include["anchor"] else src
        cell = f"{names}：{task}".replace("|", "\\|")
        result.append(f"| [{link}]({href}) | {cell} | {line_count(lines)} |")
    return result


def on_files(files: Files, config) -> Files:
    header = "| 题目 | 要写什么 | 行数 |\n| --- | --- | ---: |\n"
    groups = grouped(files, config, rows)
    blocks = [
        f"## {title}（{len(lines)} 题）\n\n" + header + "\n".join(lines) for title, lines in groups
    ]
    total = sum(len(lines) for _, lines in groups)
    intro = (
        "---\ndescription: 全站需要当场手写的代码题清单：要写的函数、一句话题意和参考答案的行数。\n"
        "---\n\n"
        f"# 手写代码题单\n\n全站共 **{total}** 道手写题，按章节列出。每道题给出要写的函数、"
        "一句话题意和面试手写版的行数（不计空行和 import），点击题目直达页面上的面试手写版"
        "与完整实现。这一页在构建网站时从各页面引用的代码自动生成。\n"
    )
    files.append(File.generated(config, LIST, content=intro + "\n\n" + "\n\n".join(blocks) + "\n"))
    return files
