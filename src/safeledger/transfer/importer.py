"""``safeledger import``: rows of an Excel or CSV ledger -> new YAML records.

The steps, each a function a test can call:

1. :func:`~.tables.read_tables`: the file's sheets as grids (merged cells filled).
2. :func:`~.header.find_header`: the header row(s) under title rows; columns -> fields.
3. :func:`_row_data`: each data row -> a record dict with canonical keys (dates parsed
   from Excel cells, serials and text; enterprise names mapped to ids).
4. Ids for rows without one (:mod:`.ids`); collisions with the ledger or inside the file
   are errors (import never overwrites a record).
5. Validation by the same code as ``safeledger check``
   (:func:`safeledger.validate.validate_ledger` over the ledger plus the new records), so
   what is written passes ``check``.  Every problem is a Diagnostic whose ``file`` is the
   imported file, ``line`` the row and ``column`` the column, and whose message starts
   with ``sheet '…', row N, column X (header)``.
6. :func:`write_plan`: the YAML files, created all-or-nothing (``fileio.write_batch``),
   never replacing a file.

Nothing is written when any row has an error, unless ``skip_bad``: then the bad rows
are left out (and listed) and the rest is validated again."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import typing
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal, cast

from safeledger.cells import unguard
from safeledger.diagnostics import (
    ERROR,
    WARNING,
    Diagnostic,
    DiagnosticCounts,
    Severity,
    sort_diagnostics,
)
from safeledger.errors import SafeledgerError, UsageError
from safeledger.fileio import TargetExists, ledger_lock, write_batch
from safeledger.model import Config, Enterprise
from safeledger.model.dates import DateFormError
from safeledger.model.records import Record
from safeledger.read.raw import RECORD_KINDS, RawLedger, RawRecord, RecordKind
from safeledger.transfer.canonical import record_data
from safeledger.transfer.columns import EXTENDED_TO, models_of
from safeledger.transfer.header import Column, Header, find_header, guess_kind, kind_of_sheet
from safeledger.transfer.ids import ACTIVITY_ID_FORMAT, ENTERPRISE_ID_FORMAT, IdAllocator
from safeledger.transfer.tables import Table, read_tables
from safeledger.transfer.values import import_date, plain_number
from safeledger.transfer.yamlout import dump_records
from safeledger.validate import validate_ledger
from safeledger.validate.config import validate_config
from safeledger.validate.keys import describe, field_names
from safeledger.validate.records import record_id, validate_record

Layout = Literal["one-per-file", "single"]
KIND_ORDER = ("enterprises", "hazards", "activities")
DATE_FIELD_OF = {"hazards": "found_on", "activities": "date", "enterprises": None}
FOOTER_WORDS = (
    "合计",
    "总计",
    "小计",
    "填表人",
    "填报人",
    "制表人",
    "制表",
    "审核人",
    "审核",
    "负责人签字",
    "单位负责人",
    "注:",
    "注：",
    "说明:",
    "说明：",
    "备注:",
    "备注：",
)
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')

# Diagnostic codes of the import (besides the codes of `check`).
IMPORT_CODES: dict[str, str] = {
    "import-header": "No header row was found, or a field is named by two columns.",
    "import-missing-column": "A required field has no column (and cannot be allocated).",
    "import-column": "A column is not imported (unknown name, or a status the ledger computes).",
    "import-enterprise": "An enterprise name matches no enterprise of the ledger (or several).",
    "import-id-exists": "The row's id is already used in the ledger: import never overwrites.",
    "import-id-duplicate": "Two rows of the import have the same id.",
    "import-file-exists": "The file the record would be written to exists already.",
}


@dataclass(slots=True)
class Row:
    table: int  # index into the tables
    sheet: str | None
    kind: str
    number: int  # row number (xlsx) or line (CSV)
    data: dict[str, Any]
    columns: dict[str, Column]  # canonical field -> its column (cells with a value)
    id_given: bool
    header: dict[str, Column] = field(default_factory=dict)  # every column of the sheet
    diagnostics: list[Diagnostic] = field(default_factory=list)
    record: Record | None = None


@dataclass(slots=True)
class PlannedFile:
    path: str  # relative to the ledger root, "/" separators
    text: str
    kind: str
    ids: list[str]


@dataclass(slots=True)
class ImportResult(DiagnosticCounts):
    source: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[PlannedFile] = field(default_factory=list)
    imported: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # "sheet 'x', row 7" of rows left out
    notes: list[str] = field(default_factory=list)
    blocked: bool = False  # errors: nothing may be written
    written: bool = False

    @property
    def exit_code(self) -> int:
        return 1 if self.blocked else 0


# --- field types ----------------------------------------------------------------------


def _is_date(annotation: Any) -> bool:
    if annotation is dt.date:
        return True
    return any(_is_date(a) for a in typing.get_args(annotation) if a is not type(None))


def field_types(kind: str) -> dict[str, str]:
    """canonical field -> "date" | "nested" | "amount" | "value"."""
    out: dict[str, str] = {}
    for model in models_of(kind):
        nested = field_names(model).nested
        for name, info in model.model_fields.items():
            if name in out:
                continue
            if name in nested:
                out[name] = "nested"
            elif _is_date(info.annotation):
                out[name] = "date"
            elif name in ("funds", "hours"):
                out[name] = "amount"
            else:
                out[name] = "value"
    return out


# --- the plan -------------------------------------------------------------------------


def plan_import(
    raw: RawLedger,
    source: Path,
    *,
    kind: str | None = None,
    sheet: str | None = None,
    layout: Layout | None = None,
    skip_bad: bool = False,
    today: dt.date,
    display_name: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportResult:
    """Everything an import would do to the ledger ``raw``, without writing anything.
    ``progress("import", done, total)`` (tables, then the check of the rows) is called
    when given, for a progress bar."""
    if kind is not None and kind not in RECORD_KINDS:
        raise UsageError(
            f"--kind '{kind}' is not a record kind; use hazards, enterprises or activities"
        )
    name = display_name or str(source)
    result = ImportResult(source=name)
    config, _, usable = validate_config(raw.config)
    if not usable:
        raise SafeledgerError(
            "the ledger's safeledger.yaml is written for a newer safeledger",
            hint="run safeledger check for details",
        )
    tables, sheet_names = read_tables(source, sheet)
    chosen = _choose_tables(tables, sheet_names, kind, sheet, result)
    existing = _existing(raw)
    rows: list[Row] = []
    enterprise_rows: list[Row] = []
    header_diags: list[Diagnostic] = []
    names = _enterprise_names(raw, [])
    # Enterprises first, so hazard rows can name enterprises imported in the same file.
    chosen.sort(key=lambda item: KIND_ORDER.index(item[1]))
    steps = len(chosen) + 1  # each table, then checking the rows
    for t_index, (table, table_kind) in enumerate(chosen):
        if progress is not None:
            progress("import", t_index, steps)
        header = find_header(table, table_kind)
        if header is None:
            header_diags.append(
                _file_diag(
                    name,
                    table,
                    "import-header",
                    f"no header row found in the first rows of {_sheet_label(table)}: "
                    "no row has two "
                    f"or more known column names for {table_kind}",
                    hint="the header row needs names such as 隐患描述, 整改期限, 发现日期 "
                    "(see docs/import-export.md)",
                )
            )
            continue
        problems = _check_header(name, table, table_kind, header)
        header_diags.extend(problems)
        if any(d.severity == ERROR for d in problems):
            continue
        table_rows = list(_data_rows(table, table_kind, header, t_index, result))
        if table_kind == "enterprises":
            # Ids now, so hazard rows of this import can name these enterprises.
            _allocate_ids(table_rows, existing, config)
            for r in table_rows:
                r.id_given = "id" in r.data
            enterprise_rows.extend(table_rows)
            names = _enterprise_names(raw, [r.data for r in enterprise_rows])
        for row in table_rows:
            _map_enterprise(row, names, name, table)
        rows.extend(table_rows)
    result.diagnostics.extend(header_diags)
    if any(d.severity == ERROR for d in header_diags):
        result.blocked = True
        result.diagnostics = sort_diagnostics(result.diagnostics)
        return result
    tables_by_index = [t for t, _ in chosen]
    if progress is not None:
        progress("import", steps - 1, steps)

    while True:
        _allocate_ids(rows, existing, config)
        _check_ids(rows, existing, name, tables_by_index)
        _validate(rows, raw, today, name, tables_by_index)
        bad = [r for r in rows if any(d.severity == ERROR for d in r.diagnostics)]
        if not bad or not skip_bad:
            break
        for r in bad:
            result.diagnostics.extend(r.diagnostics)
            result.skipped.append(_where(tables_by_index[r.table], r.number, None))
        rows = [r for r in rows if r not in bad]
        for r in rows:
            r.diagnostics = []
    for r in rows:
        result.diagnostics.extend(r.diagnostics)
    if any(d.severity == ERROR for r in rows for d in r.diagnostics):
        result.blocked = True
    else:
        result.files = _plan_files(rows, raw.root, source, layout, name, tables_by_index, result)
        for r in rows:
            result.imported[r.kind] = result.imported.get(r.kind, 0) + 1
    if not rows and not result.blocked:
        result.notes.append("no rows to import")
    result.diagnostics = sort_diagnostics(result.diagnostics)
    if progress is not None:
        progress("import", steps, steps)
    return result


def _choose_tables(
    tables: list[Table],
    sheet_names: list[str],
    kind: str | None,
    sheet: str | None,
    result: ImportResult,
) -> list[tuple[Table, str]]:
    if sheet is not None or len(tables) <= 1:
        return [(t, kind or guess_kind(t)) for t in tables[:1]]
    # A workbook whose sheets are named after kinds (what `safeledger export` writes):
    # import every such sheet, unless --kind picks one.
    named = [(t, kind_of_sheet(t.sheet)) for t in tables]
    by_kind = [(t, k) for t, k in named if k is not None and (kind is None or k == kind)]
    if by_kind and all(k is not None for _, k in named):
        return [(t, k) for t, k in by_kind if k is not None]
    first = tables[0]
    result.notes.append(
        f"the workbook has {len(sheet_names)} sheets; importing the first, '{first.sheet}' "
        f"(choose another with --sheet: {', '.join(sheet_names)})"
    )
    return [(first, kind or guess_kind(first))]


def _existing(raw: RawLedger) -> dict[str, dict[str, str]]:
    """kind -> id -> the file it is in."""
    out: dict[str, dict[str, str]] = {k: {} for k in RECORD_KINDS}
    for rec in raw.records:
        rid = record_id(rec)
        if rid is not None:
            out[rec.kind].setdefault(rid, rec.file)
    return out


def _name_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def _enterprise_names(raw: RawLedger, new: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Normalised enterprise name or id -> ids (the ledger's and the import's)."""
    out: dict[str, list[str]] = defaultdict(list)
    datas: list[dict[str, Any]] = []
    for rec in raw.records:
        if rec.kind == "enterprises":
            model, _, _ = validate_record(rec)
            if isinstance(model, Enterprise):
                datas.append({"id": model.id, "name": model.name})
    datas.extend(new)
    for data in datas:
        rid, nm = data.get("id"), data.get("name")
        if rid is not None:
            out["#id:" + str(rid).strip()].append(str(rid).strip())
            if nm is not None:
                ids = out[_name_key(str(nm))]
                if str(rid).strip() not in ids:
                    ids.append(str(rid).strip())
    return out


