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


def _render(fig: matplotlib.figure.Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue().replace("#000000", "currentColor")
    text = scour.scourString(text, SCOUR_OPTIONS)
    return text[text.index("<svg") :]


def panels(fig: matplotlib.figure.Figure) -> list[list[matplotlib.axes.Axes]]:
    """The figure's panels in reading order, row by row: the axes of each cell of its grid
    (an axes and the colorbar made beside it share a cell). An axes outside the grid, such
    as a colorbar shared by a row, joins the panel it stands right of. A figure without
    a grid of several cells is one panel."""
    cells: dict[tuple[int, int], list] = {}
    loose = []
    for ax in fig.axes:
        spec = ax.get_subplotspec()
        if spec is None:
            loose.append(ax)
            continue
        top = spec.get_topmost_subplotspec()
        cells.setdefault((top.rowspan.start, top.colspan.start), []).append(ax)
    if len(cells) < 2:
        return [fig.axes]
    ordered = [cells[cell] for cell in sorted(cells)]
    for ax in loose:
        box = ax.get_position()
        beside = [
            group
            for group in ordered
            if group[0].get_position().x1 <= box.x0
            and group[0].get_position().y0 < box.y1
            and box.y0 < group[0].get_position().y1
        ]
        if not beside:
            raise ValueError(f"an axes outside the figure's grid, right of no panel: {ax}")
        max(beside, key=lambda group: group[0].get_position().x1).append(ax)
    return ordered


def _row(group: list) -> int:
    return group[0].get_subplotspec().get_topmost_subplotspec().rowspan.start


def panel_svgs(fig: matplotlib.figure.Figure) -> list[tuple[str, float]]:
    """Each panel drawn alone (the others hidden; bbox "tight" then crops to it), with its
    share of its row's width in %. Axes that share an axis get their own tick labels:
    stacked, none stands above another. The figure's title is left out (see show)."""
    if fig.legends or any(text is not fig._suptitle for text in fig.texts):
        raise ValueError(
            "a figure of several panels cannot place text or a legend on the "
            "figure itself: put it on a panel (ax.text, ax.legend)"
        )
    if fig._suptitle is not None:
        fig._suptitle.set_visible(False)
    for ax in fig.axes:
        if len(ax.get_shared_x_axes().get_siblings(ax)) > 1:
            ax.tick_params(labelbottom=True)
        if len(ax.get_shared_y_axes().get_siblings(ax)) > 1:
            ax.tick_params(labelleft=True)
    drawn = []  # (row, svg, width)
    for group in panels(fig):
        for ax in fig.axes:
            ax.set_visible(any(ax is member for member in group))
        text = _render(fig)
        drawn.append((_row(group), text, float(VIEWBOX.search(text).group(1))))
    plt.close(fig)
    row_width = {row: sum(w for r, _, w in drawn if r == row) for row, _, _ in drawn}
    # Rounded down: shares that add up to over 100 % would wrap a row that fits.
    return [(text, math.floor(1000 * w / row_width[row]) / 10) for row, text, w in drawn]


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
    image, instead of its tick labels and legend read out one by one. A figure of several
    panels is printed as one SVG per panel that wrap onto more rows in a narrow column
    (stylesheets/phone.css); a panel too wide to keep its text readable scrolls sideways."""
    if not isinstance(alt, str):
        raise TypeError(f"alt must be a str, not {type(alt).__name__}")
    if not HAN.search(alt) or "\n" in alt:
        raise ValueError(f"alt must be one line of Chinese describing the figure: {alt!r}")
    # markdown-exec captures output through a `print` it puts in the fence's globals.
    fence_print = inspect.currentframe().f_back.f_globals.get("print", print)
    name = f'role="img" aria-label="{html.escape(alt.strip(), quote=True)}"'
    if len(panels(fig)) == 1:
        text = svg(fig).replace("<svg", f"<svg {name}", 1)
        style = f' style="{readable}"' if (readable := _readable(text)) else ""
        fence_print(f'<div class="code-figure" data-search-exclude{style}>{text}</div>')
        return
    # The title is text of the page: it wraps on a phone instead of scaling with a panel.
    title = fig.get_suptitle()
    if "$" in title:
        raise ValueError(f"the title of a figure of several panels is plain text: {title!r}")
    drawn = "".join(
        text.replace("<svg", f'<svg style="--panel-share: {share:.1f}%; {_readable(text)}"', 1)
        for text, share in panel_svgs(fig)
    )
    heading = f'<p class="figure-title">{html.escape(title)}</p>' if title else ""
    fence_print(
        f'<div class="code-figure" data-search-exclude><div class="figure-panels" {name}>'
        f"{heading}{drawn}</div></div>"
    )


def _readable(text: str) -> str:
    """The SVG's readable width (min_width) as the CSS variable phone.css reads, if any."""
    width = min_width(text)
    return f"--figure-min-width: {width:.0f}px" if width else ""
