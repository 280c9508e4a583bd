"""Every page on a 390×844 touch screen: nothing widens the page, code and figure text stay
readable, wide math and code show that they scroll; tooltips open on tap."""

import pytest

from tools.browser import MATH_RENDERED

from .test_browser import PAGES, page_path

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
MIN_TEXT_PX = 9  # font size of SVG text as drawn
MIN_CODE_PX = 11

# One pass over the page in the browser: what does not fit, and why.
MEASURE = r"""([minText, minCode]) => {
  const hinted = (e) => getComputedStyle(e).backgroundImage.includes("gradient");
  const overflows = (e) => e.scrollWidth > e.clientWidth + 1;
  const describe = (e) => e.textContent.trim().slice(0, 50);
  const problems = [];
  if (document.documentElement.scrollWidth > innerWidth)
    problems.push(`page is ${document.documentElement.scrollWidth} px wide`);
  for (const e of document.querySelectorAll("article div.arithmatex, article .code-figure"))
    if (overflows(e) && !hinted(e)) problems.push(`scrolls without a hint: ${describe(e)}`);
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


@pytest.fixture(scope="session")
def phone_tab(browser):
    """One phone tab for all page visits (see reader_tab in test_browser.py)."""
    context = browser.new_context(locale="zh-CN", **PHONE)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("src", PAGES)
def test_page_fits_a_phone(phone_tab, site_url: str, src: str):
    phone_tab.goto(site_url + page_path(src), wait_until="load")
    phone_tab.wait_for_function(MATH_RENDERED)
    problems = phone_tab.evaluate(MEASURE, [MIN_TEXT_PX, MIN_CODE_PX])
    assert not problems, "\n".join(problems[:20])


def test_abbreviation_shows_its_expansion_on_tap(phone_tab, site_url: str):
    phone_tab.goto(site_url + "detection/nms/", wait_until="networkidle")
    phone_tab.locator("article abbr", has_text="NMS").first.tap()
    tooltip = phone_tab.locator(".md-tooltip2--active")
    tooltip.wait_for()
    assert "Non-Maximum Suppression" in tooltip.text_content()


def test_back_to_top_stays_clear_of_the_text_column_top(phone_tab, site_url: str):
    phone_tab.goto(site_url + "normalization/batchnorm/", wait_until="networkidle")
    phone_tab.mouse.wheel(0, 3000)
    phone_tab.wait_for_timeout(200)
    phone_tab.mouse.wheel(0, -400)  # Material shows the button while scrolling up
    button = phone_tab.locator(".md-top")
    button.wait_for(state="visible")
    box = button.bounding_box()
    assert box["y"] > 844 / 2, f"back-to-top at {box}"
    assert box["x"] + box["width"] <= 390
