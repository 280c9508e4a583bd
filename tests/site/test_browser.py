"""The built site in headless Chromium: math renders, no external requests, search works."""

import contextlib
import csv
import json
import math
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tools import axe, phone
from tools.browser import MATH_RENDERED, MATH_STYLED, follow, local_sitemap

from .conftest import new_tab, once_per_run

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(
    p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*") if p.suffix in {".md", ".ipynb"}
)
GENERATED = ["glossary.md", "questions.md", "whiteboard.md"]  # written by hooks/
QUERY_TABLES = sorted((ROOT / "tests").rglob("search_queries*.csv"))

pytestmark = pytest.mark.browser


def page_path(src: str) -> str:
    """docs/detection/nms.md -> detection/nms/ (MkDocs' directory URLs)."""
    stem = src.rsplit(".", 1)[0]
    if stem == "index":
        return ""
    return stem[: -len("index")] if stem.endswith("/index") else stem + "/"


def search_cases() -> list[tuple[str, str]]:
    cases = []
    for table in QUERY_TABLES:
        with table.open(encoding="utf-8", newline="") as handle:
            cases += [(row["query"], row["page"]) for row in csv.DictReader(handle)]
    return cases


def test_search_table_names_real_pages():
    cases = search_cases()
    assert cases, "no search queries found"
    missing = {page for _, page in cases if page not in PAGES}
    assert not missing, f"search table names pages that do not exist: {missing}"


# Session scope: xdist interleaves modules, which would tear module fixtures down and up again.
@pytest.fixture(scope="session")
def reader_tab(browser):
    """One phone tab for all page visits, moving from page to page by links as a reader
    does (tools.browser.follow): it keeps the site's assets, and a new tab per page would
    cost a renderer process and a whole page load each."""
    with new_tab(browser, **phone.PHONE) as tab:
        yield tab


@pytest.fixture(scope="session")
def desktop_tab(browser):
    """A desktop tab for what the phone visits leave to a few pages (axe.CHECKED_ELSEWHERE)."""
    with new_tab(browser) as tab:
        yield tab


@pytest.fixture(scope="session")
def colour_looks() -> dict[str, set[str]]:
    """The colour looks axe has decided in this worker's page visits (axe.LOOKS): a look
    repeats on every page, so axe's colour rules check it until they decide it once."""
    return {scheme: set() for scheme in axe.SCHEMES}


@contextlib.contextmanager
def recording(tab):
    """Requests and console errors of the tab while the block runs."""
    requests, errors = [], []
    listeners = {
        "request": lambda request: requests.append(request.url),
        "console": lambda msg: msg.type == "error" and errors.append(msg.text),
        "pageerror": lambda error: errors.append(str(error)),
    }
    for event, listener in listeners.items():
        tab.on(event, listener)
    try:
        yield requests, errors
    finally:
        for event, listener in listeners.items():
            tab.remove_listener(event, listener)


@pytest.mark.parametrize("src", PAGES + GENERATED)
def test_page_renders_accessibly_and_fits_a_phone(reader_tab, colour_looks, site_url, src: str):
    """One visit per page, on a phone, reached by a link from the page before: its math
    renders and keeps KaTeX's style, with no request to another host and no console error;
    axe-core finds nothing serious in either colour scheme; nothing widens the page and
    code, figures and math stay readable (tools/phone.py)."""
    with recording(reader_tab) as (requests, errors):
        follow(reader_tab, site_url + page_path(src))

    assert reader_tab.locator(".katex-error").count() == 0
    assert reader_tab.evaluate(MATH_STYLED), "formulas without KaTeX's stylesheet"
    foreign = [url for url in requests if urlparse(url).hostname != "127.0.0.1"]
    assert not foreign, f"requests to other hosts: {foreign}"
    assert not errors, f"console errors: {errors}"
    # Both checks run before either fails, so that a failure shows all the page's problems.
    problems = [f"on a phone: {problem}" for problem in phone.misfits(reader_tab)]
    # restore=False: the next page replaces this one.
    problems += axe.failures(axe.violations(reader_tab, restore=False, looks=colour_looks))
    assert not problems, "the phone and axe-core (serious or critical):\n" + "\n".join(problems)


