"""`make serve` (mkdocs serve --dirty): rebuild only the pages an edit changes, and serve
exactly what a full build would.

MkDocs' --dirty rebuilds a page only when its Markdown file is newer than its HTML. Pages
here are also built from other files: the snippets they include (`--8<--`), the modules
their build-time code imports (and those modules' data files), and what every page is
built from (mkdocs.yml, hooks, templates, the glossary appended to every page, the search
dictionary). This hook marks a page modified when any of those is newer than its HTML,
gives the tags page what every page's front matter says, keeps the search index whole,
reloads edited hooks for the next rebuild, and keeps the theme's compiled templates.
With the print-site or offline plugin on, every rebuild is a full one. A full build
(`mkdocs build`, the first build of `serve`) builds every page anyway: the hook then only
dates the pages it wrote.
"""

import json
import logging
import os
import re
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import jinja2
from mkdocs.config import config_options

# pymdownx.snippets: `--8<-- "path"` on a line, or a block of paths between two `--8<--`
# lines. An escaped `;--8<--` and the section markers in snippets (`# --8<-- [start:x]`)
# include nothing.
INLINE_SNIPPET = re.compile(r"""^[ \t]*-+8<-+[ \t]+(["'])(?P<path>.+?)\1[ \t]*$""", re.M)
BLOCK_SNIPPET = re.compile(r"^[ \t]*-+8<-+[ \t]*\n(?P<paths>.*?)^[ \t]*-+8<-+[ \t]*$", re.M | re.S)
IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(?P<base>\.*[\w.]*)[ \t]+import[ \t]+(?P<names>\([^)]*\)|[^\n]*)"
    r"|import[ \t]+(?P<modules>[^\n]*))",
    re.M,
)
log = logging.getLogger("mkdocs.hooks.live_reload")
WHOLE_SITE_PLUGINS = ("print-site", "material/offline")  # their output gathers every page
# A file saved while a build runs may get an mtime a clock tick older than the build start.
CLOCK_MARGIN = 0.1


def normal(path: Path) -> Path:
    """An absolute path without `..` (cheaper than resolve(): links are not followed)."""
    return Path(os.path.normpath(path))


def read_text(path: Path) -> str:
    """Text a page is built from: a notebook's code cells, any other file as it is."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    if path.suffix == ".ipynb":
        try:
            cells = json.loads(text)["cells"]
            return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        except (ValueError, KeyError, TypeError):
            return text
    return text


def included_paths(text: str) -> list[str]:
    """The files a text includes with pymdownx.snippets, as written (sections stripped later)."""
    paths = [m.group("path") for m in INLINE_SNIPPET.finditer(text)]
    for block in BLOCK_SNIPPET.finditer(text):
        lines = (line.strip() for line in block.group("paths").splitlines())
        paths += [line for line in lines if line and not line.startswith(";")]
    return paths


def resolve_include(path: str, bases: Iterable[Path]) -> Path | None:
    """`snippets/a.py:section` or `a.md:3:8` -> the file, looked up as pymdownx.snippets does."""
    candidates = [path]
    while ":" in candidates[-1]:
        candidates.append(candidates[-1].rsplit(":", 1)[0])
    for candidate in candidates:
        for base in bases:
            if (base / candidate).is_file():
                return normal(base / candidate)
    return None


def imported_modules(text: str, importer: Path | None) -> list[tuple[Path | None, str]]:
    """(package directory for a relative import or None, dotted name) of every import."""
    found: list[tuple[Path | None, str]] = []
    for match in IMPORT.finditer(text):
        if match.group("modules") is not None:
            for item in match.group("modules").split("#")[0].split(","):
                found.append((None, item.split(" as ")[0].strip()))
            continue
        base, names = match.group("base"), match.group("names").split("#")[0].strip("()")
        package = None
        if base.startswith("."):
            if importer is None:
                continue
            dots = len(base) - len(base.lstrip("."))
            package, base = importer.parents[dots - 1], base.lstrip(".")
        for name in names.replace("\n", " ").split(","):
            name = name.split(" as ")[0].strip()
            if name and name != "*":
                found.append((package, f"{base}.{name}" if base else name))
        if base:
            found.append((package, base))
    return found


def module_files(name: str, roots: Iterable[Path]) -> list[Path]:
    """The local files `import name` executes: each package's __init__.py and the module."""
    parts = [part for part in name.split(".") if part.isidentifier()]
    files = []
    for root in roots:
        for depth in range(1, len(parts) + 1):
            stem = root.joinpath(*parts[:depth])
            for candidate in (stem.with_suffix(".py"), stem / "__init__.py"):
                if candidate.is_file():
                    files.append(normal(candidate))
    return files


