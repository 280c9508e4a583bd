"""Reuse the output of code run at build time (markdown-exec fences, notebooks) while
nothing it can import has changed, so that a warm build runs none of it again.

The key is the code itself plus a digest of snippets/, tools/ and the installed packages.
Output of a fence that logged a warning (it failed) is never stored. Entries no page used
are deleted after a build that rendered every page; a dirty rebuild (`make serve`)
renders a few and deletes nothing.
"""

import hashlib
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORTED = ("snippets", "tools")  # what build-time code imports besides packages
FENCE_LOGGER = "mkdocs.plugins.markdown_exec"  # where a failing fence warns


def installed_packages() -> list[str]:
    """Name and version of every installed distribution, as its metadata folder is named
    (name-1.2.dist-info): listing the folders is quicker than reading every METADATA file."""
    found = set()
    for entry in filter(os.path.isdir, sys.path):
        found.update(n for n in os.listdir(entry) if n.endswith((".dist-info", ".egg-info")))
    return sorted(found)


def digest_of_imports() -> str:
    digest = hashlib.sha256(sys.version.encode())
    digest.update("\n".join(installed_packages()).encode())
    for top in IMPORTED:
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


class WarningCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class CachedFence:
    """A superfences formatter that stores what the wrapped formatter returns."""

    def __init__(self, formatter, directory: Path, digest: str, used: set[Path]) -> None:
        self.formatter, self.directory, self.digest, self.used = formatter, directory, digest, used

    def __call__(self, source, language, css_class, options, md, **kwargs):
        if options.get("session"):  # state shared with other fences: always run
            return self.formatter(source, language, css_class, options, md, **kwargs)
        fence = (source, language, css_class, sorted(options.items()), sorted(kwargs.items()))
        key = repr((self.digest, *fence))
        path = self.directory / f"{hashlib.sha256(key.encode()).hexdigest()}.html"
        self.used.add(path)
        if path.exists():
            return path.read_text(encoding="utf-8")
        counter = WarningCounter()
        logging.getLogger("mkdocs").addHandler(counter)
        # `mkdocs build -q` raises mkdocs' log level to ERROR: a failing fence would then
        # warn nobody, neither this counter (its output would be stored) nor --strict.
        fence_log = logging.getLogger(FENCE_LOGGER)
        level = fence_log.level
        fence_log.setLevel(logging.WARNING)
        try:
            html = self.formatter(source, language, css_class, options, md, **kwargs)
        finally:
            fence_log.setLevel(level)
            logging.getLogger("mkdocs").removeHandler(counter)
        if counter.count == 0:
            write_atomically(path, str(html))
        return html


def write_atomically(path: Path, text: str) -> None:
    """Builds may run side by side (test workers): never leave half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False) as file:
        file.write(text)
    os.replace(file.name, path)


fence_cache: Path | None = None
used: set[Path] = set()  # entries this build read or wrote; the rest is stale
pages: set[str] = set()  # the site's pages
rendered: set[str] = set()  # the pages this build rendered


def on_config(config):
    global fence_cache
    cache = Path(config.config_file_path).parent / ".cache"
    digest = digest_of_imports()
    fence_cache = cache / "markdown-exec"
    used.clear()
    rendered.clear()
    # markdown-exec's own on_config (plugins run before hooks) registered its fences.
    for fence in config.mdx_configs.get("pymdownx.superfences", {}).get("custom_fences", []):
        if getattr(fence["format"], "__module__", "").startswith("markdown_exec"):
            fence["format"] = CachedFence(fence["format"], fence_cache, digest, used)
    jupyter = config.plugins.get("mkdocs-jupyter")
    if jupyter and jupyter.config["cache"]:
        # Its own key is the notebook's bytes: a directory per digest adds the imports.
        notebooks = cache / "mkdocs-jupyter"
        for stale in notebooks.glob("*"):
            if stale.name != digest:
                shutil.rmtree(stale, ignore_errors=True)
        jupyter.config["cache_dir"] = str(notebooks / digest)
    return config


def on_nav(nav, config, files):
    pages.clear()
    pages.update(file.src_uri for file in files.documentation_pages())
    return nav


def on_page_markdown(markdown, page, config, files):
    rendered.add(page.file.src_uri)
    return markdown


def every_page_rendered() -> bool:
    return rendered >= pages


def on_env(env, config, files):
    # mkdocs-jupyter deletes, after the build, every notebook output it did not read.
    jupyter = config.plugins.get("mkdocs-jupyter")
    if jupyter and not every_page_rendered():
        jupyter.config["cache"] = False  # read only by its eviction now: keep them all
    return env


def on_post_build(config):
    if not every_page_rendered():
        return
    for path in fence_cache.glob("*.html"):
        if path not in used:
            path.unlink(missing_ok=True)