def test_links_open_pages_by_instant_navigation(desktop_tab, site_url: str):
    # As on the published site: the test server's sitemap lists its own URLs (follow raises
    # on a whole page load). KaTeX loads on the first page with math and keeps its style
    # through a page without math to the next one with math.
    for path in ("tags/", "detection/nms/", "python/copy/", "generative/diffusion/"):
        follow(desktop_tab, site_url + path)
    assert desktop_tab.evaluate(MATH_STYLED)


def test_local_sitemap_lists_the_test_server_urls():
    sitemap = (
        "<url><loc>https://a.github.io/notes/</loc></url>"
        "<url><loc>https://a.github.io/notes/cnn/pooling/</loc></url>"
    )
    assert local_sitemap(sitemap, "http://127.0.0.1:8000/") == (
        "<url><loc>http://127.0.0.1:8000/</loc></url>"
        "<url><loc>http://127.0.0.1:8000/cnn/pooling/</loc></url>"
    )
    with pytest.raises(ValueError, match="home page"):
        local_sitemap(sitemap.replace("notes/cnn", "other/cnn"), "http://127.0.0.1:8000/")


def assert_accessible(tab, also: tuple[str, ...] = ()) -> None:
    """axe-core finds no serious or critical problem on the open page, light or dark."""
    problems = axe.failures(axe.violations(tab, also=also))
    assert not problems, "axe-core, serious or critical:\n" + "\n".join(problems)


def test_navigation_and_contents_are_accessible(reader_tab, desktop_tab, site_url):
    # axe.CHECKED_ELSEWHERE: the navigation (every section, with an index page or not) and a
    # page's table of contents, in a desktop's sidebars and in a phone's drawer, opened at
    # the page's section and then at its table of contents.
    vit = site_url + "transformer/vit/"
    follow(desktop_tab, vit)
    assert_accessible(desktop_tab, also=(".md-sidebar",))
    follow(reader_tab, vit)
    try:
        for toggle in ("__drawer", "__toc"):
            reader_tab.locator(f"label[for='{toggle}']:visible").first.click()
            assert reader_tab.locator(f"#{toggle}").is_checked()
            assert_accessible(reader_tab, also=(".md-sidebar",))
    finally:  # the tab's next page is read with the drawer closed
        for toggle in ("__toc", "__drawer"):
            reader_tab.locator(f"#{toggle}").evaluate("(box) => { box.checked = false; }")


def test_axe_checks_the_dark_scheme_too(page, site_url: str):
    # Material's primary indigo reads well on white (6.9:1) and badly on slate (2.3:1).
    page.goto(site_url + "tags/", wait_until="load")
    page.evaluate("""() => document.querySelector("article h1").insertAdjacentHTML(
      "afterend", '<p id="indigo" style="color: #4051b5">靛蓝色的文字</p>')""")
    failing = [line for line in axe.failures(axe.violations(page)) if "#indigo" in line]
    assert [line.split(" at ")[0] for line in failing] == ["slate: color-contrast (serious)"]