def data_files(module: Path, roots: Iterable[Path]) -> list[Path]:
    """Non-Python files in a module's package directory: what it may read at build time."""
    directory = module.parent
    if directory in {normal(root) for root in roots}:
        return []  # a top-level module: its directory is a whole import root
    return [
        normal(path)
        for path in directory.rglob("*")
        if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts
    ]


def dependencies(
    source: Path, bases: list[Path], roots: list[Path], memo: dict[Path, set[Path]]
) -> set[Path]:
    """Every file the page or snippet `source` is built from, itself included: what it
    includes and what its code imports, transitively. A missing include is kept (it fails
    the build, which should show)."""
    source = normal(source)
    if source in memo:
        return memo[source]
    found = memo[source] = {source}  # set before recursing: include cycles end here
    text = read_text(source)
    for path in included_paths(text):
        target = resolve_include(path, bases)
        if target is None:
            found.add(bases[0] / path)  # missing: its mtime counts as new
        else:
            found |= dependencies(target, bases, roots, memo)
    for package, name in imported_modules(text, source):
        for module in module_files(name, [package] if package else roots):
            found |= dependencies(module, bases, roots, memo)
            found.update(data_files(module, roots))
    return found


def mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return float("inf")  # missing or unreadable: rebuild, and let the build report it


def shared_dependencies(config) -> set[Path]:
    """Files every page is built from."""
    root = project_root(config)
    found = {normal(Path(config.config_file_path).absolute())}
    found.update(Path(hook.__file__) for hook in config.hooks.values())
    if config.theme.custom_dir:
        found.update(p for p in Path(config.theme.custom_dir).rglob("*") if p.is_file())
    snippets = config.mdx_configs.get("pymdownx.snippets", {})
    for path in snippets.get("auto_append", []):
        found.add(resolve_include(path, snippet_bases(config)) or root / path)
    search = config.plugins.get("material/search")
    if search:
        for option in ("jieba_dict", "jieba_dict_user"):
            if search.config.get(option):
                found.add(normal(Path.cwd() / search.config[option]))  # cwd-relative
    return found


def project_root(config) -> Path:
    return normal(Path(config.config_file_path).absolute().parent)


def snippet_bases(config) -> list[Path]:
    base = config.mdx_configs.get("pymdownx.snippets", {}).get("base_path", ".")
    bases = base if isinstance(base, list) else [base]
    root = project_root(config)
    return [normal(root / os.fspath(b)) for b in bases]


def import_roots(config) -> list[Path]:
    """Where build-time code imports from (hooks/import_paths.py puts them on sys.path)."""
    root = project_root(config)
    return [root / "snippets", root]


def stale_pages(files, config) -> list:
    """Documentation files whose HTML is older than something the page is built from."""
    bases, roots, memo = snippet_bases(config), import_roots(config), {}
    newest_shared = max(map(mtime, shared_dependencies(config)))
    stale = []
    for file in files.documentation_pages():
        if file.abs_src_path is None:
            continue  # generated by a hook: MkDocs always rebuilds it
        built = mtime(Path(file.abs_dest_path))
        if built == float("inf"):
            continue  # never built: MkDocs builds it
        if newest_shared > built or any(
            mtime(dep) > built for dep in dependencies(Path(file.abs_src_path), bases, roots, memo)
        ):
            stale.append(file)
    return stale


build_started = 0.0
all_pages: list[str] = []  # URLs of the site's pages, in the order MkDocs builds them
rebuilt: dict[str, tuple[str, str]] = {}  # URL -> (source, HTML file) of each page written
previous_index: dict | None = None


def on_startup(command: str, dirty: bool) -> None:
    if command == "serve":
        # Importing snippets would write __pycache__/ into watched folders: a second rebuild.
        sys.dont_write_bytecode = True
        os.environ["PYTHONDONTWRITEBYTECODE"] = "1"  # notebook kernels too
    if dirty:
        # Its warning about inaccurate pages on every rebuild is what this hook takes care of.
        logging.getLogger("mkdocs.commands.build").addFilter(
            lambda record: "A 'dirty' build is being performed" not in record.getMessage()
        )


