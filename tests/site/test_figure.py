"""tools/figure.py: the inline SVG that figure fences put on a page."""

import io
import re
import xml.etree.ElementTree as ET

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tools.figure import show, svg

SVG = "{http://www.w3.org/2000/svg}"


def line_figure(seed: int):
    fig, ax = plt.subplots()
    ax.plot(np.random.default_rng(seed).normal(size=200), color="black")
    ax.set_title("标题")
    return fig


def test_svg_is_one_element_in_the_page_colour_without_metadata():
    text = svg(line_figure(0))
    root = ET.fromstring(text)
    assert root.tag == SVG + "svg"
    assert text.startswith("<svg")
    assert "#000000" not in text
    assert "currentColor" in text
    assert root.find(SVG + "metadata") is None
    assert "标题" in text  # text stays text: the browser's fonts draw Chinese


def test_an_id_shared_by_two_figures_on_one_page_names_the_same_definition():
    # matplotlib derives ids from content: equal ids (tick marks, same axes clip) are harmless.
    definitions = [
        {e.get("id"): ET.tostring(e) for e in ET.fromstring(svg(line_figure(seed))).iter()}
        for seed in (1, 2)
    ]
    shared = (definitions[0].keys() & definitions[1].keys()) - {None}
    assert all(definitions[0][key] == definitions[1][key] for key in shared)


def test_svg_is_smaller_than_what_matplotlib_writes():
    fig = line_figure(3)
    raw = io.StringIO()
    fig.savefig(raw, format="svg", bbox_inches="tight")
    assert len(svg(fig)) < 0.7 * len(raw.getvalue())


def test_min_width_keeps_the_smallest_text_readable():
    from tools.figure import MIN_TEXT_PX, min_width

    fig, ax = plt.subplots(figsize=(8, 2))
    ax.set_title("大标题", fontsize=14)
    ax.set_xlabel("small", fontsize=8)
    text = svg(fig)
    width = float(ET.fromstring(text).get("viewBox").split()[2])
    # At min_width px the 8-unit label is drawn at MIN_TEXT_PX.
    assert min_width(text) == width * MIN_TEXT_PX / 8
    assert min_width('<svg viewBox="0 0 100 50"><path d="M0 0"/></svg>') == 0


def test_show_names_the_figure_for_screen_readers(capsys):
    show(line_figure(4), alt="一条随机游走的折线，标题为「标题」 & 无图例")
    printed = capsys.readouterr().out
    assert printed.startswith('<div class="code-figure" data-search-exclude')
    image = ET.fromstring(printed[printed.index("<svg") : printed.rindex("</div>")])
    assert image.get("role") == "img"
    assert image.get("aria-label") == "一条随机游走的折线，标题为「标题」 & 无图例"


@pytest.mark.parametrize(
    ("alt", "error"),
    [(None, TypeError), ("", ValueError), ("a line chart", ValueError), ("两行\n说明", ValueError)],
)
def test_show_wants_one_line_of_chinese_as_alt(alt, error):
    with pytest.raises(error, match="alt"):
        show(line_figure(5), alt=alt)


FIGURE = re.compile(r'<div class="code-figure"[^>]*>\s*<svg ([^>]*)>')
NAME = re.compile(r'role="img" aria-label="[^"]*[\u4e00-\u9fff][^"]*"')


def test_every_figure_on_the_site_is_one_image_with_a_chinese_name(built_site):
    figures = {
        f"{page.relative_to(built_site)}: {attributes[:60]}": attributes
        for page in built_site.rglob("*.html")
        for attributes in FIGURE.findall(page.read_text(encoding="utf-8"))
    }
    assert len(figures) >= 40
    unnamed = [where for where, attributes in figures.items() if not NAME.search(attributes)]
    assert not unnamed, f"figures without a Chinese name: {unnamed}"
