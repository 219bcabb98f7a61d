"""The ``safeledger`` command: one typer app; each command module registers itself."""

from __future__ import annotations

import os
import sys

import typer

from safeledger.cli import check, edit, init, review, schema, status, transfer
from safeledger.cli import report as report_cmd

app = typer.Typer(
    name="safeledger",
    help="安全生产隐患排查治理台账: check, track and report a hazard ledger kept in git.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (check, status, report_cmd, review, transfer, edit, init, schema):
    module.register(app)


def main() -> None:
    """Run the app; an unexpected exception is a message, never a traceback
    (set SAFELEDGER_DEBUG=1 to see one)."""
    try:
        app()
    except Exception as exc:  # the last line of defence; every known failure is handled
        if os.environ.get("SAFELEDGER_DEBUG"):
            raise
        print(f"safeledger: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print(
            "please report it with the input that caused it (SAFELEDGER_DEBUG=1: traceback)",
            file=sys.stderr,
        )
        sys.exit(2)
