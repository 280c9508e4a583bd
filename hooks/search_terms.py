"""Search index normalisation: what readers type, in the form the search index holds.

- Each section gets the names of the Greek letters and math symbols it uses, in TeX or
  in text (γ, \\gamma -> gamma; \\nabla -> nabla 梯度), and of \\operatorname{...} names:
  math itself stays out of the index (hooks/search_exclude.py). The names go into a hidden
  span that only the search index sees (it is removed before the page is written).
- `x` or `*` between digits becomes ×, full-width letters and digits half-width.
- Pages that list other pages or terms (题库, 手写代码题单, 标签, 术语表) leave the index: a
  query should find the page that answers it, not the list that names it (the glossary
  still serves as the synonym table, and as tooltips on every page).
- The glossary (includes/abbreviations.md) becomes the synonym table that the query
  wrapper (overrides/assets/javascripts/workers/search-wrapper.js) expands queries with.
"""

import json
import re
import unicodedata
from pathlib import Path

LISTING_PAGES = ("questions/", "whiteboard/", "tags/", "glossary/")
GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda",
    "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau",
    "φ": "phi", "ϕ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega", "Γ": "gamma",
    "Δ": "delta", "Θ": "theta", "Λ": "lambda", "Σ": "sigma", "Φ": "phi", "Ψ": "psi",
    "Ω": "omega", "∇": "nabla 梯度", "∂": "partial 偏导", "∑": "sum 求和", "∏": "prod 连乘",
    "∫": "积分", "√": "sqrt", "⊙": "hadamard 逐元素",
}  # fmt: skip
TEX = {
    **{name: name for name in set(" ".join(GREEK.values()).split()) if name.isascii()},
    "varepsilon": "epsilon", "varphi": "phi", "vartheta": "theta", "odot": "hadamard 逐元素",
    "nabla": "nabla 梯度", "partial": "partial 偏导", "sum": "sum 求和", "prod": "prod 连乘",
    "int": "积分", "sqrt": "sqrt", "otimes": "otimes 外积", "infty": "infinity 无穷",
}  # fmt: skip
MATH = re.compile(r'<(span|div) class="arithmatex"[^>]*>(.*?)</\1>', re.S)
COMMAND = re.compile(r"\\([A-Za-z]+)")
OPERATOR = re.compile(r"\\(?:operatorname|mathrm|text)\{([A-Za-z][A-Za-z0-9-]{2,})\}")
HEADING = re.compile(r"(?=<h[1-6][\s>])")
TAG = re.compile(r"<[^>]+>")
SPAN = re.compile(r'<span class="search-terms" hidden>[^<]*</span>')
BY = re.compile(r"(?<=\d)\s*[xX*]\s*(?=\d)")
FULL_WIDTH = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def names(section: str) -> list[str]:
    """Names of the notation a section uses, each once, in order of first use."""
    found: list[str] = []
    for match in MATH.finditer(section):
        tex = match.group(2)
        found += [TEX[c] for c in COMMAND.findall(tex) if c in TEX]
        found += [word.lower() for word in OPERATOR.findall(tex)]
    found += [GREEK[c] for c in TAG.sub("", MATH.sub("", section)) if c in GREEK]
    words = " ".join(found).split()
    return list(dict.fromkeys(words))


def on_page_content(html: str, page, config, files) -> str:
    sections = HEADING.split(html)
    for i, section in enumerate(sections):
        terms = names(section)
        if terms:
            sections[i] = section + f'<span class="search-terms" hidden>{" ".join(terms)}</span>'
    return "".join(sections)


def on_page_context(context, page, config, nav):
    # After the search plugin has read the page: the names are for the index only.
    page.content = SPAN.sub("", page.content)
    return context


def normalise(text: str) -> str:
    text = FULL_WIDTH.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return BY.sub("×", text)


def synonym_groups() -> list[list[str]]:
    """Glossary rows as groups of names: the term, its English names and its Chinese
    names (' / ' separates alternatives; a （…） note is a description, not a name).
    Long descriptions are not names a reader types and would only add noise."""
    from hooks.glossary_page import entries  # the repo root is on sys.path from on_config

    groups = []
    for entry in entries():
        chinese = entry["chinese"].split("（")[0]
        members = [entry["term"], *entry["english"].split(" / "), *chinese.split(" / ")]
        members = [m.strip() for m in members]
        members = [m for m in members if (m.isascii() and len(m.split()) <= 3) or len(m) <= 6]
        if len(members) > 1:
            groups.append(list(dict.fromkeys(members)))
    return groups


def on_post_build(config) -> None:
    path = Path(config.site_dir) / "search" / "search_index.json"
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    index["docs"] = [
        {**doc, "title": normalise(doc["title"]), "text": normalise(doc["text"])}
        for doc in index["docs"]
        if not doc["location"].startswith(LISTING_PAGES)
    ]
    index["config"]["synonyms"] = synonym_groups()
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text, "utf-8")
    inlined = path.with_suffix(".js")  # the offline build's copy, written before this hook
    if inlined.is_file():
        inlined.write_text(f"var __index = {text}", "utf-8")