# Pairs of elements of one look (axe.LOOKS), on a first page and a later one, where axe
# decides the first differently or not at all: the later one must still be checked.
GREY = "color: #999"
LINK = 'href="#" style="color: #333; text-decoration: none"'
UNDECIDED_FIRST = {
    "hidden": (  # axe passes text it finds hidden: no verdict on its colours
        '<div style="background: #fff; height: 2em"><span style="position: absolute;'
        ' clip: rect(0 0 0 0); color: #969696">隐藏的文字</span></div>',
        '<div style="background: #fff; height: 2em"><span id="hidden" style="color: #969696">'
        "看得见的文字</span></div>",
    ),
    "symbols": (
        '<p style="color: #9a9a9a">ℝℕ</p>',
        '<p id="symbols" style="color: #9a9a9a">正文</p>',
    ),
    "spilling": (  # over the page's background in the dark scheme, inside the white box later
        f'<div style="background: #fff; width: 60px"><span id="spills" style="{GREY};'
        ' white-space: nowrap">很长很长很长很长的文字</span></div>',
        f'<div style="background: #fff; width: 60px"><span id="spilling" style="{GREY}">文字</span>'
        "</div>",
    ),
    "link-alone": (  # axe does not take a link longer than the text around it as in the text
        f'<p>见<a id="alone" {LINK}>一个很长很长的链接文字</a></p>',
        f'<p>一段正文，中间有一个 <a id="link-alone" {LINK}>链接</a>，然后正文继续。</p>',
    ),
    "bold-text": (  # a bold link stands out from normal text, not from bold text
        f'<p>正文 <a id="bold" {LINK[:-1]}; font-weight: 700">粗体链接</a> 正文正文</p>',
        f'<p style="font-weight: 700">正文 <a id="bold-text" {LINK[:-1]}; font-weight: 700">'
        "粗体链接</a> 正文正文</p>",
    ),
}


def test_colour_rules_check_each_look_once_over_many_pages(page, site_url: str):
    # The page visits pass the looks checked so far: an element of a look axe has decided is
    # not checked again; one of a new look is, in either scheme, links and form fields too.
    looks = {scheme: set() for scheme in axe.SCHEMES}
    indigo = '<p id="{}" style="color: #4051b5">靛蓝色的文字</p>'
    field = (
        f'<p><input id="field" aria-label="示例" value="浅灰色的文字" style="{GREY};'
        ' background: #fff"></p>'
    )

    def failing(html: str, **options) -> list[str]:
        page.goto(site_url + "tags/", wait_until="load")
        page.evaluate(
            "(html) => document.querySelector('article h1').insertAdjacentHTML('afterend', html)",
            html,
        )
        lines = axe.failures(axe.violations(page, **options))
        return sorted(
            line.split(" (")[0] + " at " + line.split(" at ")[1].split(":")[0] for line in lines
        )

    first = indigo.format("first") + "".join(html for html, _ in UNDECIDED_FIRST.values())
    assert failing(first, looks=looks) == [
        "default: color-contrast at #spills",
        "slate: color-contrast at #alone",
        "slate: color-contrast at #bold",
        "slate: color-contrast at #first",
    ]
    later = indigo.format("again") + field + "".join(h for _, h in UNDECIDED_FIRST.values())
    assert failing(later, looks=looks) == [
        "default: color-contrast at #field",
        "default: color-contrast at #hidden",
        "default: color-contrast at #spilling",
        "default: color-contrast at #symbols",
        "default: link-in-text-block at #bold-text",
        "default: link-in-text-block at #link-alone",
        "slate: color-contrast at #field",
        "slate: color-contrast at #hidden",
        "slate: color-contrast at #spilling",
    ]
    assert "slate: color-contrast at #again" in failing(later)  # all looks: checked again
    with pytest.raises(ValueError, match="whole page"):
        axe.violations(page, "article", looks=looks)


def test_axe_sees_through_what_it_sets_aside(page, site_url: str):
    # A per-page run sets formulas aside at their size (axe.SET_ASIDE): a wrapper that scrolls
    # because of a display or an inline formula still does, and fails without keyboard focus;
    # afterwards the page is as it was.
    page.goto(site_url + "normalization/batchnorm/", wait_until="load")
    page.wait_for_function(MATH_RENDERED)
    page.evaluate("""() => {
      const wrapper = document.querySelector("div.arithmatex[tabindex]");
      wrapper.id = "display";
      wrapper.removeAttribute("tabindex");
      wrapper.style.width = "100px";
      const inline = [...document.querySelectorAll("span.arithmatex")]
        .find((e) => e.getBoundingClientRect().width > 120);
      const box = document.createElement("div");
      box.id = "inline";
      box.style.cssText = "width: 60px; overflow-x: auto; white-space: nowrap";
      box.append(inline.cloneNode(true));
      document.querySelector("article h1").after(box);
    }""")
    before = page.locator("article").inner_html()
    failing = [line.split(": Fix")[0] for line in axe.failures(axe.violations(page))]
    assert sorted(failing) == [
        f"default: scrollable-region-focusable (serious) at #{wrapper}"
        for wrapper in ("display", "inline")
    ]
    assert page.locator("article").inner_html() == before


