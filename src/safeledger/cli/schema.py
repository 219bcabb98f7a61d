"""``safeledger schema``: JSON Schema of ledger files for editors (docs/editor.md)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from safeledger.cli.common import fail, stderr
from safeledger.errors import SafeledgerError
from safeledger.fileio import write_atomic


class SchemaKind(StrEnum):
    hazards = "hazards"
    enterprises = "enterprises"
    activities = "activities"
    config = "config"


def schema(
    kind: Annotated[
        SchemaKind, typer.Option("--kind", help="Which files the schema describes.")
    ] = SchemaKind.hazards,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file (default: stdout).")
    ] = None,
) -> None:
    """Print the JSON Schema (draft 2020-12) of a kind of ledger file, with Chinese titles,
    so that editors complete and check fields (see docs/editor.md)."""
    try:
        from safeledger.edit.schema import render_schema

        text = render_schema(kind.value)
        if output is None:
            sys.stdout.write(text)
            return
        try:
            write_atomic(output, text.encode("utf-8"))
        except OSError as exc:
            raise SafeledgerError(f"cannot write {output}: {exc.strerror or exc}") from None
    except SafeledgerError as err:
        raise fail(err) from None
    stderr.print(f"wrote {output}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)
