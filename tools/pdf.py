"""Print the whole site to one PDF: the print page of mkdocs-print-site-plugin, rendered
(KaTeX included) and printed by headless Chromium, with page numbers and bookmarks.

Usage: python -m tools.pdf SITE_DIR OUT.pdf   (`make pdf` builds with PRINT_SITE=true first)
"""

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

from tools.browser import MATH_RENDERED, launch, serve

FOOTER = (
    '<div style="width:100%;font-size:8px;text-align:center;color:#666">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def print_page_to_pdf(browser, site_url: str, out: Path) -> Path:
    """Render the print page of the site served at site_url and save it as PDF."""
    page = browser.new_page()
    page.goto(site_url + "print_page/", wait_until="networkidle")
    page.wait_for_function(MATH_RENDERED, timeout=60_000)
    page.emulate_media(media="print")
    page.pdf(
        path=out,
        format="A4",
        margin={"top": "18mm", "bottom": "18mm", "left": "15mm", "right": "15mm"},
        display_header_footer=True,
        header_template="<span></span>",
        footer_template=FOOTER,
        print_background=True,
        outline=True,
        tagged=True,
    )
    page.close()
    return out


def print_site(site_dir: Path, out: Path) -> Path:
    """Serve a built site, print it to out as PDF and return out."""
    if not (site_dir / "print_page" / "index.html").is_file():
        raise FileNotFoundError(f"{site_dir} has no print_page/: build with PRINT_SITE=true")
    with serve(site_dir) as url, sync_playwright() as playwright:
        browser = launch(playwright)
        print_page_to_pdf(browser, url, out)
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site_dir", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    print(print_site(args.site_dir, args.out))


if __name__ == "__main__":
    main()
