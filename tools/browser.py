"""Headless Chromium from Debian (never a browser Playwright downloads), and a local server."""

import contextlib
import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying to reach Google's hosts.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# True once KaTeX has rendered every formula pymdownx.arithmatex left on the page.
MATH_RENDERED = (
    "[...document.querySelectorAll('.arithmatex')].every(e => e.querySelector('.katex'))"
)


def launch(playwright):
    """Start Debian's Chromium through Playwright."""
    if not CHROMIUM.exists():
        raise FileNotFoundError(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)


ROOT = Path(__file__).resolve().parent.parent
# Files of the tests, served beside every site at paths the site never uses: a script loaded
# by URL is compiled once and then taken from the browser's code cache, an injected one on
# every page (about 80 ms for axe-core).
TEST_FILES = {"/__tests__/axe.min.js": ROOT / "node_modules" / "axe-core" / "axe.min.js"}


class _QuietHandler(SimpleHTTPRequestHandler):
    def translate_path(self, path: str) -> str:
        test_file = TEST_FILES.get(urlsplit(path).path)
        return str(test_file) if test_file else super().translate_path(path)

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve a directory on 127.0.0.1 (a free port) and yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
