"""The formulas a page states, read from its Markdown and evaluated, so tests check the page.

A closed form that lives only in a page's LaTeX is otherwise checked by nothing: a test
that types the formula again in Python checks the test, not the page. `page_formula`
finds a display formula under a question heading and `evaluate` computes it. The LaTeX
understood is the small arithmetic vocabulary of such formulas: + - · × / \\frac, \\sqrt,
\\lfloor \\rfloor, \\lceil \\rceil, \\log_2, powers, implicit products like 2P or D(F - 1),
and one-letter symbols with subscripts (H_{out}). Anything else raises ValueError.
"""

import math
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DISPLAY = re.compile(r"^\$\$\n(.*?)\n\$\$$", re.S | re.M)

FUNCTIONS = {"floor": math.floor, "ceil": math.ceil, "log2": math.log2, "sqrt": math.sqrt}
WORDS = {
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
    r"\s*(?:(?P<func>floor|ceil|log2|sqrt)\b|(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<name>[A-Za-z](?:_\w+)?)|(?P<op>[-+*/()^]))"
)


def page_formulas(page: str, heading: str) -> list[str]:
    """The display formulas ($$ … $$ blocks) in the section of docs/<page> under heading."""
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n")
    end = text.find("\n## ", start + 1)
    return DISPLAY.findall(text[start : end if end != -1 else len(text)])


def _to_python(latex: str) -> str:
    text = SPACING.sub(" ", latex)
    text = re.sub(r"_\{(\w+)\}", r"_\1", text)  # H_{out} -> H_out
    while r"\frac" in text:
        new = re.sub(r"\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r" ((\1)/(\2)) ", text)
        if new == text:
            raise ValueError(f"cannot read the \\frac in {latex!r}")
        text = new
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


def right_hand_sides(formula: str) -> list[str]:
    """The expressions after each `=` of a chain `h = a = b.`."""
    return formula.split("=")[1:]
