"""The chart cache read without matplotlib (safeledger.report.chart_cache): a report
whose charts are all drawn finds them without importing matplotlib, gives the drawn
bytes, and draws again when the drawing set-up may have changed."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from safeledger.evaluate.periods import quarter
from safeledger.report import chart_cache, render_report
from safeledger.report import charts as charts_mod
from safeledger.report.chartdata import chart_specs
from safeledger.report.context import build_context
from tests.report.helpers import make_ledger

Q2 = quarter(2025, 2)


@pytest.fixture
def fonts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A font folder of this test's own, in place of the system's."""
    folder = tmp_path / "fonts"
    (folder / "truetype").mkdir(parents=True)
    monkeypatch.setattr(chart_cache, "_FONT_ROOTS", (str(folder),))
    return folder


def _charts(tmp_path: Path) -> list[dict[str, object]]:
    return chart_specs(build_context(make_ledger(tmp_path / "ledger"), Q2))


def _draw(specs: list[dict[str, object]], cache: Path) -> list[str]:
    """Every chart through the cache the slow way (matplotlib), which remembers the
    set-up."""
    font = charts_mod.cjk_font()
    return [charts_mod.render_svg_cached(spec, font, cache) for spec in specs]


def test_charts_drawn_once_are_found_without_matplotlib(tmp_path: Path, fonts: Path) -> None:
    specs = _charts(tmp_path)
    cache = tmp_path / "charts"
    assert chart_cache.cached_svgs(specs, cache) is None  # nothing drawn yet
    drawn = _draw(specs, cache)
    assert chart_cache.cached_svgs(specs, cache) == drawn
    assert chart_cache.cached_svgs(specs, None) is None  # no cache: always drawn


def test_a_change_that_may_change_the_drawing_is_a_miss(
    tmp_path: Path, fonts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = _charts(tmp_path)
    cache = tmp_path / "charts"
    drawn = _draw(specs, cache)
    assert chart_cache.cached_svgs(specs, cache) == drawn

    (fonts / "truetype" / "new-font.ttf").write_bytes(b"")  # a font installed
    assert chart_cache.cached_svgs(specs, cache) is None
    assert _draw(specs, cache) == drawn
    assert chart_cache.cached_svgs(specs, cache) == drawn  # remembered again

    monkeypatch.chdir(tmp_path)  # a matplotlibrc in the folder the report is made in
    assert chart_cache.cached_svgs(specs, cache) is None  # another folder: not known yet
    _draw(specs, cache)
    assert chart_cache.cached_svgs(specs, cache) == drawn
    (tmp_path / "matplotlibrc").write_text("font.size: 30\n", encoding="utf-8")
    assert chart_cache.cached_svgs(specs, cache) is None

    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    first = chart_cache.fingerprint()
    assert first == chart_cache.fingerprint()
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl2"))
    assert chart_cache.fingerprint() != first


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"setup": 3}', b"[]"])
def test_a_damaged_setup_file_is_a_miss(tmp_path: Path, fonts: Path, damage: bytes) -> None:
    specs = _charts(tmp_path)
    cache = tmp_path / "charts"
    drawn = _draw(specs, cache)
    (cache / chart_cache.SETUP_FILE).write_bytes(damage)
    assert chart_cache.cached_svgs(specs, cache) is None
    assert _draw(specs, cache) == drawn
    assert chart_cache.cached_svgs(specs, cache) == drawn  # mended


def test_a_missing_or_damaged_chart_is_a_miss(tmp_path: Path, fonts: Path) -> None:
    specs = _charts(tmp_path)
    cache = tmp_path / "charts"
    _draw(specs, cache)
    entry = sorted(cache.glob("*.svg"))[0]
    entry.write_bytes(entry.read_bytes()[:-5])
    assert chart_cache.cached_svgs(specs, cache) is None
    entry.unlink()
    assert chart_cache.cached_svgs(specs, cache) is None