# A code block with one token of every Pygments class that a stylesheet colours inside
# `.highlight`: what the per-page runs leave out (axe.CHECKED_ELSEWHERE), checked once.
ALL_TOKENS = r"""() => {
  const classes = new Set();
  const visit = (rules) => {
    for (const rule of rules) {
      if (rule.cssRules) visit(rule.cssRules);
      const after = (rule.selectorText ?? "").split(".highlight ").slice(1).join(" ");
      for (const [, name] of after.matchAll(/\.([a-z][a-z0-9]{0,2})\b/g)) classes.add(name);
    }
  };
  for (const sheet of document.styleSheets) visit(sheet.cssRules);
  const tokens = [...classes].sort().map((name) => `<span class="${name}">token ${name} 42</span>`);
  const code = `<pre><code>${tokens.join("\n")}</code></pre>`;
  document.querySelector("article h1").insertAdjacentHTML(
    "afterend", `<div id="all-tokens" class="language-python highlight">${code}</div>`);
  return [...classes];
}"""


def test_every_code_token_colour_has_contrast(page, site_url: str):
    page.goto(site_url + "tags/", wait_until="load")
    classes = page.evaluate(ALL_TOKENS)
    assert {"c1", "k", "mi", "nb", "ow", "p", "s2", "sd"} <= set(classes)
    problems = axe.failures(axe.violations(page, "#all-tokens"))
    assert not problems, "axe-core, serious or critical:\n" + "\n".join(problems)


def test_every_formula_is_accessible(desktop_tab, site_url: str):
    # axe.CHECKED_ELSEWHERE: both layers of KaTeX's output, on a page of over 200 formulas.
    follow(desktop_tab, site_url + "generative/diffusion/")
    assert desktop_tab.locator(".arithmatex .katex-mathml math").count() > 200
    problems = axe.failures(axe.violations(desktop_tab, {"include": [".arithmatex"]}))
    assert not problems, "axe-core, serious or critical:\n" + "\n".join(problems)


def test_setting_parts_aside_keeps_the_phone_layout(reader_tab, site_url: str):
    # Code blocks that scroll still scroll in their box; the hidden table of contents stays
    # hidden; afterwards the page is as it was.
    follow(reader_tab, site_url + "generative/diffusion/")
    layout = """() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight,
      getComputedStyle(document.querySelector(".md-sidebar--secondary")).display]"""
    before = reader_tab.evaluate(layout)
    reader_tab.evaluate(axe.SET_ASIDE, list(axe.CHECKED_ELSEWHERE))
    width, height, toc = reader_tab.evaluate(layout)
    reader_tab.evaluate(axe.RESTORE)
    assert [width, toc] == [phone.WIDTH, "none"] == [before[0], before[2]]
    assert before[1] <= height < before[1] * 1.03
    assert reader_tab.evaluate(layout) == before


def test_parts_left_set_aside_block_a_second_run_until_the_page_is_replaced(desktop_tab, site_url):
    follow(desktop_tab, site_url + "tags/")
    axe.violations(desktop_tab, restore=False)
    for context in (None, "article"):
        with pytest.raises(RuntimeError, match="still set aside"):
            axe.violations(desktop_tab, context)
    follow(desktop_tab, site_url + "python/copy/")  # instant navigation: the window stays
    assert not axe.failures(axe.violations(desktop_tab))


def test_no_axe_rule_or_part_of_a_page_is_left_out_unnoticed():
    # Leaving something out means adding it here too, with its reason in tools/axe.py.
    assert axe.EXCLUDED_RULES == {}
    assert set(axe.CHECKED_ELSEWHERE) == {"pre > code", ".katex", ".md-sidebar"}