def _map_enterprise(row: Row, names: dict[str, list[str]], source: str, table: Table) -> None:
    if row.kind == "enterprises" or "enterprise" not in row.data:
        return
    value = str(row.data["enterprise"]).strip()
    if ("#id:" + value) in names:
        row.data["enterprise"] = value
        return
    ids = names.get(_name_key(value), [])
    if len(ids) == 1:
        row.data["enterprise"] = ids[0]
        return
    col = row.columns["enterprise"]
    if len(ids) > 1:
        message = (
            f"enterprise (责任单位) '{value}' is the name of several enterprises "
            f"({', '.join(ids)}); write the id instead"
        )
        hint = None
    else:
        known = sorted(k for k in names if not k.startswith("#id:"))
        key = _name_key(value)
        close = difflib.get_close_matches(key, known, n=3, cutoff=0.5)
        close += [k for k in known if (key in k or k in key) and k not in close][:3]
        suggestions = [f"'{k}' ({', '.join(names[k])})" for k in close[:3]]
        message = (
            f"enterprise (责任单位) '{value}' is not the name or id of an enterprise of this ledger"
        )
        if suggestions:
            message += "; did you mean " + " or ".join(suggestions) + "?"
        hint = (
            "import the enterprises first (safeledger import FILE --kind enterprises), "
            "or add them under enterprises/"
        )
    row.diagnostics.append(
        _row_diag(
            source, table, row, col, "import-enterprise", message, field="enterprise", hint=hint
        )
    )


