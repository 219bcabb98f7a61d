"""``safeledger diff`` and ``safeledger log``: the ledger's changes as records, through git.

Thin commands: they parse options and call :func:`safeledger.review.diff.diff_ledger`
and :func:`safeledger.review.log.record_history`; see docs/git-review.md."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from safeledger.cli.common import as_of_option, fail
from safeledger.errors import SafeledgerError
from safeledger.read import find_ledger_root


class DiffFormat(StrEnum):
    text = "text"
    md = "md"
    json = "json"


class LogFormat(StrEnum):
    text = "text"
    json = "json"


LedgerOption = Annotated[
    Path | None,
    typer.Option("--ledger", "-l", help="Ledger folder (default: found upward from here)."),
]


def _root(ledger: Path | None) -> Path:
    if ledger is None:
        return find_ledger_root(Path.cwd())
    return find_ledger_root(ledger, explicit=True)


def diff(
    rev_a: Annotated[
        str, typer.Argument(metavar="REV_A", help="The base revision (branch, tag, commit).")
    ],
    rev_b: Annotated[
        str | None,
        typer.Argument(
            metavar="REV_B", help="Compare with this revision (default: the working tree)."
        ),
    ] = None,
    ledger: LedgerOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date the statuses are taken at (default today).")
    ] = None,
    output_format: Annotated[
        DiffFormat, typer.Option("--format", help="text, md (a pull-request comment) or json.")
    ] = DiffFormat.text,
) -> None:
    """Records added, removed and changed between two revisions of the ledger.

    Compares what the records mean, not how they are written: moving a record to another
    file or writing a key in Chinese is not a change.  Exit status 0, or 2 when the diff
    cannot be made (not a git repository, unknown revision).
    """
    from safeledger.review.diff import diff_ledger
    from safeledger.review.render import diff_json, diff_markdown, diff_text

    try:
        result = diff_ledger(
            _root(ledger), rev_a, rev_b, as_of=as_of_option(as_of, dt.date.today())
        )
    except SafeledgerError as err:
        raise fail(err) from None
    if output_format is DiffFormat.json:
        sys.stdout.write(diff_json(result))
    elif output_format is DiffFormat.md:
        sys.stdout.write(diff_markdown(result))
    else:
        sys.stdout.write(diff_text(result))


def log(
    record_id: Annotated[
        str, typer.Argument(metavar="ID", help="The record's id, e.g. H-2025-002.")
    ],
    ledger: LedgerOption = None,
    rev: Annotated[str, typer.Option("--rev", help="Follow history from this revision.")] = "HEAD",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date the statuses are taken at (default today).")
    ] = None,
    output_format: Annotated[LogFormat, typer.Option("--format", help="text or json.")] = (
        LogFormat.text
    ),
) -> None:
    """The history of one record through git, oldest first: each commit that created,
    changed, moved or removed it, with author, date and the field changes."""
    from safeledger.review.log import record_history
    from safeledger.review.render import history_json, history_text

    try:
        history = record_history(
            _root(ledger), record_id.strip(), rev=rev,
            as_of=as_of_option(as_of, dt.date.today()),
        )
    except SafeledgerError as err:
        raise fail(err) from None
    if output_format is LogFormat.json:
        sys.stdout.write(history_json(history))
    else:
        sys.stdout.write(history_text(history))


def register(app: typer.Typer) -> None:
    app.command("diff")(diff)
    app.command("log")(log)