# Keeps the real search worker that search-on-demand.js starts in window.__searchWorker, so
# that a test can read its answers as Material does (its script wraps window.Worker).
KEEP_SEARCH_WORKER = """{
  const Worker = window.Worker;
  window.Worker = class extends Worker {
    constructor(url, options) {
      super(url, options);
      if (String(url).endsWith("/search-wrapper.js")) window.__searchWorker = this;
    }
  };
}"""

# Types each query into Material's search box the way a reader does (value + keyup, which
# is what Material listens to) and reads the worker's answer: the results Material lists,
# one per page (a group of the page and its sections), in order. The search dialog is
# closed first (the index stays loaded): the answers are the same, and Material does not
# lay out and draw 700 result lists (5 s instead of 12).
RUN_QUERIES = """async (queries) => {
  const RESULT = 3;  // Material's SearchMessageType
  const toggle = document.getElementById("__search");
  toggle.checked = false;
  toggle.dispatchEvent(new Event("change"));
  const box = document.querySelector("input.md-search__input");
  const worker = window.__searchWorker;
  const answer = (query) => new Promise((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error(`search: no answer to ${query}`)), 10_000);
    const listener = ({ data }) => {
      if (data.type !== RESULT) return;
      worker.removeEventListener("message", listener);
      clearTimeout(timeout);
      resolve(data.data.items);
    };
    worker.addEventListener("message", listener);
  });
  const top = {};
  for (const query of queries) {
    const items = answer(query);
    box.value = query;
    box.dispatchEvent(new KeyboardEvent("keyup", { key: "End", bubbles: true }));
    top[query] = (await items).map(([item]) => "/" + item.location.split("#")[0]);
  }
  return top;
}"""


# Search starts when the reader opens it: the worker then builds the index, which takes
# seconds on a busy machine. Material shows its "type to start" placeholder once it is ready.
SEARCH_READY = """() => {
  const config = JSON.parse(document.getElementById("__config").textContent);
  const meta = document.querySelector(".md-search-result__meta");
  return meta.textContent.trim() === config.translations["search.result.placeholder"];
}"""


def open_search(tab) -> None:
    tab.locator("input.md-search__input").click()
    tab.wait_for_function(SEARCH_READY, timeout=60_000)


@pytest.fixture(scope="session")
def search_results(browser, site_url: str, request) -> dict[str, list[str]]:
    """The top five result pages of every query the selected tests ask (all of them, or
    one chapter's with --area), from one open page, computed once for all xdist workers."""
    asked = [i for i in request.session.items if i.name.startswith("test_search_finds_page[")]
    queries = sorted({item.callspec.params["query"] for item in asked})

    def run_queries() -> str:
        with new_tab(browser) as tab:
            tab.add_init_script(KEEP_SEARCH_WORKER)
            tab.goto(site_url)
            open_search(tab)
            top = tab.evaluate(RUN_QUERIES, queries)
        return json.dumps({query: pages[:5] for query, pages in top.items()}, ensure_ascii=False)

    return json.loads(once_per_run(request.config, "search_results", run_queries))


@pytest.mark.parametrize(("query", "expected"), search_cases())
def test_search_finds_page(search_results, query: str, expected: str):
    top = search_results[query][:3]
    assert "/" + page_path(expected) in top, f"{query!r}: top results {top}"


def rank(pages: list[str], page: str) -> float:
    return pages.index(page) if page in pages else math.inf


def test_search_recall(search_results):
    """Recall@1 and @3 over the query table (the queries this run asked): at least 90 %
    of queries find their page first; each one finds it in the top 3."""
    cases = [(query, page) for query, page in search_cases() if query in search_results]
    if not cases:
        pytest.skip("no search query selected")
    ranks = [rank(search_results[query], "/" + page_path(page)) for query, page in cases]
    at1, at3 = (sum(rank < k for rank in ranks) / len(ranks) for k in (1, 3))
    report = f"search recall over {len(ranks)} queries: @1 {at1:.1%}, @3 {at3:.1%}"
    print(report)
    assert at1 >= 0.9, report
    assert at3 == 1.0, report


