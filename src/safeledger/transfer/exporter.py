"""``safeledger export``: a ledger's records as CSV, XLSX or JSON.

* **csv**: one record kind per file, UTF-8 with BOM (Excel opens it without garbling),
  CRLF lines.  Headers are the Chinese field titles (``--headers zh``, default) or the
  English names (``--headers en``); enum values are written as their Chinese label or
  English value to match.  Lists of values are joined with ``; ``; a hazard's extensions
  are the single column 延期至/extended_to (the latest ``to``).  A CSV cannot carry the
  full extension records (who approved, when, why), reinspections, amendments or an
  enterprise's certificates: those columns are left out.
* **xlsx**: one sheet per kind (单位, 隐患, 活动 / enterprises, hazards, activities), every
  field; nested lists (extensions, reinspections, amendments, certificates) as JSON text.
  Dates are real date cells.
* **json**: ``{"format": 1, "organisation": …, "enterprises": [...], "hazards": [...],
  "activities": [...]}`` with the canonical records (English keys and values, ISO dates).

Records are exported as written (a hazard's community is not filled in from its
enterprise), sorted by id.  Text a spreadsheet would run as a formula (starting with
= + - @, tab, CR, or their full-width forms) is prefixed with ``'`` in CSV, and written as
a text cell (never a formula) in XLSX.  The bytes are deterministic: the XLSX has fixed
document dates and zip timestamps."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from safeledger.cells import guard, needs_guard
from safeledger.diagnostics import count
from safeledger.errors import SafeledgerError, UsageError
from safeledger.fileio import write_atomic
from safeledger.model.enums import ActivityKind, LedgerEnum
from safeledger.model.records import Activity, Record
from safeledger.read.raw import RECORD_KINDS, RawLedger
from safeledger.transfer.canonical import plain, record_data
from safeledger.transfer.columns import EXTENDED_TO, models_of
from safeledger.transfer.values import number_out
from safeledger.validate.keys import field_names
from safeledger.validate.records import validate_record

Format = Literal["csv", "xlsx", "json"]
Headers = Literal["zh", "en"]
SHEET_NAMES = {
    "zh": {"enterprises": "单位", "hazards": "隐患", "activities": "活动"},
    "en": {"enterprises": "enterprises", "hazards": "hazards", "activities": "activities"},
}
KIND_ORDER = ("enterprises", "hazards", "activities")
# Fields a CSV cannot carry (lists of records); extensions go as 延期至 instead.
CSV_DROPPED = {
    "hazards": ("reinspections", "amendments"),
    "enterprises": ("certificates",),
    "activities": (),
}
FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class ExportColumn:
    field: str  # canonical field, or "extended_to"
    zh: str
    en: str

    def header(self, headers: Headers) -> str:
        return self.zh if headers == "zh" else self.en


def export_columns(kind: str, fmt: Format) -> list[ExportColumn]:
    out: list[ExportColumn] = []
    seen: set[str] = set()
    for model in models_of(kind):
        labels = field_names(model).label
        for name in model.model_fields:
            if name in seen:
                continue
            seen.add(name)
            if fmt == "csv" and name in CSV_DROPPED[kind]:
                continue
            if fmt == "csv" and name == "extensions":
                zh_en = model.CSV_COLUMNS["extensions"]
                out.append(ExportColumn(EXTENDED_TO, zh_en[1], zh_en[0]))
                continue
            out.append(ExportColumn(name, labels.get(name, name), name))
    return out


def ledger_records(raw: RawLedger) -> tuple[dict[str, list[Record]], int]:
    """The records as written (validated one by one), per kind, sorted by id; and how
    many records could not be validated."""
    out: dict[str, list[Record]] = {k: [] for k in RECORD_KINDS}
    bad = 0
    for rec in raw.records:
        model, _, _ = validate_record(rec)
        if model is None:
            bad += 1
            continue
        out[rec.kind].append(model)
    for records in out.values():
        records.sort(key=lambda r: str(getattr(r, "id", "")))
    return out, bad


# --- cell values ----------------------------------------------------------------------


def cell_value(record: BaseModel, column: ExportColumn, headers: Headers) -> Any:
    """A field's value for a spreadsheet cell: str, date, number or None."""
    if column.field == EXTENDED_TO:
        extensions = getattr(record, "extensions", [])
        return max((e.to for e in extensions), default=None)
    value = getattr(record, column.field, None)
    if value is None or value == []:
        return None
    if column.field == "kind" and isinstance(record, Activity):
        return ActivityKind.label(value, "zh-CN" if headers == "zh" else "en")
    if isinstance(value, list):
        if value and isinstance(value[0], BaseModel):
            return json.dumps(plain(value, iso_dates=True), ensure_ascii=False)
        return "; ".join(_scalar(v, headers) for v in value)
    return _typed(value, headers)


