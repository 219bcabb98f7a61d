"""CSV ledger files: a header row, then one record a row (stdlib :mod:`csv`).

``data`` maps each header as written (surrounding spaces removed) to the cell text; empty
cells are omitted.  A record's ``line`` is its row's first line (rows may span lines in
quoted cells) and ``key_columns`` gives each header's 1-based column number."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from safeledger.diagnostics import ERROR, WARNING, Diagnostic
from safeledger.read import codes

csv.field_size_limit(64 * 1024 * 1024)


@dataclass(slots=True)
class CsvRow:
    line: int  # 1-based line where the row starts
    cells: list[str]


@dataclass(slots=True)
class CsvTable:
    header: list[str] = field(default_factory=list)
    header_line: int = 1
    rows: list[CsvRow] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def split_csv_rows(text: str, file: str) -> CsvTable:
    """All rows as written (blank lines skipped); the first is the header.  A syntax error
    (an unterminated quote, say) ends the table with a ``csv-syntax`` diagnostic."""
    table = CsvTable()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    last = 0
    try:
        for cells in reader:
            start, last = last + 1, reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            if not table.header:
                table.header, table.header_line = cells, start
            else:
                table.rows.append(CsvRow(start, cells))
    except csv.Error as err:
        table.diagnostics.append(
            Diagnostic(
                codes.CSV_SYNTAX,
                ERROR,
                f"CSV syntax error: {err}",
                file=file,
                line=last + 1,
                column=1,
                hint='Quote cells that contain commas, quotes or line breaks ("a, b"); '
                'double a quote inside a quoted cell ("say ""hi"""). ',
            )
        )
    return table


def parse_csv_text(text: str, file: str) -> tuple[list[CsvRow], dict[str, int], CsvTable]:
    """Check the header and return (rows, header -> 1-based column, table).  Problems are
    appended to ``table.diagnostics``; duplicate headers keep their first column."""
    table = split_csv_rows(text, file)
    columns: dict[str, int] = {}
    for number, raw in enumerate(table.header, start=1):
        name = raw.strip()
        if not name:
            table.diagnostics.append(
                _header(
                    WARNING,
                    f"column {number} has no header; its cells are ignored",
                    file,
                    table.header_line,
                    number,
                )
            )
        elif name in columns:
            table.diagnostics.append(
                _header(
                    ERROR,
                    f"header {name!r} appears twice (columns {columns[name]} and "
                    f"{number}); each column needs its own name",
                    file,
                    table.header_line,
                    number,
                )
            )
        else:
            columns[name] = number
    width = len(table.header)
    for row in table.rows:
        if len(row.cells) > width and any(c.strip() for c in row.cells[width:]):
            table.diagnostics.append(
                Diagnostic(
                    codes.CSV_SYNTAX,
                    ERROR,
                    f"row has {len(row.cells)} cells but the header names {width} columns",
                    file=file,
                    line=row.line,
                    column=width + 1,
                    hint="Quote cells that contain commas, or add the missing header.",
                )
            )
    return table.rows, columns, table


def row_data(cells: list[str], columns: dict[str, int]) -> dict[str, str]:
    """A record's data: header -> cell text, empty cells omitted."""
    data: dict[str, str] = {}
    for name, number in columns.items():
        if number <= len(cells):
            cell = cells[number - 1]
            if cell.strip():
                data[name] = cell
    return data


def _header(severity: str, message: str, file: str, line: int, column: int) -> Diagnostic:
    return Diagnostic(
        codes.CSV_HEADER,
        ERROR if severity == ERROR else WARNING,
        message,
        file=file,
        line=line,
        column=column,
        hint="Give every column one distinct header in the first row.",
    )