def test_self_test_mode_hides_answers_and_is_remembered(page, site_url: str):
    page.goto(site_url + "detection/nms/")
    toggle = page.locator(".self-test__toggle")
    answer = page.locator(".self-test__answer").first
    reveal = page.locator(".self-test__reveal").first
    assert toggle.get_attribute("aria-pressed") == "false"
    assert answer.is_visible()
    assert not reveal.is_visible()

    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert not answer.is_visible()

    reveal.focus()
    page.keyboard.press("Enter")  # keyboard accessible: a real <button>
    assert answer.is_visible()
    assert reveal.get_attribute("aria-expanded") == "true"

    # Instant navigation away and back: the mode is re-applied, answers hidden again.
    page.locator(".md-header__button.md-logo").click()
    page.wait_for_url(site_url)
    page.locator("article a[href$='detection/nms/']").first.click()
    page.wait_for_url("**/detection/nms/")
    page.locator(".self-test__toggle[aria-pressed=true]").wait_for()
    assert not page.locator(".self-test__answer").first.is_visible()

    page.reload()
    assert page.locator(".self-test__toggle").get_attribute("aria-pressed") == "true"


def test_glossary_abbreviation_shows_tooltip(page, site_url: str):
    page.goto(site_url + "detection/nms/")
    page.locator("article abbr", has_text="NMS").first.hover()
    tooltip = page.locator(".md-tooltip2--active")
    tooltip.wait_for()
    assert "Non-Maximum Suppression" in tooltip.text_content()


def paths(urls: list[str]) -> list[str]:
    return [urlparse(url).path for url in urls]


def test_search_index_loads_only_when_search_opens_and_texts_when_shown(page, site_url: str):
    with recording(page) as (requests, _):
        page.goto(site_url + "detection/nms/")
    assert "/search/search_index.json" not in paths(requests)
    with page.expect_response("**/search/search_index.json"):
        open_search(page)
    # The index holds each section's terms; the text of a section shown as a result is
    # fetched then (hooks/search_index_split.py), the query marked in it.
    with recording(page) as (requests, errors):
        page.locator("input.md-search__input").fill("交并比阈值")
        page.keyboard.press("End")
        teaser = page.locator(".md-search-result__article :is(p, li) mark").first
        teaser.wait_for()
    assert teaser.inner_text().lower() in {"交并比", "iou", "阈值"}  # IoU: a synonym
    texts = [path for path in paths(requests) if "/search/text/" in path]
    assert 0 < len(texts) < 60, texts  # those shown or checked for the rerank, not all
    assert not errors


def test_notebook_figures_are_inverted_in_the_dark_scheme(page, site_url: str):
    page.goto(site_url + "mnist/numpy_mlp/", wait_until="load")
    figures = page.locator(".jp-RenderedImage img")
    assert figures.count() == 3
    filters = {scheme: None for scheme in axe.SCHEMES}
    for scheme in filters:
        page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
        filters[scheme] = figures.first.evaluate("img => getComputedStyle(img).filter")
    assert filters == {"default": "none", "slate": "invert(0.88) hue-rotate(180deg)"}


def test_katex_loads_only_on_pages_with_math(page, site_url: str):
    with recording(page) as (requests, _):
        page.goto(site_url + "python/copy/")
    assert page.locator(".arithmatex").count() == 0
    assert not [path for path in paths(requests) if "/assets/katex/" in path]
    with recording(page) as (requests, _):
        page.goto(site_url + "detection/nms/")
        page.wait_for_function(MATH_RENDERED)  # KaTeX loads after the page, on document$
    assert "/assets/katex/katex.min.js" in paths(requests)
    assert page.locator(".arithmatex .katex").count() == page.locator(".arithmatex").count()


def test_page_opened_from_a_search_result_highlights_the_query(page, site_url: str):
    # A result opened in a new tab (no index loaded yet) still gets Material's highlight.
    page.goto(site_url + "detection/nms/?h=IoU")
    page.locator("article mark", has_text="IoU").first.wait_for(timeout=60_000)  # index built first
