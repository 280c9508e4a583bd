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
    page, fits, prose = (tmp_path / name for name in ("page.md", "fits.md", "prose.md"))
    page.write_text(PAGE, encoding="utf-8")
    fits.write_text("$$\na = b\n$$\n", encoding="utf-8")
    prose.write_text("没有公式。\n", encoding="utf-8")
    assert formula_width.main([str(prose)]) == 0  # nothing to measure: no browser
    assert formula_width.main([str(page), str(fits), "--all"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "0 of 0 display formulas wider than 370 px or unparsable"
    shown = [line.split("\t") for line in lines[1:-1]]
    assert [where for where, *_ in shown] == [f"{page}:3", f"{page}:9", f"{page}:13", f"{fits}:1"]
    widths = {where: width for where, width, _ in shown}
    assert 30 < float(widths[f"{page}:3"].removesuffix(" px")) < 100  # a = b
    assert float(widths[f"{page}:9"].removesuffix(" px")) > 370
    assert widths[f"{page}:13"].startswith("KaTeX parse error")
    assert lines[-1] == "2 of 4 display formulas wider than 370 px or unparsable"