def _check_header(source: str, table: Table, kind: str, header: Header) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    by_field: dict[str, list[Column]] = defaultdict(list)
    for col in header.columns:
        if col.field is None:
            diags.append(
                _file_diag(
                    source,
                    table,
                    "import-column",
                    f"{_sheet_prefix(table)}column {_col_name(table, col)} ({col.header}) is not a "
                    "known field and is not imported",
                    severity=WARNING,
                    line=header.rows[-1],
                    column=col.index,
                    hint="rename the header to a field name or synonym (docs/import-export.md)",
                )
            )
        elif col.field == "#computed":
            diags.append(
                _file_diag(
                    source,
                    table,
                    "import-column",
                    f"{_sheet_prefix(table)}column {_col_name(table, col)} ({col.header}) is not "
                    "imported: the ledger computes the status from rectified_on and verified_on",
                    severity=WARNING,
                    line=header.rows[-1],
                    column=col.index,
                )
            )
        elif not col.field.startswith("#"):
            by_field[col.field].append(col)
    models = models_of(kind)
    for fld, cols in by_field.items():
        if len(cols) > 1:
            listed = " and ".join(f"{_col_name(table, c)} ({c.header})" for c in cols)
            diags.append(
                _file_diag(
                    source,
                    table,
                    "import-header",
                    f"{_sheet_prefix(table)}columns {listed} both name "
                    f"{describe(models[-1], fld)}; "
                    "keep one of them or rename the other",
                    line=header.rows[-1],
                    column=cols[1].index,
                    field=fld,
                )
            )
    base = models[0]
    allocated = {"id"}
    for fld, info in base.model_fields.items():
        if info.is_required() and fld not in by_field and fld not in allocated:
            diags.append(
                _file_diag(
                    source,
                    table,
                    "import-missing-column",
                    f"{_sheet_prefix(table)}no column for the required field "
                    f"{describe(base, fld)}; "
                    f"the header row {header.rows[-1]} has: "
                    + ", ".join(c.header for c in header.columns),
                    line=header.rows[-1],
                    field=fld,
                    hint="add the column, or rename the matching header "
                    "(see docs/import-export.md)",
                )
            )
    return diags


