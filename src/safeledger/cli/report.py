"""``safeledger report``: the quarterly work report, the annual report, the tracking
table and the hazard ledger, in Markdown, HTML, Word, Excel or JSON."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from safeledger._gc import no_cycle_collection
from safeledger._held import hold_until_exit
from safeledger.cli.common import fail, ledger_root, load_for_output, stderr
from safeledger.errors import SafeledgerError, UsageError
from safeledger.evaluate.periods import resolve_period

if TYPE_CHECKING:
    from safeledger.report.context import Source


class ReportKind(StrEnum):
    quarterly = "quarterly"
    annual = "annual"
    tracking = "tracking"
    ledger = "ledger"


class ReportFormat(StrEnum):
    md = "md"
    html = "html"
    docx = "docx"
    xlsx = "xlsx"
    json = "json"


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_source(root: Path) -> Source:
    """The commit the ledger is at and whether its folder has uncommitted changes;
    ``Source(None, False)`` outside git (or without git installed)."""
    from safeledger.report.context import Source

    commit = _git(root, "rev-parse", "--verify", "HEAD")
    if not commit:
        return Source()
    status = _git(root, "status", "--porcelain", "--untracked-files=normal", "--", ".")
    day = _git(root, "log", "-1", "--format=%cs", "HEAD")
    try:
        commit_date = dt.date.fromisoformat(day) if day else None
    except ValueError:
        commit_date = None
    return Source(commit=commit, dirty=bool(status), commit_date=commit_date)


def report(
    ledger: Annotated[
        Path | None, typer.Argument(help="Ledger folder (default: found upward from here).")
    ] = None,
    quarter: Annotated[
        str | None, typer.Option("--quarter", help="2025Q2, 2025-Q2, last or current.")
    ] = None,
    month: Annotated[str | None, typer.Option("--month", help="2025-05, last or current.")] = None,
    year: Annotated[str | None, typer.Option("--year", help="2025, last or current.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day of a free range.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day of a free range.")] = None,
    kind: Annotated[
        ReportKind | None,
        typer.Option("--kind", help="Report kind (default: annual for --year, else quarterly)."),
    ] = None,
    output_format: Annotated[
        ReportFormat | None,
        typer.Option("--format", help="Output format (default: from -o's extension, else md)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file (default: stdout).")
    ] = None,
    template: Annotated[
        str | None,
        typer.Option("--template", help="Template name (md/html), e.g. mine → mine.md.j2."),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Load the ledger and draw every chart again; neither read nor write the "
            "cache (kept in the user cache folder, or $SAFELEDGER_CACHE_DIR).",
        ),
    ] = False,
) -> None:
    """Produce a report for a period: the quarterly work report (季度工作情况报告), the
    annual report (年度工作报告), the tracking table (火灾隐患跟踪报告表) or the hazard
    ledger (隐患排查治理台账).

    Exit status: 0 written, 2 the report could not be made (bad options, no ledger,
    a failing template).
    """
    # Report libraries (Jinja2, matplotlib, python-docx, openpyxl) load only here, so the
    # other commands start fast.
    from safeledger.report import BINARY_FORMATS, chart_drawer, format_for_path, report_chunks
    from safeledger.report.reproducible import write_atomically

    try:
        today = dt.date.today()
        span = resolve_period(
            today=today, quarter=quarter, month=month, year=year, start=start, end=end
        )
        if output_format is not None:
            fmt = output_format.value
        elif output is not None:
            fmt = format_for_path(output)
        else:
            fmt = "md"
        if output is None and fmt in BINARY_FORMATS:
            raise UsageError(
                f"a {fmt} report is a binary file; give -o FILE.{fmt}",
                hint=f"e.g. safeledger report --quarter {span.label} -o report.{fmt}",
            )
        root = ledger_root(ledger)
        # an HTML report's charts: matplotlib made ready with the CPU the load leaves idle
        with chart_drawer(fmt) as drawer:
            loaded, cache = load_for_output(root, today, no_cache=no_cache)
            if loaded.errors:
                stderr.print(
                    f"[yellow]warning:[/yellow] the ledger has {loaded.errors} error(s); records "
                    "with errors are left out of the report (run `safeledger check`)",
                    markup=True,
                )
            hold_until_exit(loaded)
            report_kind = kind.value if kind else None
            source = git_source(root)
            charts = None if cache is None else cache.directory / "charts"
            if output is None:  # written as it is made (a JSON report can be ~200 MB)
                with no_cycle_collection(settle=True):  # its residue: modules, fonts…
                    for piece in report_chunks(
                        loaded.ledger, span, kind=report_kind, fmt=fmt, template=template,
                        source=source, chart_cache=charts, drawer=drawer,
                    ):  # fmt: skip
                        sys.stdout.buffer.write(piece)
                sys.stdout.flush()
            else:  # written as it is made too, into a new file that replaces ``output``
                pieces = report_chunks(
                    loaded.ledger, span, kind=report_kind, fmt=fmt, template=template,
                    source=source, chart_cache=charts, drawer=drawer,
                )  # fmt: skip
                try:
                    with no_cycle_collection(settle=True):  # its residue: modules, fonts…
                        write_atomically(output, pieces)
                except OSError as exc:
                    raise SafeledgerError(f"cannot write {output}: {exc.strerror or exc}") from None
                stderr.print(f"wrote {output}")
    except SafeledgerError as err:
        raise fail(err) from None


def register(app: typer.Typer) -> None:
    app.command("report")(report)
