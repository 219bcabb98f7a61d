"""Small helpers every command shares: finding the ledger, parsing dates, turning
:class:`SafeledgerError` into a message and exit status 2."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from safeledger.cache import CheckCache
from safeledger.errors import SafeledgerError, UsageError
from safeledger.evaluate.periods import parse_as_of
from safeledger.model.dates import DateFormError, parse_date
from safeledger.read import find_ledger_root

if TYPE_CHECKING:
    from safeledger.api import LoadedLedger
    from safeledger.sharded import PartWork

stderr = Console(stderr=True, highlight=False, soft_wrap=True)

def load_for_output(
    root: Path, today: dt.date, *, no_cache: bool, work: PartWork | None = None
) -> tuple[LoadedLedger, CheckCache | None]:
    """The validated ledger for a command that lays it out once and exits (status,
    report), and the cache it used (None with ``--no-cache``): taken from the cache of
    loaded ledgers when unchanged, frozen for the collector, a big one stored in the
    background.  ``work``: as for :func:`safeledger.api.load_validated`."""
    from safeledger.api import load_validated

    cache = None if no_cache else CheckCache.default()
    loaded = load_validated(
        root, today=today, cache=cache, freeze=True, background=True, work=work
    )
    return loaded, cache


def write_bytes(data: bytes) -> None:
    """``data`` to standard output as it is: a CSV with its BOM, in UTF-8 on any
    platform; an answer replayed from the cache, without decoding it first."""
    out = getattr(sys.stdout, "buffer", None)
    if out is not None:
        sys.stdout.flush()
        out.write(data)
        out.flush()
    else:  # a text-only stream
        sys.stdout.write(data.decode("utf-8"))


def stdout_console() -> Console:
    return Console(file=sys.stdout, highlight=False, soft_wrap=True)


def ledger_root(path: Path | None) -> Path:
    """The ledger named on the command line, or the nearest one upward from here."""
    return find_ledger_root(path if path is not None else Path.cwd())


def date_option(value: str | None, name: str, default: dt.date) -> dt.date:
    if value is None:
        return default
    try:
        return parse_date(value)
    except DateFormError as exc:
        raise UsageError(f"{name}: {exc}") from None


def as_of_option(value: str | None, today: dt.date) -> dt.date:
    """``--as-of``: a date, a period (its last day) or last-quarter…; default today."""
    if value is None:
        return today
    return parse_as_of(value, today=today)


def fail(err: SafeledgerError) -> typer.Exit:
    stderr.print(f"[red]error:[/red] {err}", markup=True)
    if err.hint:
        stderr.print(f"[dim]hint: {err.hint}[/dim]")
    return typer.Exit(err.exit_code)
