"""``safeledger status``: rectification status of every hazard (and the duties) as of a
date.  A thin command: it parses options, calls
:func:`safeledger.evaluate.status.status_report` and lays the answer out with
:mod:`safeledger.output.status` (imported when the command runs: start-up)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from safeledger._held import hold_until_exit
from safeledger.cli.common import (
    as_of_option,
    fail,
    ledger_root,
    load_for_output,
    stderr,
    stdout_console,
    write_bytes,
)
from safeledger.errors import SafeledgerError


class StatusFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


# --- the command --------------------------------------------------------------------

_Many = list[str] | None


def status(
    ledger: Annotated[
        Path | None, typer.Argument(help="Ledger folder (default: found upward from here).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help=(
                "Status as of this date, e.g. 2025-06-30, 2025Q2 (its last day) or"
                " last-quarter; default today."
            ),
        ),
    ] = None,
    output_format: Annotated[
        StatusFormat, typer.Option("--format", help="table, json (spec section 8) or csv.")
    ] = StatusFormat.table,
    statuses: Annotated[
        _Many,
        typer.Option(
            "--status",
            help="Only this status: pending/整改中, overdue/逾期未整改, "
            "rectified/已整改待复查, closed/已销号. Repeatable.",
        ),
    ] = None,
    levels: Annotated[
        _Many, typer.Option("--level", help="Only this level: general/一般, major/重大.")
    ] = None,
    communities: Annotated[_Many, typer.Option("--community", help="Only this community.")] = None,
    domains: Annotated[_Many, typer.Option("--domain", help="Only this domain (领域).")] = None,
    enterprises: Annotated[
        _Many, typer.Option("--enterprise", help="Only this enterprise (id or name).")
    ] = None,
    categories: Annotated[_Many, typer.Option("--category", help="Only this category.")] = None,
    duties: Annotated[
        bool, typer.Option("--duties", help="Show the enterprise duties instead of hazards.")
    ] = False,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Load the ledger again; neither read nor write the cache of loaded "
            "ledgers (kept in the user cache folder, or $SAFELEDGER_CACHE_DIR).",
        ),
    ] = False,
) -> None:
    """Rectification status of every hazard as of a date (or, with --duties, the duties).

    Example: safeledger status --as-of 2025-06-30 --community 和平社区 --status overdue
    """
    from safeledger._gc import no_cycle_collection
    from safeledger.evaluate.status import StatusFilters, status_report
    from safeledger.output.status import (
        duty_csv,
        hazard_csv,
        render_duty_table,
        render_hazard_table,
        status_json_of,
        status_json_work,
    )

    try:
        root = ledger_root(ledger)
        today = dt.date.today()
        day = as_of_option(as_of, today)
        filters_of = partial(
            StatusFilters.parse,
            statuses=statuses or (),
            levels=levels or (),
            communities=communities or (),
            domains=domains or (),
            enterprises=enterprises or (),
            categories=categories or (),
        )
        # JSON of a big ledger: each part's rows made where it is loaded.
        work = status_json_work(day, filters_of) if output_format is StatusFormat.json else None
        loaded, _ = load_for_output(root, today, no_cache=no_cache, work=work)
        filters = filters_of(loaded.ledger)
        report = None
        if output_format is not StatusFormat.json:
            with no_cycle_collection():
                report = status_report(loaded.ledger, day, filters)
    except SafeledgerError as err:
        raise fail(err) from None
    if loaded.errors:
        stderr.print(
            f"note: the ledger has {loaded.errors} error(s); showing what could be loaded "
            "(run `safeledger check`)",
            markup=False,
        )
    locale = loaded.ledger.config.locale
    hold_until_exit(loaded, report)
    if report is None:  # JSON: written as it is made
        for chunk in status_json_of(loaded.ledger, day, filters, loaded.worked):
            write_bytes(chunk)
    elif output_format is StatusFormat.csv:
        text = duty_csv(report) if duties else hazard_csv(report, locale=locale)
        write_bytes(("\ufeff" + text).encode("utf-8"))
    elif duties:
        render_duty_table(report, stdout_console(), locale=locale)
    else:
        render_hazard_table(report, stdout_console(), locale=locale)


def register(app: typer.Typer) -> None:
    app.command("status")(status)


__all__ = ["StatusFormat", "register", "status"]
