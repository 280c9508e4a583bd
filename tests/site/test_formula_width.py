"""tools/formula_width.py: a page's display formulas measured at a phone's width."""

import pytest

from tools import formula_width

pytestmark = pytest.mark.browser

LONG = " + ".join(rf"\frac{{\alpha_{i}}}{{\beta_{i}}}" for i in range(16))  # ~500 px
PAGE = rf"""# 标题

$$
a = b
$$

!!! note "说明"

    $$
    L = {LONG}
    $$

$$
\frac{{1}}{{2
$$
"""


def test_reports_formulas_too_wide_for_a_phone_and_those_katex_cannot_parse(tmp_path, capsys):
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    assert formula_width.main([str(page)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines[:-1]] == [f"{page}:9", f"{page}:13"]
    assert "KaTeX parse error" in lines[1]
    assert lines[-1] == "2 of 3 display formulas wider than 370 px or unparsable"


def test_a_page_whose_formulas_fit_passes(tmp_path, capsys):
    page = tmp_path / "page.md"
    page.write_text("$$\na = b\n$$\n", encoding="utf-8")
    assert formula_width.main([str(page), "--all"]) == 0
    [formula, count] = capsys.readouterr().out.splitlines()
    width = float(formula.split("\t")[1].removesuffix(" px"))
    assert 30 < width < 100
    assert count == "0 of 1 display formulas wider than 370 px or unparsable"
