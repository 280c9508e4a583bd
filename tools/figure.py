"""Turn a matplotlib figure into inline SVG for a page (used by markdown-exec fences).

Importing this module sets a style that reads well in light and dark mode:
transparent background, text kept as text (the browser's fonts render Chinese),
and pure black replaced by the page's own text colour.
"""

import html
import inspect
import io
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
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue().replace("#000000", "currentColor")
    text = scour.scourString(text, SCOUR_OPTIONS)
    return text[text.index("<svg") :]


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
    """Print the figure for markdown-exec (`exec="on" html="1"`), kept out of search; on a
    narrow screen it keeps its text readable and scrolls sideways (stylesheets/phone.css).
    alt, a Chinese description of what the figure shows, is its name for screen readers: one
    image, instead of its tick labels and legend read out one by one."""
    if not isinstance(alt, str):
        raise TypeError(f"alt must be a str, not {type(alt).__name__}")
    if not HAN.search(alt) or "\n" in alt:
        raise ValueError(f"alt must be one line of Chinese describing the figure: {alt!r}")
    # markdown-exec captures output through a `print` it puts in the fence's globals.
    fence_print = inspect.currentframe().f_back.f_globals.get("print", print)
    name = html.escape(alt.strip(), quote=True)
    text = svg(fig).replace("<svg", f'<svg role="img" aria-label="{name}"', 1)
    width = min_width(text)
    style = f' style="--figure-min-width: {width:.0f}px"' if width else ""
    fence_print(f'<div class="code-figure" data-search-exclude{style}>{text}</div>')
