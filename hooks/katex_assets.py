"""Serve KaTeX from the site itself: add the npm package's files to the build."""

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

DIST = Path(__file__).resolve().parent.parent / "node_modules" / "katex" / "dist"
# The page loads these; the CSS finds its fonts by relative URL in fonts/.
SERVED = ["katex.min.js", "katex.min.css", "contrib/auto-render.min.js"]


def on_files(files: Files, config) -> Files:
    if not (DIST / "katex.min.js").is_file():
        raise PluginError(f"KaTeX not found in {DIST}: run `npm ci` (make does it for you)")
    # woff2 only: every browser that runs this site's JavaScript reads woff2.
    fonts = sorted(p.relative_to(DIST).as_posix() for p in (DIST / "fonts").glob("*.woff2"))
    for name in SERVED + fonts:
        files.append(File.generated(config, f"assets/katex/{name}", abs_src_path=str(DIST / name)))
    return files
