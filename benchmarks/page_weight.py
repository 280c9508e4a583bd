"""Bytes a first visit to a page loads (every request, raw and gzip-compressed).

Usage: python benchmarks/page_weight.py SITE_DIR [PAGE ...]   (after `make build`)
Prints one JSON line per page; with --all, every page of the site and then a summary line.
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
    page.wait_for_timeout(500)  # late fonts, KaTeX
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


def site_and_pages(description: str, default_page: str) -> tuple[Path, list[str], bool]:
    """The command line of a benchmark over a built site: SITE_DIR [PAGE ...] [--all]."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("site_dir", type=Path)
    parser.add_argument("pages", nargs="*", default=[default_page])
    parser.add_argument("--all", action="store_true", help="every page of the site")
    args = parser.parse_args()
    return args.site_dir, all_pages(args.site_dir) if args.all else args.pages, args.all


def main() -> None:
    site_dir, pages, every_page = site_and_pages(__doc__.splitlines()[0], "detection/nms/")
    with serve(site_dir) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        results = [weigh(browser, base + page) for page in pages]
        browser.close()
    for result in results:
        print(json.dumps(result, ensure_ascii=False))
    if every_page:
        print(json.dumps(summary(results), ensure_ascii=False))


def all_pages(site_dir: Path) -> list[str]:
    """Every page MkDocs wrote (directory URLs), without the 404 and print pages."""
    pages = sorted(p.parent.relative_to(site_dir).as_posix() for p in site_dir.rglob("index.html"))
    return [("" if p == "." else p + "/") for p in pages if p != "print_page"]


def summary(results: list[dict]) -> dict:
    gzip_bytes = sorted(result["gzip_bytes"] for result in results)
    heaviest = max(results, key=lambda result: result["gzip_bytes"])
    return {
        "pages": len(results),
        "median_gzip_bytes": gzip_bytes[len(gzip_bytes) // 2],
        "max_gzip_bytes": gzip_bytes[-1],
        "heaviest": heaviest["page"].split("/", 3)[-1],
        "pages_over_300k_gzip": sum(size > 300_000 for size in gzip_bytes),
    }


if __name__ == "__main__":
    main()