def _data_rows(
    table: Table, kind: str, header: Header, t_index: int, result: ImportResult
) -> typing.Iterator[Row]:
    types = field_types(kind)
    header_fields = header.fields
    header_values = [table.rows[header.end][1]]
    for number, values in table.rows[header.end + 1 :]:
        texts = [str(v).strip() for v in values if v is not None and str(v).strip()]
        if not texts:
            continue
        if texts[0].replace(" ", "").startswith(FOOTER_WORDS):
            result.notes.append(f"{_where(table, number, None)}: skipped ('{texts[0][:20]}')")
            continue
        if values in header_values:  # a header repeated on every printed page
            continue
        data: dict[str, Any] = {}
        columns: dict[str, Column] = {}
        for col in header.columns:
            fld = col.field
            if fld is None or fld.startswith("#") or (fld in data and fld != "extensions"):
                continue
            value = values[col.index - 1] if col.index <= len(values) else None
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if fld == EXTENDED_TO:
                if "extensions" not in data:
                    data["extensions"] = [{"to": _convert(value, "date", table, col)}]
                    columns["extensions"] = col
                continue
            data[fld] = _convert(value, types.get(fld, "value"), table, col)
            columns[fld] = col
        if not data:
            continue  # only a 序号 or a status column: an empty template row
        yield Row(
            t_index,
            table.sheet,
            kind,
            number,
            data,
            columns,
            id_given="id" in data,
            header=header_fields,
        )


