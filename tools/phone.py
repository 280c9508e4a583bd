"""A page on a 390×844 touch screen: what does not fit, measured in Chromium. The browser
tests read every page on a phone (tests/site/test_browser.py)."""

WIDTH, HEIGHT = 390, 844
# For a new browser context (browser.new_context(**PHONE)).
PHONE = {"viewport": {"width": WIDTH, "height": HEIGHT}, "has_touch": True, "is_mobile": True}
MIN_TEXT_PX = 9  # font size of SVG text as drawn
MIN_CODE_PX = 11

# One pass over the page in the browser: what does not fit, and why.
MEASURE = r"""([width, minText, minCode]) => {
  const hinted = (e) => getComputedStyle(e).backgroundImage.includes("gradient");
  const overflows = (e) => e.scrollWidth > e.clientWidth + 1;
  const describe = (e) => e.textContent.trim().slice(0, 50);
  const problems = [];
  // Against the screen, not innerWidth: a phone widens its layout to fit what overflows.
  if (document.documentElement.scrollWidth > width)
    problems.push(`page is ${document.documentElement.scrollWidth} px wide`);
  // A display formula fits: a long one is written as aligned lines (CONTRIBUTING.md).
  for (const e of document.querySelectorAll("article div.arithmatex")) {
    const tex = e.querySelector("annotation")?.textContent ?? e.textContent;
    if (overflows(e)) problems.push(`formula ${e.scrollWidth} px wide: ${tex.trim().slice(0, 50)}`);
  }
  for (const e of document.querySelectorAll("article .code-figure"))
    if (overflows(e) && !hinted(e)) problems.push(`scrolls without a hint: ${describe(e)}`);
  // A panel wider than its row must start at the row's left edge: left of it, nobody can scroll.
  for (const svg of document.querySelectorAll("article .figure-row > svg"))
    if (svg.getBoundingClientRect().left < svg.parentElement.getBoundingClientRect().left - 1)
      problems.push(`figure panel cut off at the left: ${svg.closest("[aria-label]").ariaLabel}`);
  // Text size as drawn: its font size times the figure's scale (rotation-proof).
  for (const svg of document.querySelectorAll("article .code-figure svg")) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const text of svg.querySelectorAll("text, tspan")) {
      if (!text.textContent.trim() || text.querySelector("tspan")) continue;
      const size = parseFloat(getComputedStyle(text).fontSize) * scale;
      if (size < minText) problems.push(`figure text ${size.toFixed(1)} px: ${describe(text)}`);
    }
  }
  for (const code of document.querySelectorAll("article pre > code")) {
    if (code.offsetParent === null) continue;  // in a closed tab or details block
    const size = parseFloat(getComputedStyle(code).fontSize);
    if (size < minCode) problems.push(`code at ${size} px: ${describe(code)}`);
    if (overflows(code) && !hinted(code)) problems.push(`code scrolls without a hint`);
    const button = code.parentElement.querySelector(".md-code__nav");
    const line = code.querySelector(":scope > span, :scope > a + span") || code.firstChild;
    if (button && line) {
      const range = document.createRange();
      range.selectNodeContents(line);
      const b = button.getBoundingClientRect(), l = range.getBoundingClientRect();
      if (l.width && b.bottom > l.top && b.top < l.bottom && b.left < l.right)
        problems.push(`copy button covers the first line: ${describe(code)}`);
    }
  }
  return problems;
}"""


def misfits(tab) -> list[str]:
    """What does not fit on the phone's screen, for the page open in tab: a tab of a browser
    context made with PHONE."""
    if tab.viewport_size != PHONE["viewport"] or not tab.evaluate("'ontouchstart' in window"):
        raise ValueError(f"not a phone's tab (browser.new_context(**PHONE)): {tab.viewport_size}")
    return tab.evaluate(MEASURE, [WIDTH, MIN_TEXT_PX, MIN_CODE_PX])
