"""axe-core (the npm package, pinned in package-lock.json) on a page open in Playwright:
the accessibility problems a reader meets, in Material's light and dark colour scheme."""

import json
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

# The looks of a page's text and links, for axe's two colour rules: what decides their
# verdict, as a string. For text (color-contrast): its colour, whether axe counts it as small
# or large text, its decoration and shadow; the backgrounds, opacities, blend modes and
# filters from it up to the first opaque background; the opacity and the pseudo-elements of
# every ancestor. For a link (link-in-text-block), also the colour of the text around it and
# whether it sits in a block of other text. Elements of one look get one verdict, unless
# another element overlaps them (on this site's pages nothing does: the header and the
# back-to-top button are fixed, over no text at scroll 0). Returns [rule, element, look,
# vouches] for each text element and link outside skip (a selector).
LOOKS = r"""(skip) => {
  const styles = new Map();
  const style = (e, pseudo = "") => {
    if (!styles.has(e)) styles.set(e, {});
    return (styles.get(e)[pseudo] ??= getComputedStyle(e, pseudo || null));
  };
  const memo = (f) => {
    const known = new Map();
    const g = (a) => {
      if (!a) return "";
      if (!known.has(a)) known.set(a, f(a, g));
      return known.get(a);
    };
    return g;
  };
  const background = memo((a, up) => {
    const s = style(a);
    const own = [s.backgroundColor, s.backgroundImage, s.mixBlendMode, s.filter].join(" ");
    const opaque = s.backgroundImage === "none" && /^rgb\(/.test(s.backgroundColor);
    return opaque ? own : `${own} / ${up(a.parentElement)}`;
  });
  // axe leaves text over a sizeable pseudo-element undecided: name every one that exists.
  const exists = (p) => !/^(none|normal)$/.test(p.content);
  const ancestry = memo((a, up) => {
    const pseudos = ["::before", "::after"].map((p) => style(a, p)).filter(exists);
    const own = pseudos.map((p) => `${p.content} ${p.backgroundColor}`);
    return [style(a).opacity, ...own, up(a.parentElement)].join(" ");
  });
  const lookOf = (e) => {
    const s = style(e);
    // Size and weight decide the ratio axe asks (4.5 for small text, 3 for large: its own
    // formula); with a text shadow, the size itself matters.
    const pt = Math.ceil(parseFloat(s.fontSize) * 72) / 96;
    const small = parseFloat(s.fontWeight) >= 700 ? pt < 14 : pt < 18;
    const size = s.textShadow === "none" ? (small ? "small" : "large") : s.font;
    return [s.color, s.webkitTextFillColor, s.webkitTextStroke, s.textShadow, size,
      s.textDecorationLine, s.borderBottomStyle, s.visibility, background(e), ancestry(e)];
  };
  // axe leaves some text undecided for what it says, not for its look: emoji, a single
  // character, text beside generated text, a link around other elements. Such an element is
  // checked but vouches for no look; text in an SVG image does (axe takes the image for its
  // background: undecided whatever it says).
  const vouches = (e) => {
    const own = [...e.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE);
    const letters = own.map((n) => n.data).join("").match(/\p{L}/gu)?.length ?? 0;
    const writes = (p) => !/^(none|normal|"")$/.test(style(e, p).content);
    const generated = writes("::before") || writes("::after");
    return e.closest("svg") !== null || (letters >= 2 && !generated);
  };
  const shown = (e) => e.getClientRects().length > 0 && !(skip && e.closest(skip));
  const found = [];
  const texts = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const e = walker.currentNode.parentElement;
    if (!texts.has(e) && walker.currentNode.data.trim() && shown(e)) {
      texts.add(e);
      found.push(["color-contrast", e, `text: ${lookOf(e).join(" | ")}`, vouches(e)]);
    }
  }
  const block = "p, li, td, th, dd, dt, blockquote, h1, h2, h3, h4, h5, h6, figcaption, div";
  for (const link of document.querySelectorAll("a[href], [role=link]")) {
    if (!shown(link)) continue;
    const around = link.parentElement.closest(block) ?? link.parentElement;
    const alone = around.textContent.trim() === link.textContent.trim();
    const look = [...lookOf(link), style(around).color, alone ? "alone" : "in text"];
    found.push(["link-in-text-block", link, `link: ${look.join(" | ")}`,
      link.children.length === 0 && vouches(link)]);
  }
  return found;
}"""

