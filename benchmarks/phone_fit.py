"""What does not fit a 390 px phone screen, page by page: display formulas and figures that
scroll sideways, pages wider than the screen, figure text drawn under 9 px.

Usage: python benchmarks/phone_fit.py SITE_DIR [PAGE ...] [--all]   (after `make build`)
Prints one JSON line per page that has something wide, then a summary line. The browser
test (tests/site/test_browser.py) fails on what must never happen; this counts what may
(a formula or figure that scrolls inside its own box, with a hint).
"""

import json
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.page_weight import site_and_pages
from tools import phone
from tools.browser import MATH_RENDERED, launch, serve
from tools.phone import PHONE, WIDTH

COUNT = r"""() => {
  const wide = (e) => e.scrollWidth > e.clientWidth + 1;
  const formulas = [...document.querySelectorAll("article div.arithmatex")];
  const figures = [...document.querySelectorAll("article .code-figure")];
  return {
    page_width: document.documentElement.scrollWidth,
    formulas: formulas.length,
    formulas_scrolling: formulas.filter(wide).map((e) => e.scrollWidth),
    figures: figures.length,
    figures_scrolling: figures.filter(wide).map((e) => e.scrollWidth),
  };
}"""


def measure(tab, url: str) -> dict:
    tab.goto(url)
    tab.wait_for_function(MATH_RENDERED)
    # Text drawn too small is one of the misfits the browser test fails on.
    small = sum(problem.startswith("figure text ") for problem in phone.misfits(tab))
    return {"page": url.split("/", 3)[-1], **tab.evaluate(COUNT), "figure_text_under_min": small}


def summary(results: list[dict]) -> dict:
    def total(key: str) -> int:
        return sum(len(r[key]) if isinstance(r[key], list) else r[key] for r in results)

    return {
        "pages": len(results),
        "pages_wider_than_screen": sum(r["page_width"] > WIDTH for r in results),
        "display_formulas": total("formulas"),
        "display_formulas_scrolling": total("formulas_scrolling"),
        "figures": total("figures"),
        "figures_scrolling": total("figures_scrolling"),
        "figure_text_under_9px": total("figure_text_under_min"),
    }


def main() -> None:
    site_dir, pages, _ = site_and_pages(__doc__.splitlines()[0], "normalization/batchnorm/")
    with serve(site_dir) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        tab = browser.new_context(**PHONE).new_page()
        results = [measure(tab, base + page) for page in pages]
        browser.close()
    for result in results:
        if (
            result["formulas_scrolling"]
            or result["figures_scrolling"]
            or result["page_width"] > WIDTH
        ):
            print(json.dumps(result, ensure_ascii=False))
    print(json.dumps(summary(results), ensure_ascii=False))


if __name__ == "__main__":
    main()
