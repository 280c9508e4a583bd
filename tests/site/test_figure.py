"""tools/figure.py: the inline SVG that figure fences put on a page."""

import io
import re
import xml.etree.ElementTree as ET

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tools.figure import min_width, panel_svgs, panels, show, svg

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
    from tools.figure import MIN_TEXT_PX

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


def titles(svg_text: str) -> list[str]:
    return [e.text for e in ET.fromstring(svg_text).iter(SVG + "text") if e.text]


def test_panels_are_the_grid_cells_row_by_row_each_with_its_colorbars():
    fig = plt.figure()
    grid = fig.add_gridspec(2, 2)
    axes = np.empty((2, 2), dtype=object)
    for row, col in ((1, 1), (0, 1), (1, 0), (0, 0)):  # made out of reading order
        axes[row, col] = fig.add_subplot(grid[row, col])
    image = axes[0, 0].imshow(np.eye(2))
    beside = fig.colorbar(image, ax=axes[0, 0])  # takes part of the panel's cell
    shared = fig.colorbar(image, ax=list(axes[1]))  # outside the grid, right of row 1
    inset = fig.add_axes((0.6, 0.6, 0.1, 0.1))  # outside the grid, inside panel (0, 1)
    rows = panels(fig)
    assert [[panel[0] for panel in row] for row in rows] == [list(axes[0]), list(axes[1])]
    assert rows[0][0][1] is beside.ax
    assert rows[0][1][1] is inset
    assert rows[1][1][1] is shared.ax
    plt.close(fig)


def test_a_figure_that_is_not_a_plain_grid_stays_whole():
    def grid(**options):
        fig, axes = plt.subplots(2, 2, **options)
        return fig, axes

    single, _ = plt.subplots()
    titled, _ = grid()
    titled.suptitle("标题")  # drawn as page text: the grid is still split
    text, _ = grid()
    text.text(0.5, 0.5, "图上的字")
    legend, axes = grid()
    legend.legend(axes[0, 0].plot([0, 1], label="线"), ["线"])
    spanning = plt.figure()
    spanning.add_subplot(spanning.add_gridspec(2, 2)[:, 0])  # both rows
    spanning.add_subplot(spanning.add_gridspec(2, 2)[0, 1])
    across, axes = grid()
    across.colorbar(axes[0, 0].imshow(np.eye(2)), ax=list(axes.flat))  # beside both rows
    assert panels(titled) is not None
    assert [panels(f) for f in (single, text, legend, spanning, across)] == [None] * 5
    hidden, axes = grid()
    axes[1, 1].set_visible(False)  # an unused cell the author hid stays hidden
    assert [len(row) for row in panels(hidden)] == [2, 1]
    plt.close("all")


def two_rows():
    """Two panels above three, sharing their axes; a title per panel."""
    fig = plt.figure(figsize=(9, 5))
    grid = fig.add_gridspec(2, 6)
    cells = [grid[0, 0:3], grid[0, 3:6], grid[1, 0:2], grid[1, 2:4], grid[1, 4:6]]
    first = None
    for cell, name in zip(cells, "甲乙丙丁戊", strict=True):
        ax = fig.add_subplot(cell, sharex=first, sharey=first)
        first = first or ax
        ax.plot([0, 1], [0, 1])
        ax.set_title(name)
        ax.set_xticks([0, 1], ["左", "右"])
        ax.set_yticks([0, 1], ["零", "一"])
        # as plt.subplots(sharex=True, sharey=True) leaves them
        ax.tick_params(labelleft=ax is first, labelbottom=name in "丙丁戊")
    fig.suptitle("五个 & 面板")
    return fig


def test_each_panel_is_drawn_alone_with_the_tick_labels_its_shared_axis_hid():
    fig = two_rows()
    drawn = panel_svgs(fig, panels(fig))
    # Each panel holds its own title and no other's, its own y tick labels, not the title.
    names = [["".join(set(titles(text)) & set("甲乙丙丁戊")) for text in row] for row in drawn]
    assert names == [["甲", "乙"], ["丙", "丁", "戊"]]
    assert all({"零", "左"} <= set(titles(text)) for row in drawn for text in row)
    for ax in fig.axes:  # on the side their ticks are
        assert ax.xaxis.get_tick_params()["labelbottom"]
        assert ax.yaxis.get_tick_params()["labelleft"]
    assert not any("五个 & 面板" in titles(text) for row in drawn for text in row)


def test_show_prints_a_grid_as_rows_of_panels_in_one_named_image(capsys):
    show(two_rows(), alt="五幅折线图")
    printed = capsys.readouterr().out
    figure = ET.fromstring(printed.replace(" data-search-exclude", ' data-search-exclude=""'))
    assert (figure.get("class"), figure.get("data-search-exclude")) == ("code-figure", "")
    title, image = list(figure)
    assert (title.tag, title.get("class"), title.text) == ("p", "figure-title", "五个 & 面板")
    assert (image.get("class"), image.get("role"), image.get("aria-label")) == (
        "figure-panels",
        "img",
        "五幅折线图",
    )
    rows = [list(row) for row in image]
    assert [len(row) for row in rows] == [2, 3]
    # wider than a phone a row scrolls where the whole figure would: at its readable width
    whole = min_width(svg(two_rows()))
    assert {row.get("style") for row in image} == {f"--row-min-width: {whole:.0f}px"}
    for row in rows:
        styles = [dict(rule.split(": ") for rule in svg.get("style").split("; ")) for svg in row]
        shares = [float(style["flex"].split()[0]) for style in styles]
        assert 99.7 <= sum(shares) <= 100  # never over: the row would wrap
        assert all(svg.get("aria-hidden") == "true" for svg in row)
        assert all(float(style["--figure-min-width"].removesuffix("px")) > 50 for style in styles)
        widths = [float(svg.get("viewBox").split()[2]) for svg in row]
        assert [style["max-width"] for style in styles] == [f"{w}pt" for w in widths]


def test_a_title_with_mathtext_keeps_the_figure_whole(capsys):
    fig = two_rows()
    fig.suptitle("$x^2$")
    show(fig, alt="五幅折线图")
    printed = capsys.readouterr().out.replace(" data-search-exclude", ' data-search-exclude=""')
    assert ET.fromstring(printed)[0].get("role") == "img"
    assert "figure-panels" not in printed


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
