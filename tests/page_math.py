"""The formulas a page states, read from its Markdown and evaluated, so tests check the page.

A closed form that lives only in a page's LaTeX is otherwise checked by nothing: a test
that types the formula again in Python checks the test, not the page. `page_formula`
finds a display formula under a question heading and `evaluate` computes it. The LaTeX
understood is the small arithmetic vocabulary of such formulas: + - · × ⊙ / \\frac, \\sqrt,
\\lfloor \\rfloor, \\lceil \\rceil, \\log_2, powers, implicit products like 2P or D(F - 1),
one-letter or Greek symbols with subscripts (H_{out} -> H_out, \\mu_B -> mu_B, G_{t-1} ->
G_prev, \\hat{x}_i -> xhat_i) and \\text{names}. Values may be numpy arrays (elementwise).
Anything else raises ValueError.
"""

import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DISPLAY = re.compile(r"^\$\$\n(.*?)\n\$\$$", re.S | re.M)

FUNCTIONS = {"floor": np.floor, "ceil": np.ceil, "log2": np.log2, "sqrt": np.sqrt, "sum": np.sum}
GREEK = ("alpha", "beta", "gamma", "epsilon", "eta", "theta", "mu", "sigma", "rho", "lambda")
WORDS = {
    **{rf"\{letter}": f" {letter}" for letter in GREEK},
    r"\odot": " * ",
    r"\lfloor": " floor( ",
    r"\rfloor": " ) ",
    r"\lceil": " ceil( ",
    r"\rceil": " ) ",
    r"\cdot": " * ",
    r"\times": " * ",
    r"\log_2": " log2 ",
    r"\sqrt": " sqrt ",
}
SPACING = re.compile(r"\\(left|right|,|;|!|quad|qquad)(?![A-Za-z])")
TOKEN = re.compile(
    r"\s*(?:(?P<func>floor|ceil|log2|sqrt|sum)\b|(?P<num>\d+(?:\.\d+)?)"
    rf"|(?P<name>[A-Za-z]\w*_\w+|(?:{'|'.join(GREEK)}|[A-Za-z]hat|[A-Za-z]))|(?P<op>[-+*/()^]))"
)


def page_formulas(page: str, heading: str) -> list[str]:
    """The display formulas ($$ … $$ blocks) in the section of docs/<page> under heading."""
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    # A question heading may end in an attr_list such as `{ .hf }` (a 高频 mark).
    found = re.search(rf"\n{re.escape(heading)}(?: \{{[^}}\n]*\}})?\n", text)
    if found is None:
        raise ValueError(f"no heading {heading!r} in docs/{page}")
    start = found.start()
    end = text.find("\n## ", start + 1)
    return DISPLAY.findall(text[start : end if end != -1 else len(text)])


