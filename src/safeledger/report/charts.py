"""Charts for HTML (inline SVG) and Word (PNG), drawn with matplotlib.

Deterministic bytes: matplotlib's object API (no pyplot state), a fixed
``svg.hashsalt``, no date/creator metadata, and ids prefixed per chart so several SVGs
can live in one HTML page.  SVG text stays text (``svg.fonttype: none``) so the browser
renders the Chinese labels with the system's CJK fonts; PNG needs a CJK font on this
machine (:func:`cjk_font`), otherwise Word reports omit their charts and say so.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import json
import logging
import os
import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg", force=False)

from matplotlib import font_manager

if TYPE_CHECKING:
    from matplotlib.figure import Figure

from safeledger import __version__
from safeledger.report import chart_cache
from safeledger.report.chart_cache import CHART_CACHE_FORMAT
from safeledger.report.chartdata import COLORS, Chart, chart_specs

__all__ = [
    "CJK_FAMILIES",
    "COLORS",
    "Chart",
    "chart_specs",
    "cjk_font",
    "render_png",
    "render_svg",
    "render_svg_cached",
    "render_svgs_unstored",
    "setup_key",
]

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
    "Noto Sans CJK JP",
    "Droid Sans Fallback",
)
_FONT_FILE = re.compile(
    r"(NotoSansCJK|NotoSerifCJK|SourceHanSans|wqy|DroidSansFallback|msyh|simhei|PingFang)",
    re.IGNORECASE,
)
@functools.cache
def cjk_font() -> str | None:
    """The family name of a font with Chinese glyphs on this machine, or None.  Fonts
    installed after matplotlib built its cache are found by scanning the system fonts."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for family in CJK_FAMILIES:
            try:
                font_manager.findfont(
                    font_manager.FontProperties(family=family), fallback_to_default=False
                )
                return family
            except ValueError:
                continue
        for path in sorted(font_manager.findSystemFonts()):
            if _FONT_FILE.search(path):
                try:
                    font_manager.fontManager.addfont(path)
                    return str(font_manager.FontProperties(fname=path).get_name())
                except Exception:  # a broken font file: try the next
                    continue
    return None


@contextmanager
def _style(font: str | None) -> Iterator[None]:
    families = [font] if font else []
    families += [f for f in CJK_FAMILIES if f != font] + ["DejaVu Sans", "sans-serif"]
    rc: dict[str, Any] = {
        "svg.fonttype": "none",
        "svg.hashsalt": "safeledger",
        "font.family": "sans-serif",
        "font.sans-serif": families,
        "font.size": 9,
        "axes.unicode_minus": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "path.simplify": True,
        # Labels are ledger text: a community named "$\\foo{$" must not be parsed as
        # mathtext (it raised ValueError and stopped the report; found by hostile-input tests).
        "text.parse_math": False,
    }
    settings: Any = rc
    # "findfont: Failed to find font weight normal for …, now using 700" is logged (not
    # warned) when a CJK font is installed in bold only: the report is right, the line
    # only alarms the user.
    fonts_log = logging.getLogger("matplotlib.font_manager")
    level = fonts_log.level
    fonts_log.setLevel(logging.ERROR)
    try:
        with matplotlib.rc_context(settings), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # missing-glyph / font-not-found noise
            yield
    finally:
        fonts_log.setLevel(level)


def _figure(chart: Chart) -> Figure:
    # Imported here: a report whose charts all come from the cache never needs them.
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    cats = chart["categories"] or ["—"]
    wide = chart["kind"] == "bar" and len(cats) > 6
    size = (7.2, 2.6) if chart.get("full") else (4.4, 2.9)
    fig = Figure(figsize=size, dpi=100)
    ax = fig.add_subplot()
    ax.set_title(chart["title"], fontsize=11)
    series = chart["series"]
    if chart["kind"] == "barh":
        _, values, colors = series[0]
        bars = ax.barh(range(len(cats)), values, color=colors)
        ax.set_yticks(range(len(cats)), cats)
        ax.invert_yaxis()
        # annotation_clip=False: each number sits on its bar, inside the axes; matplotlib's
        # test of that at every draw was 15 % of a big chart's time.
        ax.bar_label(bars, padding=2, annotation_clip=False)
    else:
        n = max(len(series), 1)
        width = 0.8 / n
        for k, (name, values, color) in enumerate(series):
            xs = [x - 0.4 + width * (k + 0.5) for x in range(len(cats))]
            bars = ax.bar(xs, values or [0] * len(cats), width=width, label=name, color=color)
            ax.bar_label(bars, padding=1, fontsize=7, annotation_clip=False)
        ax.set_xticks(
            range(len(cats)), cats, rotation=30 if wide else 0, ha="right" if wide else "center"
        )
        if any(name for name, _, _ in series):
            # Outside the plot, on the right: it never hides a bar, and placing it "best"
            # (matplotlib's search of the bars' boxes) was 40 % of a big chart's time.
            ax.legend(
                frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0),
                borderaxespad=0.3,
            )  # fmt: skip
    if chart["kind"] == "barh":  # numbers side by side: few enough that they never touch
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.margins(x=0.15)
    else:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.margins(y=0.15)
    fig.tight_layout()
    return fig


