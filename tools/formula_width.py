"""How wide each display formula of a page is on a 390 px phone, drawn by the site's KaTeX.

Usage: .venv/bin/python -m tools.formula_width docs/PAGE.md [...] [--all]
Prints `file:line  width  TeX` for every `$$ … $$` block wider than a phone allows (every
block with --all), then a count; exits 1 if one is too wide or KaTeX cannot parse it.
A page is checked whole by the browser tests after a build; this answers in seconds.
"""

import argparse
import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from tools.browser import ROOT, launch, serve
from tools.phone import WIDTH

KATEX = ROOT / "node_modules" / "katex" / "dist"
LIMIT = WIDTH - 20  # px: a little air at the screen's edges
# On a phone, display math is 1.1em (stylesheets/phone.css) of 16 px text; KaTeX's own
# stylesheet sets 1.21em, so the box below is 1.1 / 1.21 em.
PROBE = f"""<!doctype html><meta charset="utf-8">
<link rel="stylesheet" href="katex.min.css"><script src="katex.min.js"></script>
<body style="margin: 0; font-size: {16 * 1.1 / 1.21:.4f}px"></body>"""
MEASURE = """async (sources) => {
  const boxes = sources.map((tex) => {
    const box = Object.assign(document.createElement("div"), { style: "width: max-content" });
    try {
      katex.render(tex, box, { displayMode: true, throwOnError: true });
    } catch (error) {
      return error.message;
    }
    return document.body.appendChild(box);
  });
  await document.fonts.ready;  // KaTeX's fonts load when first used
  return boxes.map((box) => (typeof box === "string" ? box : box.getBoundingClientRect().width));
}"""
BLOCK = re.compile(r"^[ \t]*\$\$\n(.*?)\n[ \t]*\$\$$", re.S | re.M)  # also in lists, admonitions


def display_formulas(markdown: str) -> list[tuple[int, str]]:
    """Each `$$ … $$` block (the fences on lines of their own) with its first line's number."""
    return [(markdown.count("\n", 0, m.start()) + 1, m.group(1)) for m in BLOCK.finditer(markdown)]


def widths(sources: list[str]) -> list[float | str]:
    """Each formula's width in px as a phone shows it, or KaTeX's error message."""
    if not sources:
        return []
    if not (KATEX / "katex.min.js").is_file():
        raise FileNotFoundError(f"no KaTeX in {KATEX}: run make deps")
    with serve(KATEX) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        tab = browser.new_page()
        probe = base + "probe.html"
        tab.route(probe, lambda route: route.fulfill(body=PROBE, content_type="text/html"))
        tab.goto(probe)
        measured = tab.evaluate(MEASURE, sources)
        browser.close()
    return measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="+", type=Path)
    parser.add_argument("--all", action="store_true", help="every formula, not only wide ones")
    args = parser.parse_args(argv)
    found = [
        (page, line, tex)
        for page in args.pages
        for line, tex in display_formulas(page.read_text(encoding="utf-8"))
    ]
    too_wide = 0
    for (page, line, tex), width in zip(found, widths([tex for *_, tex in found]), strict=True):
        bad = isinstance(width, str) or width > LIMIT
        too_wide += bad
        if bad or args.all:
            shown = width if isinstance(width, str) else f"{width:.0f} px"
            print(f"{page}:{line}\t{shown}\t{' '.join(tex.split())[:60]}")
    print(f"{too_wide} of {len(found)} display formulas wider than {LIMIT} px or unparsable")
    return 1 if too_wide else 0


if __name__ == "__main__":
    sys.exit(main())
