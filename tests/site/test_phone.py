"""On a 390×844 touch screen: tooltips open on tap, the back-to-top button stays clear of
the text. What fits on a phone is measured on every page's visit in test_browser.py."""

import pytest

from tools import phone

from .conftest import new_tab

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def phone_tab(browser):
    """One phone tab for the tests below (reader_tab in test_browser.py visits the pages)."""
    with new_tab(browser, **phone.PHONE) as tab:
        yield tab


def test_measure_finds_what_does_not_fit(phone_tab, page, site_url: str):
    phone_tab.goto(site_url + "tags/", wait_until="load")
    phone_tab.evaluate("""() => document.querySelector("article h1").insertAdjacentHTML("afterend",
      '<p><span style="display: inline-block; width: 395px">宽</span></p>'
      + '<div class="highlight"><pre><code style="font-size: 10px">x = 1</code></pre></div>'
      + '<div class="arithmatex"><span style="display: inline-block; width: 420px">y</span>'
      + '</div><div class="code-figure"><div aria-label="图 z">'
      + '<div class="figure-row" style="justify-content: center">'
      + '<svg viewBox="0 0 10 10" style="min-width: 500px"><text>z</text></svg>'
      + '</div></div></div>')""")
    # A phone widens its layout to fit: the page is measured against the screen.
    assert phone.misfits(phone_tab) == [
        "page is 411 px wide",
        "formula 420 px wide: y",
        "figure panel cut off at the left: 图 z",
        "code at 10 px: x = 1",
    ]
    page.goto(site_url + "tags/", wait_until="load")
    with pytest.raises(ValueError, match="not a phone's tab"):
        phone.misfits(page)


def test_abbreviation_shows_its_expansion_on_tap(phone_tab, site_url: str):
    phone_tab.goto(site_url + "detection/nms/")
    phone_tab.locator("article abbr", has_text="NMS").first.tap()
    tooltip = phone_tab.locator(".md-tooltip2--active")
    tooltip.wait_for()
    assert "Non-Maximum Suppression" in tooltip.text_content()


def test_back_to_top_stays_clear_of_the_text_column_top(phone_tab, site_url: str):
    phone_tab.goto(site_url + "normalization/batchnorm/")
    phone_tab.mouse.wheel(0, 3000)
    phone_tab.wait_for_timeout(200)
    phone_tab.mouse.wheel(0, -400)  # Material shows the button while scrolling up
    button = phone_tab.locator(".md-top")
    button.wait_for(state="visible")
    box = button.bounding_box()
    assert box["y"] > 844 / 2, f"back-to-top at {box}"
    assert box["x"] + box["width"] <= 390


PANEL_LAYOUT = """(page) => {
  const [panels] = document.querySelectorAll("article .figure-panels");
  const rows = [...panels.children];
  const figure = panels.parentElement;
  const svgs = rows.flatMap((row) => [...row.children]);
  const scale = (svg) => svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return {
    rows: rows.length,
    lines: new Set(svgs.map((svg) => Math.round(svg.getBoundingClientRect().top))).size,
    scales: new Set(svgs.map((svg) => scale(svg).toFixed(1))).size,
    smallestText: Math.min(...svgs.flatMap((svg) => [...svg.querySelectorAll("text")].map(
      (text) => parseFloat(getComputedStyle(text).fontSize) * scale(svg)))) >= 9,
    scrolls: figure.scrollWidth > figure.clientWidth + 1,
  };
}"""


def test_a_grids_rows_stay_whole_on_a_desktop_and_wrap_on_a_phone(phone_tab, page, site_url: str):
    # tools/figure.py: one SVG per panel; one flex line per row of the grid.
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(site_url + "training/optimizers/")  # 2 × 3
    assert page.evaluate(PANEL_LAYOUT) == {
        "rows": 2,
        "lines": 2,
        "scales": 1,
        "smallestText": True,
        "scrolls": False,
    }
    # 1 × 2 with small legend text: too wide for the column, as the whole figure was
    page.goto(site_url + "losses/classic-losses/")
    assert page.evaluate(PANEL_LAYOUT) == {
        "rows": 1,
        "lines": 1,
        "scales": 1,
        "smallestText": True,
        "scrolls": True,
    }
    # On a phone every panel is at its readable width, as many to a line as fit.
    phone_tab.goto(site_url + "transformer/attention/")
    expected = {"rows": 1, "lines": 2, "scales": 1, "smallestText": True, "scrolls": False}
    assert phone_tab.evaluate(PANEL_LAYOUT) == expected
