"""Spreadsheet files -> grids of cell values, one per sheet, with merged cells filled.

.xlsx is read with openpyxl (``data_only=True``: a formula cell gives its cached value).
Normal mode knows merged cells, so a merged title, a header spanning two columns, or an
enterprise name merged down several rows fills every cell it covers.  Workbooks larger
than :data:`READ_ONLY_ABOVE` bytes are read in openpyxl's streaming ``read_only`` mode,
which does not report merged cells: there a merged cell's value stands in its top-left
cell only (headers still work because two-row headers are combined column by column).

.csv bytes are decoded with the reader's :func:`~safeledger.read.text.decode_csv_bytes`
(UTF-8, UTF-8 with BOM, GB18030/GBK) and parsed with the standard ``csv`` module; a row's
number is the line it starts on."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900

from safeledger.errors import SafeledgerError
from safeledger.read.text import UndecodableText, decode_csv_bytes

READ_ONLY_ABOVE = 20 * 1024 * 1024
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(slots=True)
class Table:
    """One sheet (or the CSV file) as rows of values."""

    sheet: str | None  # None for CSV
    rows: list[tuple[int, list[Any]]]  # (1-based row number / CSV line, values)
    excel: bool  # numbers in date columns are Excel serials
    epoch: dt.datetime = CALENDAR_WINDOWS_1900
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    encoding: str | None = None  # CSV


def read_tables(path: Path, sheet: str | None = None) -> tuple[list[Table], list[str]]:
    """All sheets of a workbook (or the one named), or the CSV as one table; and the sheet
    names of the workbook (empty for CSV).  Raises :class:`SafeledgerError` for a file that
    cannot be read, an unknown sheet, or a format that is not .xlsx/.csv."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if sheet is not None:
            raise SafeledgerError(f"--sheet applies to .xlsx workbooks; {path.name} is a CSV file")
        return [read_csv(path)], []
    if suffix in EXCEL_SUFFIXES:
        return read_xlsx(path, sheet)
    if suffix == ".xls":
        raise SafeledgerError(
            f"{path.name} is an old-style .xls workbook, which safeledger cannot read",
            hint="open it in Excel or WPS and save it as .xlsx (另存为 → Excel 工作簿), "
            "then import that",
        )
    raise SafeledgerError(
        f"cannot import {path.name}: the file must be .xlsx or .csv",
        hint="save the sheet as .xlsx or .csv",
    )


def read_csv(path: Path) -> Table:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SafeledgerError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text, encoding = decode_csv_bytes(data)
    except UndecodableText as exc:
        raise SafeledgerError(f"{path.name}: {exc}") from None
    text = text.removeprefix("\ufeff")
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[tuple[int, list[Any]]] = []
    start = 1
    try:
        for values in reader:
            rows.append((start, list(values)))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SafeledgerError(f"{path.name}, line {reader.line_num}: {exc}") from None
    return Table(sheet=None, rows=rows, excel=False, encoding=encoding)


def read_xlsx(path: Path, sheet: str | None) -> tuple[list[Table], list[str]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        read_only = path.stat().st_size > READ_ONLY_ABOVE
        wb = load_workbook(path, read_only=read_only, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise SafeledgerError(
            f"cannot read {path.name} as an .xlsx workbook: {exc}",
            hint="open it in Excel or WPS and save it again as .xlsx",
        ) from None
    try:
        names = list(wb.sheetnames)
        if sheet is not None and sheet not in names:
            raise SafeledgerError(
                f"{path.name} has no sheet named '{sheet}'",
                hint="its sheets: " + ", ".join(names),
            )
        tables = []
        for name in names if sheet is None else [sheet]:
            ws = wb[name]
            if getattr(ws, "sheet_state", "visible") != "visible" and sheet is None:
                continue
            if not hasattr(ws, "iter_rows"):  # a chart sheet
                continue
            rows = [
                (i, list(values))
                for i, values in enumerate(ws.iter_rows(values_only=True), start=1)
            ]
            merged: list[tuple[int, int, int, int]] = []
            if not read_only:
                for rng in ws.merged_cells.ranges:
                    merged.append((rng.min_row, rng.min_col, rng.max_row, rng.max_col))
                _fill_merged(rows, merged)
            tables.append(Table(sheet=name, rows=rows, excel=True, epoch=wb.epoch, merged=merged))
        return tables, names
    finally:
        wb.close()


def _fill_merged(
    rows: list[tuple[int, list[Any]]], merged: list[tuple[int, int, int, int]]
) -> None:
    """Every cell of a merged range takes the range's (top-left) value."""
    by_number = {number: values for number, values in rows}
    for r1, c1, r2, c2 in merged:
        top = by_number.get(r1)
        if top is None or c1 > len(top):
            continue
        value = top[c1 - 1]
        for r in range(r1, r2 + 1):
            values = by_number.get(r)
            if values is None:
                continue
            if len(values) < c2:
                values.extend([None] * (c2 - len(values)))
            for c in range(c1, c2 + 1):
                values[c - 1] = value