def _braced(text: str, i: int, latex: str) -> tuple[str, int]:
    """The content of the {…} group that starts at text[i] (after spaces), and its end."""
    while text[i : i + 1].isspace():
        i += 1
    depth = 0
    for j in range(i, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            if text[i] != "{":
                break
            return text[i + 1 : j], j + 1
    raise ValueError(f"cannot read the \\frac in {latex!r}")


def _close_sums(tokens: list[str]) -> list[str]:
    """A sum's body runs to the next + or - outside parentheses (or to the end)."""
    if "sum" not in tokens:
        return tokens
    i = tokens.index("sum")
    depth, j = 0, i + 1
    while j < len(tokens) and (depth > 0 or tokens[j] not in "+-" or j == i + 1):
        depth += {"(": 1, ")": -1}.get(tokens[j], 0)
        if depth < 0:
            break
        j += 1
    return [*tokens[: i + 1], "(", *_close_sums(tokens[i + 1 : j]), ")", *_close_sums(tokens[j:])]


def _to_python(latex: str) -> str:
    text = SPACING.sub(" ", latex)
    text = re.sub(r"\\sum_\{\w=1\}\^\{?\w\}?", " sum ", text)  # over the whole array
    text = re.sub(r"\\text\{([\w\\]+)\}", lambda m: " " + m[1].replace("\\_", "_"), text)
    text = re.sub(r"\\hat\{(\w)\}", r"\1hat", text)  # \hat{x}_i -> xhat_i
    text = re.sub(r"_\{\s*t\s*-\s*1\s*\}", "_prev", text)  # G_{t-1} -> G_prev
    text = re.sub(r"_\{(\w+)\}", r"_\1", text)  # H_{out} -> H_out
    while (start := text.find(r"\frac")) != -1:
        numerator, middle = _braced(text, start + len(r"\frac"), latex)
        denominator, end = _braced(text, middle, latex)
        text = f"{text[:start]} (({numerator})/({denominator})) {text[end:]}"
    for word, python in WORDS.items():
        text = text.replace(word, python)
    if "\\" in text:
        raise ValueError(f"unknown LaTeX command in {latex!r}")
    text = text.replace("{", "(").replace("}", ")").strip().rstrip(".,")
    tokens, pos = [], 0
    while pos < len(text.rstrip()):
        match = TOKEN.match(text, pos)
        if not match:
            raise ValueError(f"cannot read {text[pos:]!r} in {latex!r}")
        tokens.append(match.group(match.lastgroup).replace("^", "**"))
        pos = match.end()
    out: list[str] = []
    for token in tokens:
        # implicit product: 2P, D(F - 1), )( ; a function name only starts an operand
        ends_operand = out and (out[-1][0].isalnum() or out[-1] == ")")
        if ends_operand and out[-1] not in FUNCTIONS and (token[0].isalnum() or token == "("):
            out.append("*")
        out.append(token)
    out = _close_sums(out)
    python = " ".join(out)
    # \log_2 N: a function applied to one bare symbol or number gets its parentheses
    return re.sub(r"\b(log2|sqrt) (\w+)", r"\1(\2)", python)


def evaluate(latex: str, **symbols: float) -> float:
    """The value of a LaTeX expression (no `=`) with the given symbols."""
    python = _to_python(latex)
    names = set(re.findall(r"[A-Za-z]\w*", python)) - FUNCTIONS.keys()
    if missing := names - symbols.keys():
        raise ValueError(f"no value for {sorted(missing)} in {latex!r}")
    return eval(python, {"__builtins__": {}, **FUNCTIONS}, symbols)  # our own page's text


def equations(formula: str) -> list[tuple[str, str]]:
    """The (left, right) sides of the equations of a block: one per line of an aligned
    environment, or side by side separated by \\qquad; a line without `=` continues the
    right side above it (a long formula broken to fit a phone); trailing punctuation dropped."""
    body = re.sub(r"\\(begin|end)\{aligned\}", "", formula)
    parts: list[str] = []
    for line in body.split(r"\\"):
        for part in re.split(r",?\s*\\qquad", line):
            if part.strip() and "=" not in part and parts:
                parts[-1] += " " + part
            elif part.strip():
                parts.append(part)
    pairs = []
    for part in parts:
        left, right = part.replace("&", "").split("=", 1)
        pairs.append((_to_python(left).replace(" ", ""), right.strip().rstrip(".,")))
    return pairs


def run_equations(formula: str, **symbols) -> dict:
    """Evaluate a block's equations in order, each binding its left side for the next ones;
    a left side s**2 (\\sigma_B^2) binds s to the square root."""
    symbols = dict(symbols)
    for left, right in equations(formula):
        value = evaluate(right, **symbols)
        name, squared = left.removesuffix("**2"), left.endswith("**2")
        symbols[name] = np.sqrt(value) if squared else value
    return symbols


def right_hand_sides(formula: str) -> list[str]:
    """The expressions after each `=` of a chain `h = a = b.`."""
    return formula.split("=")[1:]