def _typed(value: Any, headers: Headers) -> Any:
    if isinstance(value, bool):
        return ("是" if value else "否") if headers == "zh" else ("yes" if value else "no")
    if isinstance(value, Decimal):
        return number_out(value)
    if isinstance(value, Enum):
        return _scalar(value, headers)
    return value


def _scalar(value: Any, headers: Headers) -> str:
    if isinstance(value, LedgerEnum):
        return type(value).label(value.value, "zh-CN" if headers == "zh" else "en")
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return guard(str(value))


# --- formats --------------------------------------------------------------------------


def to_csv(records: list[Record], kind: str, headers: Headers) -> bytes:
    columns = export_columns(kind, "csv")
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.header(headers) for c in columns])
    for record in records:
        writer.writerow([_csv_text(cell_value(record, c, headers)) for c in columns])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def to_json(records: dict[str, list[Record]], kinds: list[str], organisation: str) -> bytes:
    doc: dict[str, Any] = {"format": 1, "organisation": organisation}
    for kind in kinds:
        doc[kind] = [record_data(r, iso_dates=True) for r in records[kind]]
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def to_xlsx(records: dict[str, list[Record]], kinds: list[str], headers: Headers) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    bold = Font(bold=True)
    for kind in kinds:
        ws = wb.create_sheet(SHEET_NAMES[headers][kind])
        columns = export_columns(kind, "xlsx")
        widths = [len(c.header(headers)) * 2 + 2 for c in columns]
        for j, col in enumerate(columns, start=1):
            cell = ws.cell(1, j, col.header(headers))
            cell.font = bold
        for i, record in enumerate(records[kind], start=2):
            for j, col in enumerate(columns, start=1):
                value = cell_value(record, col, headers)
                if value is None:
                    continue
                cell = ws.cell(i, j)
                if isinstance(value, dt.date):
                    cell.value = value
                    cell.number_format = "yyyy-mm-dd"
                    widths[j - 1] = max(widths[j - 1], 12)
                elif isinstance(value, int | float):
                    cell.value = value
                else:
                    text = str(value)
                    cell.value = text
                    cell.data_type = "s"  # text, never a formula
                    if needs_guard(text):
                        cell.quotePrefix = True  # stays text when edited in Excel
                    widths[j - 1] = min(max(widths[j - 1], len(text) * 2), 60)
        ws.freeze_panes = "A2"
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = w
    wb.properties.creator = "safeledger"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return _deterministic_zip(buf.getvalue())


def _deterministic_zip(data: bytes) -> bytes:
    """The same workbook -> the same bytes: fixed entry timestamps and document dates
    (openpyxl stamps both with the current time when saving)."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                import re

                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + stamp + rb"\g<2>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, content)
    return out.getvalue()


# --- the command's library function ----------------------------------------------------


@dataclass(slots=True)
class ExportResult:
    data: bytes
    format: Format
    kinds: list[str]
    records: dict[str, int]
    skipped: int  # records with errors, not exported
    output: Path | None = None


def export_raw(
    raw: RawLedger,
    organisation: str,
    *,
    fmt: Format,
    kind: str | None = None,
    headers: Headers = "zh",
) -> ExportResult:
    if kind is not None and kind not in RECORD_KINDS:
        raise UsageError(
            f"--kind '{kind}' is not a record kind; use hazards, enterprises or activities"
        )
    all_kinds: list[str] = list(KIND_ORDER)
    kinds: list[str] = [kind or "hazards"] if fmt == "csv" else ([kind] if kind else all_kinds)
    records, bad = ledger_records(raw)
    if fmt == "csv":
        data = to_csv(records[kinds[0]], kinds[0], headers)
    elif fmt == "xlsx":
        data = to_xlsx(records, kinds, headers)
    elif fmt == "json":
        data = to_json(records, kinds, organisation)
    else:
        raise UsageError(f"--format '{fmt}' is not known; use csv, xlsx or json")
    return ExportResult(data, fmt, kinds, {k: len(records[k]) for k in kinds}, bad)


def export_ledger(
    root: Path,
    *,
    fmt: Format,
    kind: str | None = None,
    headers: Headers = "zh",
    output: Path | None = None,
    today: dt.date,
    allow_errors: bool = False,
) -> ExportResult:
    """Export the ledger at ``root``; write ``output`` atomically when given.  A ledger
    with errors is refused (records with errors cannot be exported) unless
    ``allow_errors``."""
    from safeledger.api import load_ledger

    loaded = load_ledger(root, today=today)
    errors = count(loaded.diagnostics)[0]
    if errors and not allow_errors:
        raise SafeledgerError(
            f"the ledger has {errors} error(s); records with errors cannot be exported",
            hint="fix them (safeledger check), or pass --allow-errors to export the valid records",
        )
    result = export_raw(
        loaded.raw, loaded.ledger.config.organisation, fmt=fmt, kind=kind, headers=headers
    )
    if output is not None:
        try:
            write_atomic(output, result.data)
        except OSError as exc:
            raise SafeledgerError(f"cannot write {output}: {exc.strerror or exc}") from None
        result.output = output
    return result