_SVG_HEAD = re.compile(r"^.*?(<svg\b)", re.DOTALL)
_SIZE = re.compile(r'(<svg\b[^>]*?)\s(width|height)="[^"]*"')
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)


def render_svg(chart: Chart, font: str | None) -> str:
    """One chart as an inline ``<svg>`` element (no XML prolog, ids prefixed)."""
    with _style(font):
        fig = _figure(chart)
        buf = io.StringIO()
        fig.savefig(
            buf,
            format="svg",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    svg = _METADATA.sub("", _SVG_HEAD.sub(r"\1", buf.getvalue(), count=1))
    while _SIZE.search(svg):
        svg = _SIZE.sub(r"\1", svg, count=1)
    prefix = f"sl-{chart['id']}-"
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', svg)
    label = html.escape(str(chart["title"]), quote=True)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
    return svg.strip() + "\n"


# --- the cache of drawn charts (safeledger.report.chart_cache) ---------------------


def _font_file(family: str) -> list[object]:
    try:
        path = font_manager.findfont(
            font_manager.FontProperties(family=family), fallback_to_default=False
        )
        st = os.stat(path)
    except (ValueError, OSError):
        return [family, None]
    return [family, path, st.st_size, st.st_mtime_ns]


def setup_key(font: str | None) -> str:
    """The key of this drawing set-up with ``font`` (SHA-256, hex): the font and its
    file, every rcParams value in effect, and the matplotlib and safeledger versions."""
    with _style(font):
        rc = sorted((k, repr(v)) for k, v in dict.items(matplotlib.rcParams) if k != "backend")
        fonts = [_font_file(f) for f in ([font] if font else []) + ["DejaVu Sans"]]
    doc = [CHART_CACHE_FORMAT, __version__, matplotlib.__version__, fonts, rc]
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chart_key(chart: Chart, font: str | None) -> str:
    """The cache key of ``chart`` drawn with ``font`` in this set-up (SHA-256, hex)."""
    return chart_cache.chart_key(chart, setup_key(font))


def render_svg_cached(chart: Chart, font: str | None, directory: Path | None) -> str:
    """:func:`render_svg`, answered from the chart cache in ``directory`` when the
    same chart was drawn before in the same set-up (same bytes); None: no cache.  The
    set-up is remembered there, so that the next report can find its charts without
    matplotlib (:func:`.chart_cache.cached_svgs`)."""
    svgs, setup = render_svgs_unstored([chart], font, directory)
    if directory is not None:
        chart_cache.store(directory, [chart], svgs, setup)
    return svgs[0]


def render_svgs_unstored(
    charts: Sequence[Chart], font: str | None, directory: Path | None
) -> tuple[list[str], str]:
    """Each chart as :func:`render_svg` gives it, from the chart cache in ``directory``
    when drawn before (None: no cache), and the key of this set-up.  Nothing is written:
    the caller keeps them with :func:`.chart_cache.store` (a child drawing them may be
    stopped at any moment, which must not leave half a file behind)."""
    setup = setup_key(font)
    svgs = []
    for chart in charts:
        svg = None
        if directory is not None:
            key = chart_cache.chart_key(chart, setup)
            svg = chart_cache.read_entry(directory / f"{key}.svg", key)
        svgs.append(render_svg(chart, font) if svg is None else svg)
    return svgs, setup


def render_png(chart: Chart, font: str, dpi: int = 150) -> bytes:
    """One chart as PNG bytes (no timestamp or software metadata)."""
    with _style(font):
        fig = _figure(chart)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()
