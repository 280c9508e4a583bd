"""Headless Chromium from Debian (never a browser Playwright downloads), and a local server."""

import contextlib
import functools
import re
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
# True unless a formula lacks KaTeX's style, which hides the MathML copy from sight.
MATH_STYLED = """[...document.querySelectorAll('.katex-mathml')].every(
  (mathml) => getComputedStyle(mathml).position === 'absolute')"""

# Sets window.__shown to the page's URL whenever Material has shown a page: after it loads,
# and after every instant navigation (document$ emits on both). For follow().
SHOWN = """document.addEventListener("DOMContentLoaded", () =>
  window.document$?.subscribe(() => { window.__shown = location.href; }));"""
# Clicks a link to url, as a reader does: Material loads the page into the open one. The
# window is marked, to tell instant navigation (the window stays) from a whole new page.
CLICK = """(url) => {
  window.__shown = null;
  window.__stayed = true;
  const link = Object.assign(document.createElement("a"), { href: url });
  document.body.append(link);
  link.click();
  link.remove();
}"""
# Fonts too: a KaTeX font that arrives later changes the layout that a test measures.
ARRIVED = f"""(url) => window.__shown === url && document.readyState === "complete"
  && [...document.images].every((image) => image.complete) && {MATH_RENDERED}
  && document.fonts.status === 'loaded'"""


def follow(tab, url: str) -> None:
    """Open url in tab the way a reader moves through the site: by a link, which Material's
    instant navigation loads into the open page. A tab on no page of the site yet, or on url
    itself (Material does not reload the open page), loads it whole. The tab needs the SHOWN
    init script (tab.add_init_script(SHOWN)). A link that leads to a whole new page raises."""
    if tab.evaluate("window.__shown") in (None, url):
        # Material follows links instantly once it has the sitemap (the pages it may load).
        with tab.expect_response("**/sitemap.xml") as sitemap:
            tab.goto(url)
        sitemap.value.finished()
        tab.wait_for_function(ARRIVED, arg=url)
        return
    tab.evaluate(CLICK, url)
    tab.wait_for_function(ARRIVED, arg=url)
    if not tab.evaluate("window.__stayed === true"):
        raise RuntimeError(f"{url}: loaded whole, not by instant navigation")


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


LOCATION = re.compile(r"<loc>([^<]*)</loc>")


def local_sitemap(sitemap: str, base: str) -> str:
    """The sitemap with its URLs moved from the published site to base. Material's instant
    navigation follows only links to pages that the sitemap lists; on the published site
    they are its own URLs, as they become on the test server."""
    locations = LOCATION.findall(sitemap)
    home = min(locations, key=len, default="")
    if not home or not all(location.startswith(home) for location in locations):
        raise ValueError(f"sitemap.xml: no home page that every URL starts with: {home!r}")
    return sitemap.replace(f"<loc>{home}", f"<loc>{base}")


class _QuietHandler(SimpleHTTPRequestHandler):
    def translate_path(self, path: str) -> str:
        test_file = TEST_FILES.get(urlsplit(path).path)
        return str(test_file) if test_file else super().translate_path(path)

    def do_GET(self) -> None:
        sitemap = Path(self.directory, "sitemap.xml")
        if urlsplit(self.path).path != "/sitemap.xml" or not sitemap.is_file():
            return super().do_GET()
        base = f"http://{self.headers['Host']}/"
        body = local_sitemap(sitemap.read_text(encoding="utf-8"), base).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

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