# Switches the scheme the way Material's palette toggle does (without storing the choice),
# with transitions off, so that colours are final when axe reads them. Given the looks
# already checked in this scheme (seen), the colour rules check only elements of a new look
# and the run returns the page's looks; with none new, no colour rule runs.
RUN_AXE = f"""async ({{ scheme, rules, excluded, context, seen, skip }}) => {{
  const looksOf = {LOOKS};
  const COLOUR_RULES = {json.dumps(COLOUR_RULES)};
  const still = document.createElement("style");
  still.textContent = "*, ::before, ::after {{ transition: none !important; }}";
  document.head.append(still);
  const before = document.body.getAttribute("data-md-color-scheme");
  document.body.setAttribute("data-md-color-scheme", scheme);
  try {{
    const options = {{
      resultTypes: ["violations"],
      preload: !rules, // the style sheets, for css-orientation-lock: not a colour rule
      rules: Object.fromEntries(excluded.map((id) => [id, {{ enabled: false }}])),
    }};
    if (rules) options.runOnly = {{ type: "rule", values: rules }};
    let looks = null;
    if (seen) {{
      const known = new Set(seen);
      const fresh = Object.fromEntries(COLOUR_RULES.map((id) => [id, new Set()]));
      looks = new Set();
      for (const [rule, e, look, vouches] of looksOf(skip)) {{
        if (!known.has(look)) fresh[rule].add(e);
        if (vouches) looks.add(look);
      }}
      if (rules && COLOUR_RULES.every((id) => fresh[id].size === 0)) {{
        return {{ violations: [], looks: [...looks] }};
      }}
      // The colour rules match only elements of a new look (axe.reset() restores them).
      axe.configure({{ rules: COLOUR_RULES.map((id) => {{
        const {{ matches }} = axe._audit.rules.find((rule) => rule.id === id);
        const only = function (node, ...rest) {{
          return fresh[id].has(node) && matches.call(this, node, ...rest);
        }};
        return {{ id, matches: only }};
      }}) }});
    }}
    const {{ violations }} = await axe.run(context ?? document, options);
    return {{
      looks: looks && [...looks],
      violations: violations.map((v) => ({{
        id: v.id,
        impact: v.impact,
        nodes: v.nodes.map((n) => ({{
          target: n.target.join(" "),
          summary: n.failureSummary.replace(/\\s+/g, " "),
        }})),
      }})),
    }};
  }} finally {{
    if (seen) axe.reset();
    document.body.setAttribute("data-md-color-scheme", before);
    still.remove();
  }}
}}"""


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
    tab,
    context: str | dict | None = None,
    also: tuple[str, ...] = (),
    restore: bool = True,
    looks: dict[str, set[str]] | None = None,
) -> dict[str, list[dict]]:
    """axe's violations on the open page, by colour scheme: every rule in the light scheme,
    the colour rules again in the dark one. By default the whole page less CHECKED_ELSEWHERE,
    less those that also names; context (an axe context such as a selector) narrows it.
    restore=False leaves the parts set aside, for a page that the next navigation replaces:
    putting them back costs the browser a whole new layout (a sixth of a page visit).
    looks: the colour looks (LOOKS) already checked, by scheme, for a run over many pages:
    the colour rules check only elements of a new look, which are added to it."""
    if unknown := set(also) - set(CHECKED_ELSEWHERE):
        raise ValueError(f"not in CHECKED_ELSEWHERE: {sorted(unknown)}")
    if looks is not None and (context is not None or set(looks) != set(SCHEMES)):
        raise ValueError(f"looks: a set per scheme {SCHEMES}, for a whole page (no context)")
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
        return _run(tab, {"exclude": aside}, looks, ", ".join(aside))
    finally:
        if restore:
            tab.evaluate(RESTORE)


def _run(
    tab, context: str | dict, looks: dict[str, set[str]] | None = None, skip: str = ""
) -> dict[str, list[dict]]:
    found = {}
    for scheme in SCHEMES:
        rules = None if scheme == SCHEMES[0] else list(COLOUR_RULES)
        arguments = {
            "scheme": scheme,
            "rules": rules,
            "excluded": list(EXCLUDED_RULES),
            "context": context,
            "seen": None if looks is None else sorted(looks[scheme]),
            "skip": skip,
        }
        result = tab.evaluate(RUN_AXE, arguments)
        found[scheme] = result["violations"]
        if looks is not None:
            looks[scheme].update(result["looks"])
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
