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
# or large text, its decoration, shadow and stroke; the backgrounds, blend modes and filters
# from it up to the first opaque background; the opacity and the pseudo-elements of every
# ancestor; whether it is in an SVG image. For a link (link-in-text-block), also what axe
# compares to tell it from the text around it: that text's colour, weight, style, size, font
# and decoration, and the link's own font, borders, outline and background. Returns [rule,
# element, look, vouchable] for each text element and link outside skip (a selector): an
# element can vouch for its look only if its text lies inside that first opaque background
# (text spilling over it, or over nothing, is measured against what happens to be behind).
# Text in a shadow root is not listed (the site has none), so never checked.
LOOKS = r"""(skip) => {
  const styles = new Map();
  const style = (e, pseudo = "") => {
    if (!styles.has(e)) styles.set(e, {});
    return (styles.get(e)[pseudo] ??= getComputedStyle(e, pseudo || null));
  };
  const memo = (f) => {
    const known = new Map();
    const g = (a) => {
      if (!a) return null;
      if (!known.has(a)) known.set(a, f(a, g));
      return known.get(a);
    };
    return g;
  };
  const isOpaque = (a) => {
    const s = style(a);
    return s.backgroundImage === "none" && /^rgb\(/.test(s.backgroundColor);
  };
  const opaqueAncestor = memo((a, up) => (isOpaque(a) ? a : up(a.parentElement)));
  const background = memo((a, up) => {
    const s = style(a);
    const own = [s.backgroundColor, s.backgroundImage, s.mixBlendMode, s.filter].join(" ");
    return isOpaque(a) ? own : `${own} / ${up(a.parentElement) ?? ""}`;
  });
  // axe leaves text over a sizeable pseudo-element undecided: name every one that exists.
  const exists = (p) => !/^(none|normal)$/.test(p.content);
  const ancestry = memo((a, up) => {
    const pseudos = ["::before", "::after"].map((p) => style(a, p)).filter(exists);
    const own = pseudos.map((p) => `${p.content} ${p.backgroundColor}`);
    return [style(a).opacity, ...own, up(a.parentElement) ?? ""].join(" ");
  });
  const lookOf = (e) => {
    const s = style(e);
    // Size and weight decide the ratio axe asks (4.5 for small text, 3 for large: its own
    // formula); with a text shadow or stroke, the size itself matters.
    const pt = Math.ceil(parseFloat(s.fontSize) * 72) / 96;
    const small = parseFloat(s.fontWeight) >= 700 ? pt < 14 : pt < 18;
    const plain = s.textShadow === "none" && s.webkitTextStrokeWidth === "0px";
    const size = plain ? (small ? "small" : "large") : s.font;
    return [e.closest("svg") ? "svg" : "html", s.color, s.webkitTextFillColor,
      s.webkitTextStroke, s.textShadow, size, s.textDecorationLine, s.borderBottomStyle,
      s.visibility, background(e), ancestry(e)];
  };
  const inside = (e) => {
    const box = opaqueAncestor(e)?.getBoundingClientRect();
    return box !== undefined && [...e.getClientRects()].every((r) => r.left >= box.left - 1
      && r.right <= box.right + 1 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1);
  };
  const shown = (e) => e.getClientRects().length > 0 && !(skip && e.closest(skip));
  const found = [];
  const texts = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const e = walker.currentNode.parentElement;
    if (!texts.has(e) && walker.currentNode.data.trim() && shown(e)) {
      texts.add(e);
      found.push(["color-contrast", e, `text: ${lookOf(e).join(" | ")}`, inside(e)]);
    }
  }
  // A form field's text is its value, not a text node.
  for (const field of document.querySelectorAll("input, select, textarea")) {
    if (shown(field)) {
      const look = `field: ${lookOf(field).join(" | ")}`;
      found.push(["color-contrast", field, look, inside(field)]);
    }
  }
  const font = (s) => [s.fontWeight, s.fontStyle, s.fontSize, s.fontFamily];
  for (const link of document.querySelectorAll("a[href], [role=link]")) {
    if (!shown(link)) continue;
    let around = link.parentElement;
    while (around.parentElement && /^inline|^contents$/.test(style(around).display)) {
      around = around.parentElement;
    }
    const a = style(around);
    const l = style(link);
    const look = [...lookOf(link), a.color, ...font(a), a.textDecorationLine, ...font(l),
      l.borderTopStyle, l.outlineStyle, l.backgroundImage, l.backgroundColor];
    found.push(["link-in-text-block", link, `link: ${look.join(" | ")}`, inside(link)]);
  }
  return found;
}"""

