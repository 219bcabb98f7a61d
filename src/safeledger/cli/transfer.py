"""``safeledger import`` and ``safeledger export``: thin wrappers over
:mod:`safeledger.transfer.importer` and :mod:`safeledger.transfer.exporter`."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.markup import escape

from safeledger.cli.common import fail, ledger_root, stderr, stdout_console
from safeledger.errors import SafeledgerError, UsageError

if TYPE_CHECKING:  # openpyxl and ruamel.yaml load only when these commands run
    from safeledger.transfer.exporter import Format as ExportFormatName
    from safeledger.transfer.exporter import Headers
    from safeledger.transfer.importer import ImportResult
    from safeledger.transfer.importer import Layout as ImportLayout


class Kind(StrEnum):
    hazards = "hazards"
    enterprises = "enterprises"
    activities = "activities"


class Layout(StrEnum):
    one_per_file = "one-per-file"
    single = "single"


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    json = "json"


class HeaderLanguage(StrEnum):
    zh = "zh"
    en = "en"


def import_cmd(
    file: Annotated[Path, typer.Argument(help="The .xlsx or .csv file to import.")],
    kind: Annotated[
        Kind | None,
        typer.Option(
            "--kind", help="Record kind of the rows (default: from the sheet name or headers)."
        ),
    ] = None,
    into: Annotated[
        Path | None, typer.Option("--into", help="Ledger folder (default: found upward from here).")
    ] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="Worksheet to import (default: the first).")
    ] = None,
    layout: Annotated[
        Layout | None,
        typer.Option(
            "--layout",
            help="one-per-file (default: hazards/<year>/<id>.yaml) or single "
            "(<kind>/imported-<name>.yaml).",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Show the files and YAML that would be written; write nothing."
        ),
    ] = False,
    skip_bad: Annotated[
        bool,
        typer.Option("--skip-bad", help="Import the good rows even when some rows have errors."),
    ] = False,
) -> None:
    """Import records from an Excel (.xlsx) or CSV ledger into new YAML files.

    Finds the header row under title rows, maps Chinese and English column names, reads
    every usual date form, and checks each row as `safeledger check` would.  Existing
    records are never overwritten.  Exit status: 0 imported (or --dry-run clean), 1 rows
    with errors (nothing written), 2 the import could not run.
    """
    try:
        root = ledger_root(into)
        from safeledger.cli.progress import stage_progress
        from safeledger.transfer.importer import import_file

        with stage_progress() as progress:
            result = import_file(
                root,
                file,
                kind=kind.value if kind else None,
                sheet=sheet,
                layout=cast("ImportLayout | None", layout.value if layout else None),
                skip_bad=skip_bad,
                dry_run=dry_run,
                today=dt.date.today(),
                progress=progress,
            )
    except SafeledgerError as err:
        raise fail(err) from None
    _report_import(result, dry_run)
    raise typer.Exit(result.exit_code)


def _report_import(result: ImportResult, dry_run: bool) -> None:
    out = stdout_console()
    for d in result.diagnostics:
        colour = "red" if d.severity == "error" else "yellow"
        stderr.print(
            f"[{colour}]{d.severity}[/{colour}] [cyan]{d.code}[/cyan] "
            f"{escape(d.file or '')}: {escape(d.message)}"
        )
        if d.hint:
            stderr.print(f"    [dim]hint: {escape(d.hint)}[/dim]")
    for note in result.notes:
        stderr.print(f"[dim]note: {escape(note)}[/dim]")
    if result.skipped:
        stderr.print(
            f"[yellow]skipped {len(result.skipped)} row(s) with errors (--skip-bad)[/yellow]"
        )
    if result.blocked:
        stderr.print(
            f"[red]✗[/red] {result.errors} error(s) in {escape(result.source)}; nothing was "
            "written (fix the rows, or --skip-bad to import the others)"
        )
        return
    counts = ", ".join(f"{n} {k}" for k, n in result.imported.items()) or "no records"
    if dry_run:
        for planned in result.files:
            out.print(f"[bold]--- would write {escape(planned.path)}[/bold]")
            sys.stdout.flush()
            out.file.write(planned.text)
            out.file.write("\n")
        stderr.print(
            f"dry run: would import {counts} into {len(result.files)} file(s); nothing written"
        )
        return
    for planned in result.files:
        out.print(f"wrote {escape(planned.path)}")
    stderr.print(
        f"[green]✓[/green] imported {counts} from {escape(result.source)} "
        f"into {len(result.files)} file(s); run safeledger check to see them in context"
    )


def export_cmd(
    ledger: Annotated[
        Path | None, typer.Argument(help="Ledger folder (default: found upward from here).")
    ] = None,
    output_format: Annotated[ExportFormat, typer.Option("--format", help="csv, xlsx or json.")] = (
        ExportFormat.xlsx
    ),
    kind: Annotated[
        Kind | None,
        typer.Option(
            "--kind",
            help="Record kind (CSV: one kind per file, default hazards; xlsx/json: default all).",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="File to write (default: standard output; xlsx needs -o)."
        ),
    ] = None,
    headers: Annotated[
        HeaderLanguage, typer.Option("--headers", help="Column headers: zh (Chinese titles) or en.")
    ] = HeaderLanguage.zh,
    allow_errors: Annotated[
        bool,
        typer.Option("--allow-errors", help="Export the valid records of a ledger with errors."),
    ] = False,
) -> None:
    """Export a ledger's records as CSV (one kind), XLSX (a sheet per kind) or JSON."""
    try:
        if output_format is ExportFormat.xlsx and output is None:
            raise UsageError("an .xlsx export needs a file: -o FILE.xlsx")
        root = ledger_root(ledger)
        from safeledger.transfer.exporter import export_ledger

        result = export_ledger(
            root,
            fmt=cast("ExportFormatName", output_format.value),
            kind=kind.value if kind else None,
            headers=cast("Headers", headers.value),
            output=output,
            today=dt.date.today(),
            allow_errors=allow_errors,
        )
    except SafeledgerError as err:
        raise fail(err) from None
    if output is None:
        sys.stdout.buffer.write(result.data)
        sys.stdout.flush()
    counts = ", ".join(f"{n} {k}" for k, n in result.records.items())
    where = f" to {output}" if output is not None else ""
    stderr.print(f"exported {counts}{where}")
    if result.skipped:
        stderr.print(f"[yellow]{result.skipped} record(s) with errors were not exported[/yellow]")


def register(app: typer.Typer) -> None:
    app.command("import")(import_cmd)
    app.command("export")(export_cmd)
