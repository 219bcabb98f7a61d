"""The charts of an HTML report drawn in a forked child, while the template is laid out.

Drawing them takes matplotlib's import and its first fonts (≈ 0.85 s) before the
charts themselves (≈ 1 s at 100,000 hazards).  A :class:`ChartDrawer` forked before
the ledger is loaded does the first part at the lowest priority, so only with CPU time
the load and the context leave idle (one core idles while the parent alone finishes the
load), and is then given the charts.  No matplotlib is imported in the caller.
"""

from __future__ import annotations

import mmap
import os
from contextlib import AbstractContextManager, nullcontext, suppress
from functools import partial
from pathlib import Path

from safeledger._forked import Forked, Later
from safeledger.report.chartdata import Chart

__all__ = ["ChartDrawer", "drawn"]

# Drawn once by a drawer getting ready: every kind of chart the report has, with
# Chinese text, a legend and bar labels, so that the fonts and their glyphs are loaded.
_WARM_UP = (
    {
        "id": "warm-up",
        "title": "隐患整改情况",
        "kind": "barh",
        "categories": ["已整改", "逾期未改"],
        "series": [("", [3, 1], ["#2e86c1", "#c0392b"])],
    },
    {
        "id": "warm-up",
        "title": "各社区隐患情况",
        "kind": "bar",
        "categories": ["同心社区", "和平社区"],
        "series": [("发现", [2, 4], "#c0392b"), ("未整改", [1, 0], "#e67e22")],
    },
)


def drawn(specs: list[Chart], chart_cache: Path | None) -> list[str]:
    """Each chart as inline SVG, from the chart cache when drawn before."""
    from safeledger.report import charts

    font = charts.cjk_font()
    return [charts.render_svg_cached(spec, font, chart_cache) for spec in specs]


def _get_ready() -> None:
    with suppress(OSError):
        os.nice(19)  # after the loading processes, which it must not slow down
    from safeledger.report import charts

    font = charts.cjk_font()
    for spec in _WARM_UP:
        charts.render_svg(spec, font)


class ChartDrawer:
    """A forked child that gets matplotlib ready while the caller loads the ledger,
    then draws the charts it is given (:meth:`drawing`).

    When it is not ready by then (the machine had no CPU to spare), it is stopped and
    a new child draws at the normal priority, as without a drawer.  Not given any
    charts (they were all in the chart cache, or the template shows none), it is
    stopped when the ``with`` block ends.  Without fork, the charts are drawn in the
    caller.  The charts are the same bytes either way (a test holds this)."""

    def __init__(self) -> None:
        self.caller = os.getpid()
        self.ready = mmap.mmap(-1, 1)  # 1: matplotlib imported and its fonts loaded
        self.job = Later()
        self.forked = Forked(self._draw, later=self.job)
        self.given = False  # it was given charts to draw
        self.stopped = False

    def __enter__(self) -> ChartDrawer:
        self.forked.__enter__()
        return self

    def _draw(self) -> list[str] | None:
        if os.getpid() != self.caller:  # in the child (a failed child: in the caller)
            _get_ready()
            self.ready[0] = 1
        job = self.job.get()
        return None if job is None else drawn(*job)

    def drawing(
        self, specs: list[Chart], chart_cache: Path | None
    ) -> AbstractContextManager[Forked]:
        """A forked child drawing ``specs``, as a context manager: this drawer when it
        is ready, else a new child.  Its ``answer()`` is the list of SVGs."""
        if self.forked.process is not None and self.ready[0]:
            self.given = True
            self.job.send((specs, chart_cache))
            return nullcontext(self.forked)  # started already; ended by this drawer's exit
        self._stop()
        return Forked(partial(drawn, specs, chart_cache))

    def _stop(self) -> None:
        if self.forked.process is not None and not (self.given or self.stopped):
            self.forked.process.kill()
            self.stopped = True
            self.job.send(None)  # closes the pipe

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self._stop()
        self.forked.__exit__(exc_type, *exc)
        self.ready.close()
