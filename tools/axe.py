"""axe-core (the npm package, pinned in package-lock.json) on a page open in Playwright:
the accessibility problems a reader meets, in Material's light and dark colour scheme."""

from urllib.parse import urljoin

from tools.browser import TEST_FILES

AXE_URL = "/__tests__/axe.min.js"  # served beside the site by tools.browser.serve
SCHEMES = ("default", "slate")  # Material's light and dark scheme: data-md-color-scheme
# The only rules whose result depends on colours: the dark scheme runs just these.
COLOUR_RULES = ("color-contrast", "link-in-text-block")
FAILING_IMPACTS = ("serious", "critical")
# Rules turned off, each with the reason it cannot be fixed on the site. Keep it empty
# where possible; tests/site/test_browser.py pins its contents.
EXCLUDED_RULES: dict[str, str] = {}
# Parts of a page left out of the per-page runs because they repeat a few looks thousands of
# times and are checked once instead; pinned by the same test. axe's time grows with the
# whole DOM, excluded nodes included (these were three quarters of it), so a per-page run
# also sets their contents aside (SET_ASIDE) while it runs.
CHECKED_ELSEWHERE = {
    "pre > code": "highlighted code: every token colour, both schemes, in one synthetic block",
    ".katex": "formulas: KaTeX's MathML and its aria-hidden visual layer, on a page of them",
    ".md-sidebar": "navigation and table of contents (one template and its colours): on one"
    " page, in a desktop's sidebars and in a phone's drawer, opened at the page's section and"
    " at its table of contents",
}

# Switches the scheme the way Material's palette toggle does (without storing the choice),
# with transitions off, so that colours are final when axe reads them.
RUN_AXE = """async ({ scheme, rules, excluded, context }) => {
  const still = document.createElement("style");
  still.textContent = "*, ::before, ::after { transition: none !important; }";
  document.head.append(still);
  const before = document.body.getAttribute("data-md-color-scheme");
  document.body.setAttribute("data-md-color-scheme", scheme);
  try {
    const options = {
      resultTypes: ["violations"],
      preload: !rules, // the style sheets, for css-orientation-lock: not a colour rule
      rules: Object.fromEntries(excluded.map((id) => [id, { enabled: false }])),
    };
    if (rules) options.runOnly = { type: "rule", values: rules };
    const { violations } = await axe.run(context ?? document, options);
    return violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n) => ({
        target: n.target.join(" "),
        summary: n.failureSummary.replace(/\\s+/g, " "),
      })),
    }));
  } finally {
    document.body.setAttribute("data-md-color-scheme", before);
    still.remove();
  }
}"""


# Replaces the contents of the elements that match by their text, in one node, in a box of
# the same size (all sizes are read before the first change: one layout, not one per
# element). The text keeps what axe asks of a part, such as whether a scroller has content.
# A part that scrolls itself (a code block) keeps its box and still scrolls; any other keeps
# the width it fills, its scrollWidth (a display formula's, inside its scrolling wrapper) or
# its box's (an inline formula's scrollWidth is 0). Hidden parts keep their style. Lines with
# inline formulas may grow by a few pixels (2 % of a page's height): text moves down, but no
# element changes its neighbours. RESTORE puts the contents and the style attributes back.
SET_ASIDE = """(selectors) => {
  const elements = [...document.querySelectorAll(selectors.join(","))];
  const shapes = elements.map((e) => {
    const box = e.getBoundingClientRect();
    const { display, overflowX } = getComputedStyle(e);
    const scrolls = /auto|scroll/.test(overflowX) && e.scrollWidth > e.clientWidth;
    const width = scrolls ? box.width : Math.max(e.scrollWidth, box.width);
    const shape = [
      `display: ${display === "inline" ? "inline-block" : display}`,
      scrolls ? "overflow-x: auto; overflow-y: hidden" : "overflow: clip",
      "white-space: nowrap; box-sizing: border-box; vertical-align: bottom",
      `width: ${width}px; height: ${box.height}px`,
    ];
    return e.getClientRects().length > 0 ? shape.join("; ") : null;
  });
  window.__axeSetAside = elements.map((e, i) => {
    const contents = document.createDocumentFragment();
    const style = e.getAttribute("style");
    const text = e.textContent;
    contents.append(...e.childNodes);
    e.append(text);
    if (shapes[i]) e.setAttribute("style", `${style ?? ""}; ${shapes[i]}`);
    return { e, contents, style };
  });
}"""
# True while parts of the page are set aside (restore=False leaves them for the next page).
SET_ASIDE_NOW = "window.__axeSetAside?.some(({ e }) => e.isConnected) ?? false"
RESTORE = """() => {
  for (const { e, contents, style } of window.__axeSetAside ?? []) {
    e.replaceChildren(contents);
    if (style === null) e.removeAttribute("style");
    else e.setAttribute("style", style);
  }
  delete window.__axeSetAside;
}"""


def violations(
    tab, context: str | dict | None = None, also: tuple[str, ...] = (), restore: bool = True
) -> dict[str, list[dict]]:
    """axe's violations on the open page, by colour scheme: every rule in the light scheme,
    the colour rules again in the dark one. By default the whole page less CHECKED_ELSEWHERE,
    less those that also names; context (an axe context such as a selector) narrows it.
    restore=False leaves the parts set aside, for a page that the next navigation replaces:
    putting them back costs the browser a whole new layout (a sixth of a page visit)."""
    if unknown := set(also) - set(CHECKED_ELSEWHERE):
        raise ValueError(f"not in CHECKED_ELSEWHERE: {sorted(unknown)}")
    if tab.evaluate(SET_ASIDE_NOW):
        raise RuntimeError("axe: parts of the page are still set aside (restore=False)")
    if not tab.evaluate("typeof axe !== 'undefined'"):
        if not TEST_FILES[AXE_URL].is_file():
            raise FileNotFoundError(f"no {TEST_FILES[AXE_URL]}: run `make deps` (npm ci)")
        tab.add_script_tag(url=urljoin(tab.url, AXE_URL))
    if context is not None:
        return _run(tab, context)
    aside = [selector for selector in CHECKED_ELSEWHERE if selector not in also]
    tab.evaluate(SET_ASIDE, aside)
    try:
        return _run(tab, {"exclude": aside})
    finally:
        if restore:
            tab.evaluate(RESTORE)


def _run(tab, context: str | dict) -> dict[str, list[dict]]:
    found = {}
    for scheme in SCHEMES:
        rules = None if scheme == SCHEMES[0] else list(COLOUR_RULES)
        arguments = {
            "scheme": scheme,
            "rules": rules,
            "excluded": list(EXCLUDED_RULES),
            "context": context,
        }
        found[scheme] = tab.evaluate(RUN_AXE, arguments)
    return found


def failures(found: dict[str, list[dict]]) -> list[str]:
    """One line per element with a serious or critical violation."""
    return [
        f"{scheme}: {v['id']} ({v['impact']}) at {node['target']}: {node['summary']}"
        for scheme, listed in found.items()
        for v in listed
        if v["impact"] in FAILING_IMPACTS
        for node in v["nodes"]
    ]