def test_an_html_report_from_cached_charts_imports_no_matplotlib(tmp_path: Path) -> None:
    """The same bytes as with the charts drawn, and matplotlib never imported."""
    ledger_dir = tmp_path / "ledger"
    make_ledger(ledger_dir)
    code = (
        "import sys, datetime as dt\n"
        "from pathlib import Path\n"
        "from safeledger.api import load_ledger\n"
        "from safeledger.evaluate.periods import quarter\n"
        "from safeledger.report import render_report\n"
        f"ledger = load_ledger(Path({str(ledger_dir)!r}), today=dt.date(2026, 11, 23)).ledger\n"
        "data = render_report(ledger, quarter(2025, 2), fmt='html',"
        f" chart_cache=Path({str(tmp_path / 'charts')!r}))\n"
        "sys.stdout.buffer.write(data)\n"
        "sys.stderr.write('matplotlib' in sys.modules and 'imported' or 'not imported')\n"
    )
    env = {**os.environ}

    def run() -> tuple[bytes, str]:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env)
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout, done.stderr.decode().strip().splitlines()[-1]

    first, imported = run()
    # drawn by a forked child while the template is laid out (report._laid_out_while_drawing)
    assert imported == "not imported"
    assert len(list((tmp_path / "charts").glob("*.svg"))) == 3
    again, imported = run()
    assert imported == "not imported" and again == first
    (tmp_path / "charts").rename(tmp_path / "old-charts")
    # a platform without fork: drawn here
    code = code.replace(
        "import sys, datetime as dt\n",
        "import sys, datetime as dt, multiprocessing\n"
        "multiprocessing.get_all_start_methods = lambda: ['spawn']\n",
    )
    drawn_here, imported = run()
    assert imported == "imported" and drawn_here == first
    from safeledger.api import load_ledger

    ledger = load_ledger(ledger_dir, today=dt.date(2026, 11, 23)).ledger
    assert render_report(ledger, Q2, fmt="html") == first  # as drawn without a cache


def test_no_current_folder_or_home_means_no_fingerprint_not_a_failure(
    tmp_path: Path, fonts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report made from a deleted folder (``os.getcwd`` fails) or without a home
    folder (``expanduser`` fails): the charts are drawn, as without a cache."""
    specs = _charts(tmp_path)
    cache = tmp_path / "charts"
    drawn = _draw(specs, cache)

    def gone() -> str:
        raise FileNotFoundError("the current folder was deleted")

    with monkeypatch.context() as patch:
        patch.setattr(os, "getcwd", gone)
        assert chart_cache.fingerprint() is None
        assert chart_cache.cached_svgs(specs, cache) is None
        assert _draw(specs, cache) == drawn
    assert chart_cache.cached_svgs(specs, cache) == drawn

    def homeless(self: Path) -> Path:
        raise RuntimeError("Could not determine home directory")

    with monkeypatch.context() as patch:
        patch.setattr(Path, "expanduser", homeless)
        assert chart_cache.fingerprint() is None


def test_font_fallback_lines_are_not_shown_while_drawing() -> None:
    """matplotlib logs "findfont: Failed to find font weight normal …" when a CJK font
    is installed in bold only; the chart is right, so the line is kept from the user
    while drawing, and the logger is as it was afterwards."""
    import logging

    fonts_log = logging.getLogger("matplotlib.font_manager")
    before = fonts_log.level
    with charts_mod._style(charts_mod.cjk_font()):
        assert not fonts_log.isEnabledFor(logging.WARNING)
    assert fonts_log.level == before


@pytest.mark.parametrize(
    "use",
    [
        "{% for c in charts %}{{ c.svg }}{{ c.svg }}{% endfor %}",  # each twice
        "{% for c in charts %}{{ c.svg|length }} {{ c.svg|upper }}{% endfor %}",  # changed
        "{% for c in charts %}<figure>{{ c.title }}{{ c.svg }}</figure>{% endfor %}",  # as is
    ],
)
def test_a_template_gets_the_charts_whatever_it_does_with_them(tmp_path: Path, use: str) -> None:
    """The charts are drawn while the template is laid out with a placeholder for each;
    a template that shows a chart twice, or changes its text, gets what it would with
    the charts themselves."""
    ledger = make_ledger(tmp_path / "ledger")
    (ledger.root / "templates").mkdir(parents=True)
    (ledger.root / "templates" / "charts.html.j2").write_text(use + "\n", encoding="utf-8")
    specs = chart_specs(build_context(ledger, Q2))
    font = charts_mod.cjk_font()
    svgs = [charts_mod.render_svg(spec, font) for spec in specs]
    from jinja2 import Template
    from markupsafe import Markup

    entries = [
        {"title": s["title"], "svg": Markup(svg)} for s, svg in zip(specs, svgs, strict=True)
    ]
    expected = Template(use + "\n", autoescape=True).render(charts=entries)
    got = render_report(ledger, Q2, fmt="html", template="charts").decode("utf-8")
    assert got == expected
    assert "safeledger-chart-" not in got
