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
    """The panels of a figure drawn as a grid of subplots, row by row: each cell's visible
    axes, and an axes placed outside the grid (a colorbar shared by a row) with the panel
    it stands in or right of. None for a figure to keep whole: one cell, a cell spanning
    rows, subfigures, drawings on the figure itself, an axes that belongs to
    no single row."""
    on_figure = [*fig.legends, *fig.artists, *fig.patches, *fig.lines, *fig.images]
    if fig.subfigs or on_figure or any(text is not fig._suptitle for text in fig.texts):
        return None
    cells: dict[tuple[int, int], Panel] = {}
    loose = []
    for ax in (ax for ax in fig.axes if ax.get_visible()):
        spec = ax.get_subplotspec()
        top = spec.get_topmost_subplotspec() if spec else None
        if top is None:
            loose.append(ax)
        elif len(top.rowspan) > 1:
            return None
        else:
            cells.setdefault((top.rowspan.start, top.colspan.start), []).append(ax)
    if len(cells) < 2:
        return None
    fig.draw_without_rendering()  # the final layout: positions are read below
    boxes = {cell: Bbox.union([ax.get_position() for ax in axes]) for cell, axes in cells.items()}
    for ax in loose:
        cell = _home(ax.get_position(), boxes)
        if cell is None:
            return None
        cells[cell].append(ax)
    rows: dict[int, list[Panel]] = {}
    for (row, _), axes in sorted(cells.items()):
        rows.setdefault(row, []).append(axes)
    return list(rows.values())


def _home(box: Bbox, cells: dict[tuple[int, int], Bbox]) -> tuple[int, int] | None:
    """The cell an axes outside the grid belongs to: the one around it, else the nearest
    one left of it in its row; None if it stands beside several rows or none."""
    centre = ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
    around = [cell for cell, cell_box in cells.items() if cell_box.contains(*centre)]
    if around:
        return around[0]
    left = {c: b for c, b in cells.items() if b.x1 <= box.x0 and b.y0 < box.y1 and box.y0 < b.y1}
    if len({row for row, _ in left}) != 1:
        return None
    return max(left, key=lambda cell: left[cell].x1)


PANEL_PAD = 0.03  # inches around each panel (0.1 for a whole figure): panels sit side by side


def panel_svgs(fig: matplotlib.figure.Figure, rows: list[list[Panel]]) -> list[list[str]]:
    """Each panel drawn alone (the other axes hidden; bbox "tight" crops to it), row by row.
    Tick labels that a shared axis hid are shown: stacked on a phone, each panel is read on
    its own. The figure's title is left out (show puts it on the page)."""
    shown = {ax: ax.get_visible() for ax in fig.axes}
    if fig._suptitle is not None:
        fig._suptitle.set_visible(False)
    for ax in fig.axes:
        if len(ax.get_shared_x_axes().get_siblings(ax)) > 1:
            side = ax.xaxis.get_ticks_position()
            ax.tick_params(**{"labeltop" if side == "top" else "labelbottom": True})
        if len(ax.get_shared_y_axes().get_siblings(ax)) > 1:
            side = ax.yaxis.get_ticks_position()
            ax.tick_params(**{"labelright" if side == "right" else "labelleft": True})
    drawn = []
    for row in rows:
        drawn.append([])
        for panel in row:
            for ax in fig.axes:
                ax.set_visible(shown[ax] and any(ax is member for member in panel))
            drawn[-1].append(_render(fig, pad_inches=PANEL_PAD))
    plt.close(fig)
    return drawn


# The smallest text size a figure may be shown at, in CSS px (a phone column is ~360 px).
MIN_TEXT_PX = 9.5
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
    is printed as one SVG per panel, each row of the grid a row of the page that wraps in
    a narrow column (stylesheets/phone.css); what is too wide to keep its text readable
    scrolls sideways."""
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
    # Wider than a phone, each row is the figure as drawn: it scrolls where the whole
    # figure would (its readable width), its panels in their proportions.
    row = f'<div class="figure-row" style="--row-min-width: {min_width(_render(fig)):.0f}px">'
    drawn = "".join(
        row + "".join(_panel(text, panels) for text in panels) + "</div>"
        for panels in panel_svgs(fig, rows)
    )
    # The title is text of the page: it wraps on a phone instead of scaling with a panel.
    heading = f'<p class="figure-title">{html.escape(title)}</p>' if title else ""
    fence_print(
        f'<div class="code-figure" data-search-exclude>{heading}'
        f'<div class="figure-panels" {name}>{drawn}</div></div>'
    )


def _panel(text: str, row: list[str]) -> str:
    """A panel's SVG sized for its row: its share of the row's width (growing in proportion,
    so panels on a line keep one scale), at most its own width; on a phone at least its
    readable width."""
    width = _width(text)
    # Rounded down: shares that add up to over 100 % would wrap a row that fits.
    share = math.floor(1000 * width / sum(_width(other) for other in row)) / 10
    style = f"flex: {share} 1 {share}%; max-width: {width}pt; --figure-min-width: "
    return text.replace(
        "<svg", f'<svg aria-hidden="true" style="{style}{min_width(text):.0f}px"', 1
    )


def _width(svg_text: str) -> float:
    return float(VIEWBOX.search(svg_text).group(1))
