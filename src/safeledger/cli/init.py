"""``safeledger init``: start a new ledger folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safeledger.cli.common import fail, stdout_console
from safeledger.errors import SafeledgerError


def init(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder for the new ledger (default: here).")
    ] = Path("."),
    organisation: Annotated[
        str | None,
        typer.Option("--organisation", "--organization", help="Who keeps the ledger (建账单位)."),
    ] = None,
) -> None:
    """Create a new ledger: a commented safeledger.yaml, the folders, .gitignore and a
    pre-commit configuration that runs safeledger check."""
    try:
        from safeledger.edit.init import init_ledger

        result = init_ledger(directory, organisation)
    except SafeledgerError as err:
        raise fail(err) from None
    out = stdout_console()
    out.print(f"created a ledger in {result.root}", markup=False)
    for rel in result.created:
        out.print(f"  {rel}", markup=False)
    if not organisation:
        out.print(
            f"next: put your organisation's name in safeledger.yaml (now '{_placeholder()}')",
            markup=False,
        )
    out.print("then: git init && pre-commit install   (optional)", markup=False)


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def _placeholder() -> str:
    from safeledger.edit.init import PLACEHOLDER_ORGANISATION

    return PLACEHOLDER_ORGANISATION
