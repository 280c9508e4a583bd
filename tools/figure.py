"""Turn a matplotlib figure into inline SVG for a page (used by markdown-exec fences).

Importing this module sets a style that reads well in light and dark mode:
transparent background, text kept as text (the browser's fonts render Chinese),
and pure black replaced by the page's own text colour.
"""

import html
import inspect
import io
import math
import re
import warnings

import matplotlib
from matplotlib.transforms import Bbox
from scour import scour

matplotlib.use("Agg")
import matplotlib.pyplot as plt

matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "dl-interview-notes",  # deterministic element ids
        "figure.facecolor": "none",
        "axes.facecolor": "none",
        "savefig.transparent": True,
        "legend.facecolor": "none",
        "legend.edgecolor": "0.5",
        "font.family": ["sans-serif"],
    }
)
# Glyph metrics for Chinese labels may be missing locally; the browser draws them.
warnings.filterwarnings("ignore", message="Glyph .* missing from font")


# Four significant digits are finer than a pixel. Ids are not shortened: matplotlib's
# content-hashed ids keep figures on one page from clashing. Collapsing groups costs a
# third of scour's time and saves under 1% after gzip.
SCOUR_OPTIONS = scour.parse_args(
    [
        *["--set-precision=4", "--enable-id-stripping", "--remove-metadata"],
        *["--strip-xml-prolog", "--no-line-breaks", "--disable-group-collapsing", "--quiet"],
    ]
)


def svg(fig: matplotlib.figure.Figure) -> str:
    """The figure as a compact SVG element whose black follows the page's text colour."""
    text = _render(fig)
    plt.close(fig)
    return text


def _render(fig: matplotlib.figure.Figure, pad_inches: float = 0.1) -> str:
    buffer = io.StringIO()
    fig.savefig(
        buffer, format="svg", bbox_inches="tight", pad_inches=pad_inches, metadata={"Date": None}
    )
    text = buffer.getvalue().replace("#000000", "currentColor")
    text = scour.scourString(text, SCOUR_OPTIONS)
    return text[text.index("<svg") :]


Panel = list[matplotlib.axes.Axes]  # the axes of one cell of the grid, with its colorbar


def panels(fig: matplotlib.figure.Figure) -> list[list[Panel]] | None:
    """The panels of a figure drawn as one grid of subplots, row by row: each cell's
    visible axes, with a colorbar made for one of them or an axes placed inside its cell.
    None for a figure to keep whole: one cell, several grids, a cell spanning rows,
    subfigures, drawings on the figure itself, an axes shared by several rows or columns
    or outside every cell."""
    on_figure = [*fig.legends, *fig.artists, *fig.patches, *fig.lines, *fig.images]
    if fig.subfigs or on_figure or any(text is not fig._suptitle for text in fig.texts):
        return None
    cells: dict[tuple[int, int], Panel] = {}
    grids, loose = set(), []
    for ax in (ax for ax in fig.axes if ax.get_visible()):
        spec = ax.get_subplotspec()
        top = spec.get_topmost_subplotspec() if spec else None
        if top is None:
            loose.append(ax)
            continue
        grids.add(id(top.get_gridspec()))
        if len(top.rowspan) > 1 or len(grids) > 1:
            return None
        cells.setdefault((top.rowspan.start, top.colspan.start), []).append(ax)
    if len(cells) < 2:
        return None
    fig.draw_without_rendering()  # the final layout: positions are read below
    boxes = {cell: Bbox.union([ax.get_position() for ax in axes]) for cell, axes in cells.items()}
    for ax in loose:
        cell = _home(ax, cells, boxes)
        if cell is None:
            return None
        cells[cell].append(ax)
    rows: dict[int, list[Panel]] = {}
    for (row, _), axes in sorted(cells.items()):
        rows.setdefault(row, []).append(axes)
    return list(rows.values())


def _home(ax, cells: dict[tuple[int, int], Panel], boxes: dict[tuple[int, int], Bbox]):
    """The cell of an axes outside the grid: for a colorbar, its image's cell; else the cell
    around it. None if there is none, or if the axes reaches into another row or column."""
    box = ax.get_position()
    colorbar = getattr(ax, "_colorbar", None)
    if colorbar is not None:
        owner = getattr(colorbar.mappable, "axes", None)  # None for a bare ScalarMappable
        home = next((cell for cell, axes in cells.items() if owner in axes), None)
    else:
        centre = ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
        home = next((cell for cell, b in boxes.items() if b.contains(*centre)), None)
    if home is None:
        return None
    for (row, col), other in boxes.items():
        if row != home[0] and _overlap(box.y0, box.y1, other.y0, other.y1) > other.height / 10:
            return None
        if col != home[1] and _overlap(box.x0, box.x1, other.x0, other.x1) > other.width / 10:
            return None
    return home


def _overlap(low: float, high: float, other_low: float, other_high: float) -> float:
    return max(0.0, min(high, other_high) - max(low, other_low))


PANEL_PAD = 0.03  # inches around each panel (0.1 for a whole figure): panels sit side by side


