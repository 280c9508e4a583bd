"""Bytes a first visit to a page loads (every request, raw and gzip-compressed).

Usage: python benchmarks/page_weight.py SITE_DIR [PAGE ...]   (after `make build`)
Prints one JSON line per page.
"""

import argparse
import gzip
import json
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools.browser import launch, serve


def weigh(browser, url: str) -> dict:
    """Load url in a fresh context (empty cache) and add up what it fetched."""
    finished = []
    context = browser.new_context()
    page = context.new_page()
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(500)  # late fonts and the search worker's index
    bodies = {request.url: request.response().body() for request in finished}
    context.close()
    raw = sum(len(body) for body in bodies.values())
    compressed = sum(len(gzip.compress(body, 6)) for body in bodies.values())
    largest = sorted(bodies, key=lambda u: -len(bodies[u]))[:5]
    return {
        "page": url,
        "requests": len(bodies),
        "raw_bytes": raw,
        "gzip_bytes": compressed,
        "largest": {u.rsplit("/", 1)[-1] or u: len(bodies[u]) for u in largest},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site_dir", type=Path)
    parser.add_argument("pages", nargs="*", default=["detection/nms/"])
    args = parser.parse_args()
    with serve(args.site_dir) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        for page in args.pages:
            print(json.dumps(weigh(browser, base + page), ensure_ascii=False))
        browser.close()


if __name__ == "__main__":
    main()