def _convert(value: Any, ftype: str, table: Table, col: Column) -> Any:
    if isinstance(value, str):
        value = unguard(value.strip())
    if ftype == "date":
        try:
            return import_date(value, from_excel_cell=table.excel, epoch=table.epoch)
        except DateFormError:
            return value if isinstance(value, str) else str(plain_number(value))
    if ftype == "nested":
        if isinstance(value, str) and value.startswith("["):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if ftype == "amount" and col.scale != 1 and not isinstance(value, bool):
        try:
            return Decimal(str(value).replace(",", "")) * col.scale
        except InvalidOperation:
            return value
    return plain_number(value)


# --- ids ------------------------------------------------------------------------------


def _year_of(row: Row) -> int | None:
    fld = DATE_FIELD_OF[row.kind]
    value = row.data.get(fld) if fld else None
    return value.year if isinstance(value, dt.date) else None


def _allocate_ids(rows: list[Row], existing: dict[str, dict[str, str]], config: Config) -> None:
    formats = {
        "hazards": config.id_format,
        "enterprises": ENTERPRISE_ID_FORMAT,
        "activities": ACTIVITY_ID_FORMAT,
    }
    for kind in KIND_ORDER:
        given = [str(r.data["id"]) for r in rows if r.kind == kind and r.id_given]
        allocator = IdAllocator(formats[kind], [*existing[kind], *given])
        for r in rows:
            if r.kind != kind or r.id_given:
                continue
            r.data.pop("id", None)
            year = _year_of(r)
            if year is None and allocator.uses_year:
                continue  # the date's own error explains the row
            r.data["id"] = allocator.next(year)


def _check_ids(
    rows: list[Row], existing: dict[str, dict[str, str]], source: str, tables: list[Table]
) -> None:
    seen: dict[tuple[str, str], Row] = {}
    for r in rows:
        if "id" not in r.data:
            continue
        rid = str(r.data["id"]).strip()
        table = tables[r.table]
        col = r.columns.get("id")
        if rid in existing[r.kind]:
            r.diagnostics.append(
                _row_diag(
                    source,
                    table,
                    r,
                    col,
                    "import-id-exists",
                    f"id '{rid}' is already used by a record in {existing[r.kind][rid]}; "
                    "import never "
                    "overwrites a record",
                    field="id",
                    hint="remove the row (it is imported already) or give it a new id",
                )
            )
        first = seen.get((r.kind, rid))
        if first is not None:
            r.diagnostics.append(
                _row_diag(
                    source,
                    table,
                    r,
                    col,
                    "import-id-duplicate",
                    f"id '{rid}' is also on "
                    f"{_where(tables[first.table], first.number, None)} of this "
                    "import",
                    field="id",
                )
            )
        else:
            seen[(r.kind, rid)] = r


# --- validation -----------------------------------------------------------------------

_MARK = "\x00import/"


