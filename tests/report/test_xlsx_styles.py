"""Excel sheets: the first cell of each look is styled through openpyxl, the others get
a copy of its style numbers (openpyxl hashed every style of every cell: 2/3 of a big
sheet's time).  The workbook is the same bytes as styling every cell through openpyxl."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.styles import Alignment

from safeledger.cells import needs_guard
from safeledger.report import xlsx_writer
from safeledger.report.docx_writer import cell_text
from safeledger.report.tables import Table, figure_type

COLUMNS = [
    ("id", "编号", "text"),
    ("deadline", "整改期限", "date"),
    ("rate", "整改率", "rate"),
    ("funds", "资金（万元）", "wan"),
    ("count", "数量", "int"),
    ("figure", "数值", "figure"),
]


def _old_write_cell(cell: Any, value: Any, kind: str, key: str) -> str:
    """``xlsx_writer._write_cell`` as it was (every cell styled through openpyxl)."""
    if kind == "figure":
        kind = figure_type(key)
    if value is None or value == "":
        cell.value = "—"
        cell.alignment = Alignment(horizontal="center", vertical="top")
        return "—"
    if kind == "date" and isinstance(value, dt.date):
        cell.value = value
        cell.number_format = xlsx_writer.DATE_FORMAT
        return "2025-06-30"
    if kind == "rate":
        cell.value = float(Decimal(value) / 100)
        cell.number_format = "0.0%"
        return cell_text(value, "rate")
    if kind in ("wan", "yuan"):
        amount = Decimal(value) / (Decimal(10000) if kind == "wan" else 1)
        cell.value = float(amount)
        cell.number_format = "#,##0.00"
        return f"{amount:,.2f}"
    if kind == "int" and isinstance(value, int):
        cell.value = value
        return str(value)
    text = cell_text(value, kind, key)
    cell.value = text
    cell.data_type = "s"
    if needs_guard(text):
        cell.quotePrefix = True
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return text


def _old_sheet(wb: Workbook, table: Table) -> None:
    ws = wb.create_sheet(table.sheet)
    for c, (_, title, _) in enumerate(table.columns, start=1):
        ws.cell(row=1, column=c, value=title)
    for r, row in enumerate(table.rows, start=2):
        for c, (key, _, kind) in enumerate(table.columns, start=1):
            cell = ws.cell(row=r, column=c)
            _old_write_cell(cell, row.get(key), kind, str(row.get("key", "")))
            cell.border = xlsx_writer._BORDER


def _new_sheet(wb: Workbook, table: Table) -> None:
    ws = wb.create_sheet(table.sheet)
    for c, (_, title, _) in enumerate(table.columns, start=1):
        ws.cell(row=1, column=c, value=title)
    made: dict[Any, Any] = {}
    for r, row in enumerate(table.rows, start=2):
        for c, (key, _, kind) in enumerate(table.columns, start=1):
            cell = ws.cell(row=r, column=c)
            _, look = xlsx_writer._write_cell(cell, row.get(key), kind, str(row.get("key", "")))
            xlsx_writer._style(cell, look, made)


def _saved(make: Any, tables: list[Table]) -> bytes:
    wb = Workbook()
    when = dt.datetime(2025, 6, 30)
    wb.properties.created = wb.properties.modified = when
    for table in tables:
        make(wb, table)
    buf = io.BytesIO()
    wb.save(buf)
    from safeledger.report.reproducible import normalise_package

    return normalise_package(buf.getvalue(), when.date())


def _or_empty(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.just(""), values)


texts = st.one_of(
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.sampled_from(["=SUM(A1)", "+1", "-x", "@a", "普通文本"]),
)
amounts = st.decimals(0, 10**6, places=2)
# One strategy per column of COLUMNS, with the values a report puts there.
CELLS = st.tuples(
    _or_empty(texts),
    _or_empty(st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1))),
    _or_empty(amounts),
    _or_empty(amounts),
    _or_empty(st.integers(0, 10**6)),
    _or_empty(st.one_of(st.integers(0, 10**6), texts)),
)


@settings(max_examples=30, deadline=None)
@given(st.lists(CELLS, min_size=1, max_size=8))
def test_copied_styles_give_the_same_workbook(cells: list[tuple[Any, ...]]) -> None:
    rows = [
        {key: value for (key, _, _), value in zip(COLUMNS, row, strict=True)} | {"key": "found"}
        for row in cells
    ]
    tables = [Table("a", "a", "甲", COLUMNS, rows), Table("b", "b", "乙", COLUMNS, rows[::-1])]
    assert _saved(_new_sheet, tables) == _saved(_old_sheet, tables)