def on_config(config):
    global build_started, previous_index
    build_started = time.time()
    rebuilt.clear()
    index = Path(config.site_dir) / "search" / "search_index.json"
    from hooks.search_index_split import whole  # the repo root is on sys.path from on_config

    try:  # a dirty build keeps the previous site: its index holds the pages not rebuilt
        previous_index = whole(json.loads(index.read_text(encoding="utf-8")), index.parents[1])
    except (OSError, ValueError) as error:
        previous_index = None
        if index.is_file():  # the search would lose every page this build does not redo
            log.warning("previous search index unreadable, not merged: %s", error)
    search = config.plugins.get("material/search")
    if search and hasattr(search, "search_index_prev"):
        # Material's own merge for dirty builds assumes one rebuilt page: keep this build's
        # entries only, and merge them in on_post_build.
        search.search_index_prev = None
    return config


def rebuild(file) -> None:
    file.is_modified = lambda: True  # what MkDocs asks before it rebuilds a page


def on_nav(nav, config, files):
    pages = files.documentation_pages()
    all_pages[:] = [(file.page.url if file.page else file.url) for file in pages]
    whole_site = any(
        plugin.config.get("enabled", True)
        for name, plugin in config.plugins.items()
        if name in WHOLE_SITE_PLUGINS
    )
    for file in pages if whole_site else stale_pages(files, config):
        rebuild(file)
    tags = config.plugins.get("material/tags")
    listing = f"<!-- {tags.config.listings_directive}" if tags and tags.config.enabled else None
    for file in pages:
        if file.page is None or file.is_modified():
            continue  # MkDocs builds it
        if listing and listing in file.content_string:
            rebuild(file)  # the tags page: what it lists may have changed anywhere
            continue
        # A page MkDocs skips: the pages it does build still show this one's front matter
        # in the navigation, and its tags link to the tags page once that lists them.
        file.page.read_source(config)
        if listing:
            tags.on_page_markdown(file.page.markdown, page=file.page, config=config, files=files)
    return nav


def on_env(env, config, files):
    # The theme's templates are compiled anew for every build; their compiled code is kept
    # in .cache/jinja (Jinja checks each against its source).
    directory = project_root(config) / ".cache" / "jinja"
    directory.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(directory))
    return env


def on_page_context(context, page, config, nav):
    rebuilt[page.url] = (page.file.src_uri, page.file.abs_dest_path)
    return context


def merged_index(previous: dict, current: dict, pages: list[str], built: set[str]) -> dict:
    """The index a full build would write: the rebuilt pages' entries from this build, the
    other pages' entries from the previous one, in the order of the pages."""

    def by_page(index: dict) -> dict[str, list[dict]]:
        entries: dict[str, list[dict]] = {}
        for entry in index["docs"]:
            entries.setdefault(entry["location"].split("#")[0], []).append(entry)
        return entries

    old, new = by_page(previous), by_page(current)
    docs = [entry for url in pages for entry in (new if url in built else old).get(url, [])]
    return {**current, "docs": docs}


def on_post_build(config):
    for _, html in rebuilt.values():  # dated from the build start: a save meanwhile is newer
        if os.path.isfile(html):
            os.utime(html, (build_started - CLOCK_MARGIN,) * 2)
    if not set(rebuilt).issuperset(all_pages):
        sources = sorted(source for source, _ in rebuilt.values())
        log.info("Rebuilt %d of %d pages: %s", len(sources), len(all_pages), ", ".join(sources))
        index = Path(config.site_dir) / "search" / "search_index.json"
        if previous_index and index.is_file():
            current = json.loads(index.read_text(encoding="utf-8"))
            merged = merged_index(previous_index, current, all_pages, set(rebuilt))
            text = json.dumps(merged, ensure_ascii=False, separators=(",", ":"))
            index.write_text(text, encoding="utf-8")
    reload_hooks()


def on_build_error(error):
    reload_hooks()


def reload_hooks() -> None:
    """MkDocs loads each hook once per process; `serve` reloads mkdocs.yml for every
    rebuild, and with this it also runs the hooks' current code."""
    cache_clear = getattr(config_options.Hooks._load_hook, "cache_clear", None)
    if cache_clear:
        cache_clear()