def _validate(
    rows: list[Row], raw: RawLedger, today: dt.date, source: str, tables: list[Table]
) -> None:
    new: list[RawRecord] = []
    by_place: dict[tuple[str, int], Row] = {}
    for i, r in enumerate(rows):
        file = f"{_MARK}{r.table}"
        key_columns = {fld: col.index for fld, col in r.columns.items()}
        new.append(
            RawRecord(
                kind=cast(RecordKind, r.kind),
                file=file,
                index=i,
                data=dict(r.data),
                line=r.number,
                key_columns=key_columns,
            )
        )
        by_place[(file, r.number)] = r
    combined = RawLedger(
        root=raw.root, config=raw.config, files=raw.files, records=[*raw.records, *new]
    )
    _, diags = validate_ledger(combined, today=today)
    for d in diags:
        if not (d.file or "").startswith(_MARK) or d.line is None:
            continue
        row = by_place.get((d.file or "", d.line))
        if row is None:
            continue
        codes = {x.code for x in row.diagnostics}
        if d.code == "duplicate-id":
            continue  # said by import-id-exists / import-id-duplicate
        if d.code == "unknown-enterprise" and "import-enterprise" in codes:
            continue
        if d.code == "required" and d.field == "id" and not row.id_given:
            continue  # the date the id needs is wrong, and says so
        col = (row.columns.get(d.field) or row.header.get(d.field)) if d.field else None
        row.diagnostics.append(
            _row_diag(
                source,
                tables[row.table],
                row,
                col,
                d.code,
                d.message,
                field=d.field,
                hint=d.hint,
                severity=d.severity,
            )
        )
    for r, rec in zip(rows, new, strict=True):
        if not any(d.severity == ERROR for d in r.diagnostics):
            r.record = validate_record(rec)[0]


# --- files ----------------------------------------------------------------------------


def _safe(text: str) -> str:
    return _UNSAFE.sub("-", text).strip("-.") or "record"


def _plan_files(
    rows: list[Row],
    root: Path,
    source: Path,
    layout: Layout | None,
    name: str,
    tables: list[Table],
    result: ImportResult,
) -> list[PlannedFile]:
    files: list[PlannedFile] = []
    planned: set[str] = set()
    src = Path(name).name
    for kind in KIND_ORDER:
        kind_rows = [r for r in rows if r.kind == kind and r.record is not None]
        if not kind_rows:
            continue
        if (layout or "one-per-file") == "single":
            path = f"{kind}/imported-{_safe(source.stem)}.yaml"
            if (root / path).exists() or path in planned:
                result.diagnostics.append(
                    Diagnostic(
                        code="import-file-exists",
                        severity=ERROR,
                        file=name,
                        message=f"{path} exists already in the ledger; was {src} imported before?",
                        hint="use --layout one-per-file, or rename the file to import",
                    )
                )
                result.blocked = True
                return []
            sheets = sorted({r.sheet for r in kind_rows if r.sheet})
            comment = [
                f"imported by safeledger import from {src}"
                + (f", sheet {', '.join(sheets)}" if sheets else ""),
                f"由 safeledger import 从 {src} 导入",
            ]
            parts = []
            for r in kind_rows:
                assert r.record is not None
                parts.append(
                    dump_records(
                        [record_data(r.record)],
                        [_where(tables[r.table], r.number, None)],
                        as_list=True,
                    )
                )
            head = "".join(f"# {c}\n" for c in comment) + "\n"
            files.append(
                PlannedFile(
                    path, head + "\n".join(parts), kind, [str(r.data["id"]) for r in kind_rows]
                )
            )
            planned.add(path)
            continue
        for r in kind_rows:
            assert r.record is not None
            rid = str(r.data["id"])
            year = _year_of(r)
            folder = f"{kind}/{year}" if kind != "enterprises" and year else kind
            path = f"{folder}/{_safe(rid)}.yaml"
            if (root / path).exists() or path in planned:
                result.diagnostics.append(
                    _row_diag(
                        name,
                        tables[r.table],
                        r,
                        r.columns.get("id"),
                        "import-file-exists",
                        f"{path} exists already; import never replaces a file",
                        field="id",
                    )
                )
                result.blocked = True
                continue
            planned.add(path)
            where = _where(tables[r.table], r.number, None)
            comment = [
                f"imported by safeledger import from {src}, {where}",
                f"由 safeledger import 从 {src} 导入",
            ]
            text = dump_records([record_data(r.record)], comment, as_list=False)
            files.append(PlannedFile(path, text, kind, [rid]))
    return [] if result.blocked else files