# Switches the scheme the way Material's palette toggle does (without storing the choice),
# with transitions off, so that colours are final when axe reads them. Given the looks
# already checked in this scheme (seen), the colour rules run apart, on the elements of a
# new look only, and the run returns the looks axe decided: those of an element it passed or
# failed that may vouch. Text in an SVG image, which axe always leaves undecided (the image
# is its background), vouches for its look too.
RUN_AXE = f"""async ({{ scheme, rules, excluded, context, seen, skip }}) => {{
  const looksOf = {LOOKS};
  const COLOUR_RULES = {json.dumps(COLOUR_RULES)};
  const still = document.createElement("style");
  still.textContent = "*, ::before, ::after {{ transition: none !important; }}";
  document.head.append(still);
  const before = document.body.getAttribute("data-md-color-scheme");
  document.body.setAttribute("data-md-color-scheme", scheme);
  const report = (violations) => violations.map((v) => ({{
    id: v.id,
    impact: v.impact,
    nodes: v.nodes.map((n) => ({{
      target: n.target.join(" "),
      summary: n.failureSummary.replace(/\\s+/g, " "),
    }})),
  }}));
  try {{
    const options = {{
      resultTypes: ["violations"],
      preload: !rules, // the style sheets, for css-orientation-lock: not a colour rule
      rules: Object.fromEntries(excluded.map((id) => [id, {{ enabled: false }}])),
    }};
    if (rules) options.runOnly = {{ type: "rule", values: rules }};
    if (!seen) return {{ violations: report((await axe.run(context, options)).violations) }};

    const known = new Set(seen);
    const fresh = Object.fromEntries(COLOUR_RULES.map((id) => [id, new Map()]));
    for (const [rule, e, look, vouchable] of looksOf(skip)) {{
      if (!known.has(look)) fresh[rule].set(e, vouchable ? look : null);
    }}
    let violations = [];
    if (!rules) {{
      const others = {{ ...options, rules: {{ ...options.rules }} }};
      for (const id of COLOUR_RULES) others.rules[id] = {{ enabled: false }};
      violations = (await axe.run(context, others)).violations;
    }}
    const decided = new Set();
    if (COLOUR_RULES.some((id) => fresh[id].size > 0)) {{
      axe.configure({{ rules: COLOUR_RULES.map((id) => {{
        const {{ matches }} = axe._audit.rules.find((rule) => rule.id === id);
        const only = function (node, ...rest) {{
          return fresh[id].has(node) && matches.call(this, node, ...rest);
        }};
        return {{ id, matches: only }};
      }}) }});
      const colours = await axe.run(context, {{
        ...options,
        runOnly: {{ type: "rule", values: COLOUR_RULES }},
        resultTypes: ["violations", "passes", "incomplete"],
        elementRef: true,
      }});
      violations = [...violations, ...colours.violations];
      for (const [kind, results] of Object.entries(colours)) {{
        if (!["violations", "passes", "incomplete"].includes(kind)) continue;
        for (const result of results) {{
          for (const node of result.nodes) {{
            // A pass may be no verdict: "hidden" (not on screen) is one.
            const why = node.any[0]?.data?.messageKey;
            const look = fresh[result.id].get(node.element);
            const svg = why === "imgNode" && look?.startsWith("text: svg");
            if (look && (why ? svg : kind !== "incomplete")) decided.add(look);
          }}
        }}
      }}
    }}
    return {{ violations: report(violations), looks: [...decided] }};
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
    the colour rules check only elements of a look not in it, and the looks axe decides
    (RUN_AXE) are added to it."""
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
