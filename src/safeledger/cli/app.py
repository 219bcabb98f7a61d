"""The ``safeledger`` command: one typer app; each command module registers itself."""

from __future__ import annotations

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
    app()
