"""tools/figure.py: the inline SVG that figure fences put on a page."""

import io
import math
import re
import xml.etree.ElementTree as ET

import matplotlib.patches
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
    beside = fig.colorbar(axes[0, 0].imshow(np.eye(2)), ax=axes[0, 0])  # in the cell
    shared = fig.colorbar(axes[1, 1].imshow(np.eye(2)), ax=list(axes[1]))  # beside row 1
    inset = fig.add_axes((0.6, 0.6, 0.1, 0.1))  # outside the grid, inside panel (0, 1)
    rows = panels(fig)
    assert [[panel[0] for panel in row] for row in rows] == [list(axes[0]), list(axes[1])]
    assert rows[0][0][1] is beside.ax
    assert rows[0][1][1] is inset
    assert rows[1][1][1] is shared.ax
    plt.close(fig)


@pytest.mark.parametrize("location", ["left", "right", "top", "bottom"])
def test_a_colorbar_goes_with_its_image_wherever_it_stands(location):
    fig, axes = plt.subplots(1, 3, layout="constrained")
    colorbar = fig.colorbar(axes[1].imshow(np.eye(2)), ax=axes[1], location=location)
    [row] = panels(fig)
    assert [len(panel) for panel in row] == [1, 2, 1]
    assert row[1][1] is colorbar.ax
    plt.close(fig)


def grid(**options):
    return plt.subplots(2, 2, **options)


def drawn_on_the_figure(kind: str):
    fig, axes = grid()
    if kind == "text":
        fig.text(0.5, 0.5, "图上的字")
    elif kind == "legend":
        fig.legend(axes[0, 0].plot([0, 1]), ["线"])
    elif kind == "artist":
        fig.add_artist(matplotlib.patches.Rectangle((0.1, 0.1), 0.2, 0.2))
    elif kind == "subfigures":
        fig = plt.figure()
        for sub in fig.subfigures(1, 2):
            sub.subplots(1, 2)
    elif kind == "spanning":
        fig = plt.figure()
        fig.add_subplot(fig.add_gridspec(2, 2)[:, 0])  # both rows
        fig.add_subplot(fig.add_gridspec(2, 2)[0, 1])
    elif kind == "two grids":
        fig = plt.figure()
        fig.add_subplot(fig.add_gridspec(2, 2)[0, 0])
        fig.add_subplot(fig.add_gridspec(2, 3)[1, 2])
    elif kind == "colorbar beside both rows":
        fig.colorbar(axes[0, 0].imshow(np.eye(2)), ax=list(axes.flat))
    elif kind == "axes outside every cell":
        fig.add_axes((0.0, 0.45, 1.0, 0.1))
    return fig


@pytest.mark.parametrize(
    "kind",
    [
        "text",
        "legend",
        "artist",
        "subfigures",
        "spanning",
        "two grids",
        "colorbar beside both rows",
        "axes outside every cell",
    ],
)
def test_a_figure_that_is_not_one_plain_grid_stays_whole(kind):
    assert panels(drawn_on_the_figure(kind)) is None
    plt.close("all")


def test_a_plain_grid_is_split_and_axes_the_author_hid_stay_hidden():
    single, _ = plt.subplots()
    assert panels(single) is None
    titled, _ = grid()
    titled.suptitle("标题")  # drawn as page text: the grid is still split
    assert [len(row) for row in panels(titled)] == [2, 2]
    hidden, axes = grid()
    axes[1, 1].set_visible(False)  # an unused cell
    assert [len(row) for row in panels(hidden)] == [2, 1]
    assert "" not in [t for row in panel_svgs(hidden, panels(hidden)) for t in row]
    plt.close("all")


def test_axes_sharing_an_axis_within_a_panel_keep_their_tick_labels_as_drawn():
    fig = plt.figure()
    outer = fig.add_gridspec(1, 2)
    top, bottom = (fig.add_subplot(cell) for cell in outer[0].subgridspec(2, 1))
    top.sharex(bottom)
    top.tick_params(labelbottom=False)  # the residual plot below shows them
    fig.add_subplot(outer[1])
    panel_svgs(fig, panels(fig))
    assert not top.xaxis.get_tick_params()["labelbottom"]
    plt.close(fig)


def test_panels_keep_the_whole_figures_layout():
    fig, axes = plt.subplots(1, 3, layout="constrained")  # an engine that lays out again
    fig.colorbar(axes[2].imshow(np.eye(2)), ax=axes[2])
    fig.draw_without_rendering()
    before = [ax.get_position().bounds for ax in fig.axes]
    panel_svgs(fig, panels(fig))
    np.testing.assert_allclose([ax.get_position().bounds for ax in fig.axes], before, atol=1e-3)


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
        if name == "甲":
            ax.text(0.5, 0.5, "注", fontsize=6)  # the smallest text: it sets the phone's scale
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


def style(element) -> dict[str, str]:
    return dict(rule.split(": ") for rule in element.get("style").split("; "))


def width(svg) -> float:
    return float(svg.get("viewBox").split()[2])


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
    assert all(svg.get("aria-hidden") == "true" for row in rows for svg in row)
    figure_width = max(sum(width(svg) for svg in row) for row in rows)
    # Wider than a phone: each panel its share of the figure's width, rounded down.
    for row in rows:
        shares = [float(style(svg)["flex"].removeprefix("0 1 ").removesuffix("%")) for svg in row]
        assert shares == [math.floor(1000 * width(svg) / figure_width) / 10 for svg in row]
        assert sum(shares) <= 100
    # On a phone: one scale for every panel, the one at which all text is readable.
    scales = {
        float(style(svg)["--phone-width"].removesuffix("px")) / width(svg)
        for row in rows
        for svg in row
    }
    assert max(scales) - min(scales) < 0.01
    panels_text = re.findall(r"<svg .*?</svg>", printed)
    readable = max(min_width(text) / width(ET.fromstring(text)) for text in panels_text)
    assert min(scales) == pytest.approx(readable, abs=0.01)
    # The rows scroll below the width at which their smallest text is 9 px.
    smallest = float(style(image)["--panels-min-width"].removesuffix("px"))
    assert smallest == pytest.approx(figure_width * min(scales) * 9 / 9.5, abs=1)
    assert style(image)["--panels-width"] == f"{figure_width}pt"


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


FIGURE = re.compile(
    r'<div class="code-figure"[^>]*>\s*(?:<p class="figure-title">[^<]*</p>)?<(?:svg|div) ([^>]*)>'
)
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
