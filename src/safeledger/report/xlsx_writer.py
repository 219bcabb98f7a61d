"""The Excel (.xlsx) report, written with openpyxl: one sheet per table, Chinese headers
in a frozen first row, real date cells (``yyyy-mm-dd``), rates as percent cells, and
column widths that fit the text (a CJK character counts double)."""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import unicodedata
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from safeledger.cells import needs_guard
from safeledger.report.docx_writer import cell_text
from safeledger.report.reproducible import normalise_package
from safeledger.report.tables import Table, figure_type, report_tables

__all__ = ["display_width", "render_xlsx"]

DATE_FORMAT = "yyyy-mm-dd"
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
MAX_WIDTH = 60


def display_width(text: str) -> int:
    """Columns a text takes: East Asian wide/fullwidth characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet_name(name: str, used: set[str]) -> str:
    base = _BAD_SHEET.sub("_", name)[:31] or "Sheet"
    candidate, n = base, 2
    while candidate in used:
        suffix = f"_{n}"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate


# How a data cell looks: (number format, alignment, quote prefix); each has a border.
_Look = tuple[str | None, Alignment | None, bool]
_CENTERED = Alignment(horizontal="center", vertical="top")
_WRAPPED = Alignment(wrap_text=True, vertical="top")


def _write_cell(cell: Any, value: Any, kind: str, key: str) -> tuple[str, _Look]:
    """Set a cell's value; return the text it shows (for widths) and how it looks."""
    if kind == "figure":
        kind = figure_type(key)
    if value is None or value == "":
        cell.value = "—"
        return "—", (None, _CENTERED, False)
    if kind == "date" and isinstance(value, dt.date):
        cell.value = value
        return "2025-06-30", (DATE_FORMAT, None, False)
    if kind == "rate":
        cell.value = float(Decimal(value) / 100)
        return cell_text(value, "rate"), ("0.0%", None, False)
    if kind in ("wan", "yuan"):
        amount = Decimal(value) / (Decimal(10000) if kind == "wan" else 1)
        cell.value = float(amount)
        return f"{amount:,.2f}", ("#,##0.00", None, False)
    if kind == "int" and isinstance(value, int):
        cell.value = value
        return str(value), (None, None, False)
    text = cell_text(value, kind, key)
    cell.value = text
    cell.data_type = "s"  # ledger text is never a formula (openpyxl makes "=..." one)
    # a quote prefix: it stays text when a user edits the cell in Excel
    return text, (None, _WRAPPED, needs_guard(text))


def _style(cell: Any, look: _Look, made: dict[_Look, Any]) -> None:
    """Give ``cell`` its look and border.  The first cell of each look gets them through
    openpyxl (which finds each style's number in the workbook by hashing it: 2/3 of a big
    sheet's time); the others a copy of its style numbers — the same numbers."""
    style = made.get(look)
    if style is not None:
        cell._style = copy.copy(style)
        return
    number_format, alignment, quote = look
    if number_format is not None:
        cell.number_format = number_format
    if quote:
        cell.quotePrefix = True
    if alignment is not None:
        cell.alignment = alignment
    cell.border = _BORDER
    made[look] = copy.copy(cell._style)


def _sheet(wb: Workbook, table: Table, used: set[str]) -> None:
    ws = wb.create_sheet(_sheet_name(table.sheet, used))
    widths = [display_width(title) for _, title, _ in table.columns]
    header_font = Font(bold=True)
    fill = PatternFill("solid", fgColor="E7EEF7")
    for c, (_, title, _) in enumerate(table.columns, start=1):
        cell = ws.cell(row=1, column=c, value=title)
        cell.font = header_font
        cell.fill = fill
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    made: dict[_Look, Any] = {}
    for r, row in enumerate(table.rows, start=2):
        for c, (key, _, kind) in enumerate(table.columns, start=1):
            cell = ws.cell(row=r, column=c)
            shown, look = _write_cell(cell, row.get(key), kind, str(row.get("key", "")))
            _style(cell, look, made)
            widths[c - 1] = max(widths[c - 1], max(display_width(x) for x in shown.split("\n")))
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 6), MAX_WIDTH)
    ws.freeze_panes = "A2"
    if table.rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"


def _info_table(ctx: dict[str, Any]) -> Table:
    lab = ctx["labels"]
    src = ctx["source"]
    zh = ctx["locale"] != "en"
    rows = [
        {"item": lab["organisation"], "value": ctx["organisation"]},
        {"item": "报告" if zh else "Report", "value": ctx["kind_title"]},
        {"item": lab["period"], "value": ctx["period"]["display"]},
        {"item": "起始日期" if zh else "Start", "value": ctx["period"]["start"]},
        {"item": "截止日期" if zh else "End", "value": ctx["period"]["end"]},
        {"item": lab["due_date"], "value": ctx["period"]["due_date"]},
        {
            "item": lab["source"],
            "value": (src["commit"] or lab["not_in_git"])
            + (" " + lab["dirty"] if src["dirty"] else ""),
        },
    ]
    if ctx["kind"] in ("quarterly", "annual"):
        rows.append({"item": lab["summary"], "value": ctx["summary"]})
    return Table(
        "info",
        "info",
        "说明" if zh else "About",
        [("item", "项目" if zh else "Item", "text"), ("value", "内容" if zh else "Value", "auto")],
        rows,
    )


def render_xlsx(ctx: dict[str, Any]) -> bytes:
    """The report as .xlsx bytes; the same context gives the same bytes."""
    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    used: set[str] = set()
    _info_sheet(wb, _info_table(ctx), used)
    for table in report_tables(ctx):
        _sheet(wb, table, used)
    when = dt.datetime.combine(ctx["period"]["end"], dt.time())
    wb.properties.creator = ctx["organisation"]
    wb.properties.lastModifiedBy = ctx["organisation"]
    wb.properties.title = f"{ctx['organisation']} {ctx['period']['label']} {ctx['kind_title']}"
    wb.properties.created = when
    wb.properties.modified = when
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_package(buf.getvalue(), ctx["period"]["end"])


def _info_sheet(wb: Workbook, table: Table, used: set[str]) -> None:
    rows = []
    for row in table.rows:
        kind = "date" if isinstance(row["value"], dt.date) else "text"
        rows.append((row, kind))
    t = Table(
        table.id,
        table.title,
        table.sheet,
        [("item", table.columns[0][1], "text"), ("value", table.columns[1][1], "text")],
        [],
    )
    ws = wb.create_sheet(_sheet_name(t.sheet, used))
    for c, (_, title, _) in enumerate(t.columns, start=1):
        cell = ws.cell(row=1, column=c, value=title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E7EEF7")
        cell.border = _BORDER
    widths = [8, 8]
    made: dict[_Look, Any] = {}
    for r, (row, kind) in enumerate(rows, start=2):
        a = ws.cell(row=r, column=1, value=row["item"])
        a.border = _BORDER
        b = ws.cell(row=r, column=2)
        shown, look = _write_cell(b, row["value"], kind, "")
        _style(b, look, made)
        widths[0] = max(widths[0], display_width(str(row["item"])))
        widths[1] = max(widths[1], min(display_width(shown), MAX_WIDTH))
    ws.column_dimensions["A"].width = widths[0] + 2
    ws.column_dimensions["B"].width = min(widths[1] + 2, MAX_WIDTH + 20)
    ws.freeze_panes = "A2"