def write_plan(root: Path, result: ImportResult) -> None:
    """Create the planned files, all or none (:func:`safeledger.fileio.write_batch`):
    never replacing a file, and a crash at any moment leaves the ledger exactly as before
    or (once the next editing command has completed the batch) exactly as after.  The
    caller holds the ledger lock."""
    if result.blocked:
        raise SafeledgerError("the import has errors; nothing was written")
    files = {Path(planned.path): planned.text.encode("utf-8") for planned in result.files}
    try:
        write_batch(root, files)
    except TargetExists as exc:
        raise SafeledgerError(f"{exc} appeared while importing; nothing was written") from None
    except OSError as exc:
        raise SafeledgerError(
            f"cannot write the imported records: {exc}; nothing was written"
        ) from None
    result.written = True


def import_file(
    root: Path,
    source: Path,
    *,
    kind: str | None = None,
    sheet: str | None = None,
    layout: Layout | None = None,
    skip_bad: bool = False,
    dry_run: bool = False,
    today: dt.date,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportResult:
    """Read the ledger at ``root``, plan the import of ``source`` and (unless ``dry_run``
    or there are errors) write it.  ``progress(stage, done, total)``: see plan_import
    (stage "read" while the ledger is read)."""
    from safeledger.read import read_ledger

    if not source.is_file():
        raise SafeledgerError(f"{source} is not a file")
    with ledger_lock(root):
        read_progress = None if progress is None else (lambda d, t: progress("read", d, t))
        raw = read_ledger(root, progress=read_progress)
        result = plan_import(
            raw,
            source,
            kind=kind,
            sheet=sheet,
            layout=layout,
            skip_bad=skip_bad,
            today=today,
            progress=progress,
        )
        if not dry_run and not result.blocked and result.files:
            write_plan(root, result)
    return result


# --- diagnostics ----------------------------------------------------------------------


def _sheet_label(table: Table) -> str:
    return f"sheet '{table.sheet}'" if table.sheet else "the file"


def _sheet_prefix(table: Table) -> str:
    return f"sheet '{table.sheet}': " if table.sheet else ""


def _col_name(table: Table, col: Column) -> str:
    return col.letter if table.excel else str(col.index)


def _where(table: Table, number: int, col: Column | None) -> str:
    parts = [f"sheet '{table.sheet}'"] if table.sheet else []
    parts.append(f"row {number}" if table.excel else f"line {number}")
    if col is not None:
        parts.append(f"column {_col_name(table, col)} ({col.header})")
    return ", ".join(parts)


def _row_diag(
    source: str,
    table: Table,
    row: Row,
    col: Column | None,
    code: str,
    message: str,
    *,
    field: str | None = None,
    hint: str | None = None,
    severity: str = ERROR,
) -> Diagnostic:
    return Diagnostic(
        code=code,
        severity=cast(Severity, severity),
        message=f"{_where(table, row.number, col)}: {message}",
        file=source,
        line=row.number,
        column=col.index if col else None,
        record=str(row.data["id"]) if "id" in row.data else None,
        field=field,
        hint=hint,
    )


def _file_diag(
    source: str,
    table: Table,
    code: str,
    message: str,
    *,
    severity: str = ERROR,
    line: int | None = None,
    column: int | None = None,
    field: str | None = None,
    hint: str | None = None,
) -> Diagnostic:
    return Diagnostic(
        code=code,
        severity=cast(Severity, severity),
        message=message,
        file=source,
        line=line,
        column=column,
        field=field,
        hint=hint,
    )


_ = replace
