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
import time
from contextlib import AbstractContextManager, nullcontext, suppress
from functools import partial
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any, Protocol, cast

from safeledger._forked import Forked, Later
from safeledger.report.chartdata import Chart

__all__ = ["ChartDrawer", "Drawing", "Drawn", "drawn"]

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


# What a drawing gives: each chart's SVG, and the key of the set-up it was drawn in (the
# caller keeps them in the chart cache: chart_cache.store).
Drawn = tuple[list[str], str]


def drawn(specs: list[Chart], chart_cache: Path | None) -> Drawn:
    """Each chart as inline SVG, from the chart cache when drawn before, and the key of
    the set-up; nothing written (:func:`.charts.render_svgs_unstored`)."""
    from safeledger.report import charts

    return charts.render_svgs_unstored(specs, charts.cjk_font(), chart_cache)


def _get_ready() -> None:
    with suppress(OSError):
        os.nice(19)  # after the loading processes, which it must not slow down
    from safeledger.report import charts

    font = charts.cjk_font()
    for spec in _WARM_UP:
        charts.render_svg(spec, font)


# A drawer asked for charts this soon after it was forked (a small ledger, loaded at
# once) has done little of its 0.85 s of getting ready: racing it against a new child
# only takes CPU from that child (measured: the bundled example ledger's report).
RACE_AFTER = 0.15


class Drawing(Protocol):
    def answer(self) -> Drawn: ...


class ChartDrawer:
    """A forked child that gets matplotlib ready while the caller loads the ledger,
    then draws the charts it is given (:meth:`drawing`).

    When it is not ready by then (a ledger loaded in under a second; or a machine with
    no CPU to spare, where a niced process waits), a new child is forked as well, at
    the normal priority, and the first answer is taken (when asked within
    :data:`RACE_AFTER` of its start, the new child draws alone).  Not given any charts (they were
    all in the chart cache, or the template shows none), it is stopped when the
    ``with`` block ends, like a child whose answer was not taken.  Without fork, the
    charts are drawn in the caller.  The charts are the same bytes either way (a test
    holds this)."""

    def __init__(self) -> None:
        self.caller = os.getpid()
        self.ready = mmap.mmap(-1, 1)  # 1: matplotlib imported and its fonts loaded
        self.job = Later()
        self.forked = Forked(self._draw, later=self.job)
        self.given = False  # it was given charts to draw

    def __enter__(self) -> ChartDrawer:
        self.started = time.monotonic()
        self.forked.__enter__()
        return self

    def _draw(self) -> Drawn | None:
        if os.getpid() != self.caller:  # in the child (a failed child: in the caller)
            _get_ready()
            self.ready[0] = 1
        job = self.job.get()
        return None if job is None else drawn(*job)

    def drawing(
        self, specs: list[Chart], chart_cache: Path | None
    ) -> AbstractContextManager[Drawing]:
        """The charts being drawn, as a context manager whose ``answer()`` is
        :data:`Drawn`: by this drawer when it is ready, else by it and a new child,
        whichever answers first."""
        fresh = Forked(partial(drawn, specs, chart_cache))
        if self.forked.process is None:  # no fork: fresh.answer() draws here
            return fresh
        if not self.ready[0] and time.monotonic() - self.started < RACE_AFTER:
            return fresh  # this drawer has hardly begun: stopped by its exit
        self.given = True
        self.job.send((specs, chart_cache))
        if self.ready[0]:
            return nullcontext(self.forked)  # started already; ended by this drawer's exit
        return _Race(self.forked, fresh)

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self.forked.process is not None:  # its answer taken, or not wanted
            self.forked.process.kill()
        if not self.given:
            self.job.send(None)  # closes the pipe
        self.forked.__exit__(exc_type, *exc)
        self.ready.close()


class _Race:
    """Two children drawing the same charts: the first answer is taken (the same bytes
    from either), the other child is stopped (it writes nothing)."""

    def __init__(self, drawer: Forked, fresh: Forked) -> None:
        self.drawer, self.fresh = drawer, fresh

    def __enter__(self) -> _Race:
        self.fresh.__enter__()
        return self

    def answer(self) -> Drawn:
        running: dict[Any, Forked] = {
            f.receiver: f for f in (self.drawer, self.fresh) if f.process is not None
        }
        while running:
            for ready in wait(list(running)):
                got = running.pop(ready).result()
                if got is not None:
                    return cast(Drawn, got)
        return self.fresh.answer()  # both failed: drawn here, or their error met here

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self.fresh.process is not None:
            self.fresh.process.kill()
        self.fresh.__exit__(exc_type, *exc)
