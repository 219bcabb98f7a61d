"""The chart drawer (safeledger.report.drawing): a child forked before the ledger is
loaded gets matplotlib ready with spare CPU, then draws an HTML report's charts.  Ready
or not, failing or not, with fork or without, the report is the same bytes; a drawer
not needed is stopped at once, never waited for."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from safeledger._forked import Forked
from safeledger.evaluate.periods import quarter
from safeledger.report import ChartDrawer, chart_drawer, drawing, render_report
from safeledger.report import charts as charts_mod
from safeledger.report.chartdata import CHART_COMMUNITIES, chart_specs
from safeledger.report.context import build_context
from safeledger.validate.ledger import Ledger
from tests.report.helpers import make_ledger

Q2 = quarter(2025, 2)
SLOW = 120.0  # a drawer that takes this long to get ready is never waited for


def _wait_until_ready(drawer: ChartDrawer) -> None:
    deadline = time.monotonic() + 60
    while not drawer.ready[0]:
        assert time.monotonic() < deadline, "the drawer never got ready"
        time.sleep(0.05)


def _never_ready() -> None:
    time.sleep(SLOW)


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return make_ledger(tmp_path / "ledger")


@pytest.fixture
def drawn_here(ledger: Ledger) -> bytes:
    """The report with its charts drawn without a drawer (a forked child, as before)."""
    return render_report(ledger, Q2, fmt="html")


def test_a_ready_drawer_draws_and_the_caller_never_imports_matplotlib(tmp_path: Path) -> None:
    ledger_dir = tmp_path / "ledger"
    make_ledger(ledger_dir)
    code = (
        "import sys, time, datetime as dt\n"
        "from pathlib import Path\n"
        "from safeledger.api import load_ledger\n"
        "from safeledger.evaluate.periods import quarter\n"
        "from safeledger.report import chart_drawer, render_report\n"
        "with chart_drawer('html') as drawer:\n"
        f"    ledger = load_ledger(Path({str(ledger_dir)!r}), today=dt.date(2026, 11, 23)).ledger\n"
        "    while not drawer.ready[0]:\n"
        "        time.sleep(0.05)\n"
        "    data = render_report(ledger, quarter(2025, 2), fmt='html', drawer=drawer)\n"
        "sys.stdout.buffer.write(data)\n"
        "sys.stderr.write(f\"{'matplotlib' in sys.modules} {drawer.given}\")\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stderr.decode().splitlines()[-1] == "False True"  # drawn by the drawer
    from safeledger.api import load_ledger

    ledger = load_ledger(ledger_dir, today=dt.date(2026, 11, 23)).ledger
    assert done.stdout == render_report(ledger, Q2, fmt="html")


def test_a_ready_drawer_gives_the_same_bytes(ledger: Ledger, drawn_here: bytes) -> None:
    with ChartDrawer() as drawer:
        _wait_until_ready(drawer)
        assert render_report(ledger, Q2, fmt="html", drawer=drawer) == drawn_here
        assert drawer.given


def _slow_unless_ready(draw: Callable[..., Any]) -> Callable[..., Any]:
    """``drawing.drawn`` that takes :data:`SLOW` seconds in a process that did not get
    ready as a drawer does (the new child of a race)."""

    def drawn(*args: Any) -> Any:
        if not getattr(drawing, "ready_here", False):
            time.sleep(SLOW)
        return draw(*args)

    return drawn


def test_a_drawer_not_ready_races_a_new_child_which_wins_when_it_is_stuck(
    ledger: Ledger, drawn_here: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A machine with no CPU to spare: the niced drawer never gets ready, and a new
    child draws at the normal priority; the drawer is stopped, not waited for."""
    monkeypatch.setattr(drawing, "_get_ready", _never_ready)
    started = time.monotonic()
    with ChartDrawer() as drawer:
        time.sleep(drawing.RACE_AFTER)
        assert render_report(ledger, Q2, fmt="html", drawer=drawer) == drawn_here
        assert drawer.given
    assert time.monotonic() - started < SLOW / 2
    assert drawer.forked.process.exitcode == -9  # killed, not waited for


