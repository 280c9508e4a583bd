"""tools/figure.py: the inline SVG that figure fences put on a page."""

import io
import re
import xml.etree.ElementTree as ET

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tools.figure import panel_svgs, panels, show, svg

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


def test_panels_are_the_grid_cells_in_reading_order_each_with_its_colorbar():
    fig = plt.figure()
    grid = fig.add_gridspec(2, 2)
    axes = np.empty((2, 2), dtype=object)
    for row, col in ((1, 1), (0, 1), (1, 0), (0, 0)):  # made out of reading order
        axes[row, col] = fig.add_subplot(grid[row, col])
    image = axes[0, 0].imshow(np.eye(2))
    beside = fig.colorbar(image, ax=axes[0, 0])  # takes part of the panel's cell
    shared = fig.colorbar(image, ax=list(axes[1]))  # outside the grid, right of the row
    found = panels(fig)
    assert [group[0] for group in found] == [axes[0, 0], axes[0, 1], axes[1, 0], axes[1, 1]]
    assert [len(group) for group in found] == [2, 1, 1, 2]
    assert found[0][1] is beside.ax
    assert found[3][1] is shared.ax
    plt.close(fig)


def shared_figure():
    fig, axes = plt.subplots(1, 3, figsize=(9, 3), sharey=True)
    for ax in axes:
        ax.plot([0, 1], [0, 1])
        ax.set_yticks([0, 1], ["甲", "乙"])
    fig.suptitle("三个 & 面板")
    return fig


def test_each_panel_is_drawn_alone_with_its_share_of_the_row():
    drawn = panel_svgs(shared_figure())
    assert len(drawn) == 3
    shares = [share for _, share in drawn]
    assert 99.7 <= sum(shares) <= 100  # never over: the row would wrap
    assert all(abs(share - shares[0]) < 5 for share in shares)
    # Shared axes keep their tick labels when stacked; the title is not drawn in a panel.
    assert all("甲" in text and "面板" not in text for text, _ in drawn)


def test_show_prints_a_figure_of_panels_as_one_named_image(capsys):
    show(shared_figure(), alt="三幅折线图")
    printed = capsys.readouterr().out
    assert printed.startswith(
        '<div class="code-figure" data-search-exclude><div class="figure-panels"'
    )
    start = printed.index('<div class="figure-panels"')
    image = ET.fromstring(printed[start : printed.rindex("</div>")])
    assert image.get("role") == "img"
    assert image.get("aria-label") == "三幅折线图"
    title, *svgs = list(image)
    assert (title.tag, title.get("class"), title.text) == ("p", "figure-title", "三个 & 面板")
    assert [e.tag for e in svgs] == [SVG + "svg"] * 3
    assert all(
        "--panel-share: " in e.get("style") and "--figure-min-width: " in e.get("style")
        for e in svgs
    )


def test_a_figure_of_panels_keeps_its_text_on_the_panels():
    fig = shared_figure()
    fig.text(0.5, 0.5, "图上的字")
    with pytest.raises(ValueError, match="put it on a panel"):
        panel_svgs(fig)
    fig = shared_figure()
    fig.suptitle("$x^2$")
    with pytest.raises(ValueError, match="plain text"):
        show(fig, alt="三幅折线图")


@pytest.mark.parametrize(
    ("alt", "error"),
    [(None, TypeError), ("", ValueError), ("a line chart", ValueError), ("两行\n说明", ValueError)],
)
def test_show_wants_one_line_of_chinese_as_alt(alt, error):
    with pytest.raises(error, match="alt"):
        show(line_figure(5), alt=alt)


FIGURE = re.compile(r'<div class="code-figure"[^>]*>\s*<(?:svg|div) ([^>]*)>')
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