def panel_svgs(fig: matplotlib.figure.Figure, rows: list[list[Panel]]) -> list[list[str]]:
    """Each panel drawn alone (the other axes hidden; bbox "tight" crops to it), row by row,
    in the whole figure's layout. Tick labels that a shared axis hid are shown, unless the
    axis they share with is in the same panel: stacked on a phone, each panel is read on
    its own. The figure's title is left out (show puts it on the page). rows come from
    panels(fig), which has laid the figure out."""
    fig.set_layout_engine("none")  # a layout engine would re-arrange the axes left shown
    if fig._suptitle is not None:
        fig._suptitle.set_visible(False)
    for panel in (panel for row in rows for panel in row):
        for ax in panel:
            _show_shared_tick_labels(ax, panel)
    drawn = []
    for row in rows:
        drawn.append([])
        for panel in row:
            for ax in fig.axes:
                ax.set_visible(any(ax is member for member in panel))  # panels hold visible axes
            drawn[-1].append(_render(fig, pad_inches=PANEL_PAD))
    plt.close(fig)
    return drawn


def _show_shared_tick_labels(ax: matplotlib.axes.Axes, panel: Panel) -> None:
    shared = (
        (ax.xaxis, ax.get_shared_x_axes(), "top", "bottom"),
        (ax.yaxis, ax.get_shared_y_axes(), "right", "left"),
    )
    for axis, group, other_side, usual_side in shared:
        siblings = [other for other in group.get_siblings(ax) if other is not ax]
        if siblings and not any(other in panel for other in siblings):
            side = other_side if axis.get_ticks_position() == other_side else usual_side
            ax.tick_params(**{f"label{side}": True})


# The smallest text size a figure may be shown at, in CSS px (a phone column is ~360 px).
MIN_TEXT_PX = 9.5
MIN_ROW_TEXT_PX = 9.0  # for the rows of a split grid wider than a phone (see show)
PX_PER_UNIT = 4 / 3  # an SVG unit of matplotlib's is a point
VIEWBOX = re.compile(r'<svg[^>]*\sviewBox="[-\d.]+ [-\d.]+ ([\d.]+) [\d.]+"')
FONT_SIZE = re.compile(r'font-size(?:="|:\s*)([\d.]+)(?:px)?')


def min_width(svg_text: str) -> float:
    """The width in CSS px below which the figure's smallest text would be under
    MIN_TEXT_PX (0 for a figure without text)."""
    sizes = [float(size) for size in FONT_SIZE.findall(svg_text)]
    viewbox = VIEWBOX.search(svg_text)
    if not sizes or viewbox is None:
        return 0.0
    return float(viewbox.group(1)) * MIN_TEXT_PX / min(sizes)


HAN = re.compile(r"[\u4e00-\u9fff]")


def show(fig: matplotlib.figure.Figure, *, alt: str) -> None:
    """Print the figure for markdown-exec (`exec="on" html="1"`), kept out of search. alt, a
    Chinese description of what the figure shows, is its name for screen readers: one
    image, instead of its tick labels and legend read out one by one. A grid of subplots
    is printed as one SVG per panel (stylesheets/phone.css lays them out): wider than a
    phone its rows are the figure as drawn; on a phone every panel is drawn at one scale
    that keeps its text readable, as many to a line as fit. What is too wide to keep its
    text readable scrolls sideways."""
    if not isinstance(alt, str):
        raise TypeError(f"alt must be a str, not {type(alt).__name__}")
    if not HAN.search(alt) or "\n" in alt:
        raise ValueError(f"alt must be one line of Chinese describing the figure: {alt!r}")
    # markdown-exec captures output through a `print` it puts in the fence's globals.
    fence_print = inspect.currentframe().f_back.f_globals.get("print", print)
    name = f'role="img" aria-label="{html.escape(alt.strip(), quote=True)}"'
    rows = panels(fig)
    title = fig.get_suptitle()
    if rows is None or "$" in title:  # mathtext is not page text: the title stays drawn
        text = svg(fig).replace("<svg", f"<svg {name}", 1)
        width = min_width(text)
        style = f' style="--figure-min-width: {width:.0f}px"' if width else ""
        fence_print(f'<div class="code-figure" data-search-exclude{style}>{text}</div>')
        return
    drawn = panel_svgs(fig, rows)
    texts = [text for row in drawn for text in row]
    # One scale for every panel (px per unit of the figure): the one that draws the
    # smallest text of any panel at MIN_TEXT_PX, or the natural size without text.
    scale = max(min_width(text) / _width(text) for text in texts) or PX_PER_UNIT
    figure_width = max(sum(_width(text) for text in row) for row in drawn)
    # Wider than a phone the rows are the figure as drawn, scrolling below the width at
    # which its text is MIN_ROW_TEXT_PX (the tick labels a split adds widen the rows).
    smallest = figure_width * scale * MIN_ROW_TEXT_PX / MIN_TEXT_PX
    rows_html = "".join(
        '<div class="figure-row">' + "".join(_panel(t, figure_width, scale) for t in row) + "</div>"
        for row in drawn
    )
    # The title is text of the page: it wraps on a phone instead of scaling with a panel.
    heading = f'<p class="figure-title">{html.escape(title)}</p>' if title else ""
    fence_print(
        f'<div class="code-figure" data-search-exclude>{heading}<div class="figure-panels" '
        f'{name} style="--panels-min-width: {smallest:.0f}px; --panels-width: {figure_width}pt">'
        f"{rows_html}</div></div>"
    )


def _panel(text: str, figure_width: float, scale: float) -> str:
    """A panel's SVG: its share of the figure's width, or on a phone its width at scale."""
    width = _width(text)
    share = math.floor(1000 * width / figure_width) / 10  # rounded down: a row never over 100 %
    style = f"flex: 0 1 {share}%; --phone-width: {width * scale:.1f}px"
    return text.replace("<svg", f'<svg aria-hidden="true" style="{style}"', 1)


def _width(svg_text: str) -> float:
    return float(VIEWBOX.search(svg_text).group(1))