def test_a_drawer_asked_as_soon_as_it_started_is_not_raced(
    ledger: Ledger, drawn_here: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small ledger, loaded at once: the drawer has hardly begun getting ready; a new
    child draws alone (a race would only take CPU from it)."""
    monkeypatch.setattr(drawing, "RACE_AFTER", SLOW)
    with ChartDrawer() as drawer:
        assert render_report(ledger, Q2, fmt="html", drawer=drawer) == drawn_here
        assert not drawer.given
    assert drawer.forked.process.exitcode == -9


def test_a_drawer_not_ready_races_a_new_child_and_wins_when_it_gets_ready_first(
    ledger: Ledger, drawn_here: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small ledger, loaded before the drawer is ready: the drawer, which started
    first, answers first; the new child is stopped."""
    get_ready = drawing._get_ready

    def soon_ready() -> None:
        time.sleep(1.0)
        get_ready()
        drawing.ready_here = True  # type: ignore[attr-defined]

    monkeypatch.setattr(drawing, "_get_ready", soon_ready)
    monkeypatch.setattr(drawing, "drawn", _slow_unless_ready(drawing.drawn))
    fresh: list[Forked] = []
    race = drawing._Race

    class Watched(race):  # type: ignore[misc, valid-type]
        def __init__(self, drawer: Forked, new: Forked) -> None:
            fresh.append(new)
            super().__init__(drawer, new)

    monkeypatch.setattr(drawing, "_Race", Watched)
    started = time.monotonic()
    with ChartDrawer() as drawer:
        time.sleep(drawing.RACE_AFTER)
        assert not drawer.ready[0]
        assert render_report(ledger, Q2, fmt="html", drawer=drawer) == drawn_here
    assert time.monotonic() - started < SLOW / 2
    (new,) = fresh
    assert new.process.exitcode == -9  # the new child lost, and was stopped


@pytest.mark.parametrize("needs", ["no charts", "charts in the cache"])
def test_a_drawer_given_nothing_is_stopped_at_the_end(
    ledger: Ledger, needs: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A template that shows no charts, or charts all in the chart cache: the drawer
    is not needed, and the report does not wait for it."""
    (ledger.root / "templates").mkdir(parents=True)
    (ledger.root / "templates" / "bare.html.j2").write_text("{{ period.label }}", "utf-8")
    template = "bare" if needs == "no charts" else None
    cache = tmp_path / "charts"
    render_report(ledger, Q2, fmt="html", template=template, chart_cache=cache)
    monkeypatch.setattr(drawing, "_get_ready", _never_ready)
    started = time.monotonic()
    with chart_drawer("html") as drawer:
        assert drawer is not None
        render_report(ledger, Q2, fmt="html", template=template, chart_cache=cache, drawer=drawer)
    assert time.monotonic() - started < SLOW / 2
    assert not drawer.given and drawer.forked.process.exitcode == -9
    assert not list(cache.glob(".*.tmp"))


def test_a_drawer_failing_while_drawing_leaves_the_drawing_to_the_caller(
    ledger: Ledger, drawn_here: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    caller = os.getpid()
    draw = drawing.drawn

    def failing_in_a_child(*args: object) -> list[str]:
        if os.getpid() != caller:
            raise MemoryError("the drawer ran out of memory")
        return draw(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(drawing, "drawn", failing_in_a_child)
    with ChartDrawer() as drawer:
        _wait_until_ready(drawer)
        assert render_report(ledger, Q2, fmt="html", drawer=drawer) == drawn_here
        assert drawer.given


def test_without_fork_the_caller_draws(
    ledger: Ledger, drawn_here: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    with ChartDrawer() as drawer:
        assert drawer.forked.process is None
        assert render_report(ledger, Q2, fmt="html", drawer=drawer) == drawn_here


def test_only_html_gets_a_drawer() -> None:
    for fmt in ("md", "docx", "xlsx", "json"):
        with chart_drawer(fmt) as drawer:
            assert drawer is None


def test_a_district_chart_shows_the_communities_with_most_open_hazards(
    ledger: Ledger,
) -> None:
    """Eighty communities in one chart cannot be read: the chart shows the twenty with
    the most hazards open at the end (ties: most found, then table order); a street's
    few communities are all shown, in table order."""
    context = build_context(ledger, Q2)
    few = chart_specs(context)[2]
    assert few["title"] == context["labels"]["chart_community"]
    assert few["categories"] == [
        v["label"] for v in context["breakdowns"]["community"].values()
    ]
    count = CHART_COMMUNITIES + 5
    rows = {
        f"C{n:02d}": {"label": f"社区{n:02d}", "found": {"total": n % 7}, "open_at_end": n % 4}
        for n in range(count)
    }
    many = chart_specs({**context, "breakdowns": {**context["breakdowns"], "community": rows}})[2]
    assert many["title"] == f"未销号隐患最多的 {CHART_COMMUNITIES} 个社区"
    expected = sorted(range(count), key=lambda n: (-(n % 4), -(n % 7), n))[:CHART_COMMUNITIES]
    assert many["categories"] == [f"社区{n:02d}" for n in expected]
    assert many["series"][1][1] == [n % 4 for n in expected]
    assert many["series"][0][1] == [n % 7 for n in expected]


def test_every_bar_has_its_number_zeros_too() -> None:
    spec = {
        "id": "zeros",
        "title": "各社区隐患情况",
        "kind": "bar",
        "categories": ["甲", "乙", "丙"],
        "series": [("发现", [0, 3, 0], "#c0392b"), ("未销号", [0, 0, 0], "#e67e22")],
    }
    svg = charts_mod.render_svg(spec, charts_mod.cjk_font())
    # five bars of 0 and the value axis's 0; one bar of 3 and the axis's 3
    assert svg.count(">0</text>") == 5 + 1
    assert svg.count(">3</text>") == 1 + 1
