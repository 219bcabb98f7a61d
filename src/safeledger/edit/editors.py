"""One record inside a YAML or CSV file, edited in place by canonical field name.

:class:`YamlRecord` edits through ruamel.yaml's round-trip tree and writes only the
lines that change (see :mod:`.yamlrt`).  :class:`CsvRecord` rewrites one row (and the
header when a column has to be added), keeping the file's encoding, BOM, line endings
and every other row byte for byte.

Both spell keys the way the record does: a key that exists keeps its spelling; a new
key is written in Chinese when most of the record's keys are Chinese, else in English,
and is placed after the nearest field that precedes it in the format's order (spec
section 4), e.g. ``rectified_on`` after ``extensions``/``deadline``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from safeledger.edit.yamlrt import YamlDocument, attach_trailing_comment, detach_trailing_comment
from safeledger.errors import SafeledgerError
from safeledger.model.enums import LedgerEnum
from safeledger.read import decode_csv_bytes
from safeledger.read.text import UndecodableText
from safeledger.validate.keys import field_names

_CJK = re.compile(r"[\u3400-\u9fff]")


class EditRefused(SafeledgerError):
    """The rules of the format (or the file's form) forbid this edit; nothing was written."""


def is_chinese(text: object) -> bool:
    return isinstance(text, str) and bool(_CJK.search(text))


class RecordEditor:
    """The interface both back ends share."""

    zh_keys: bool = False
    zh_values: bool = False

    def has(self, name: str) -> bool:
        raise NotImplementedError

    def get(self, name: str) -> Any:
        """The value as written (None or "" when absent)."""
        raise NotImplementedError

    def set(self, name: str, value: Any) -> None:
        raise NotImplementedError

    def remove(self, name: str) -> None:
        raise NotImplementedError

    def append(self, name: str, item: dict[str, Any]) -> None:
        """Append a record (a dict of canonical sub-keys) to a list-of-records field."""
        raise NotImplementedError

    def add_to_list(self, name: str, values: list[str]) -> None:
        """Add plain values (e.g. evidence paths) to a list field, skipping ones present."""
        raise NotImplementedError

    def render(self) -> bytes:
        raise NotImplementedError

    def scalar(self, value: Any) -> Any:
        if isinstance(value, LedgerEnum):
            return type(value).label(value.value) if self.zh_values else value.value
        return value


def _key_lookup(model: type[BaseModel], keys: list[Any]) -> dict[str, Any]:
    """canonical field -> key as written in the record."""
    alias = field_names(model).alias
    out: dict[str, Any] = {}
    for key in keys:
        canonical = alias.get(str(key).strip().casefold())
        if canonical is not None and canonical not in out:
            out[canonical] = key
    return out


def _mostly_chinese(keys: list[Any]) -> bool:
    zh = sum(1 for k in keys if is_chinese(k))
    return zh * 2 > len(keys)


# --- YAML ------------------------------------------------------------------------------


class YamlRecord(RecordEditor):
    def __init__(self, doc: YamlDocument, node: CommentedMap, model: type[BaseModel]) -> None:
        self.doc = doc
        self.node = node
        self.model = model
        keys = list(node)
        self.zh_keys = _mostly_chinese(keys)
        self.zh_values = any(is_chinese(node.get(k)) for k in _enum_keys(model, node))

    @classmethod
    def open(cls, raw: bytes, name: str, index: int, model: type[BaseModel]) -> YamlRecord:
        doc = YamlDocument.parse(raw, name)
        data = doc.data
        if isinstance(data, CommentedMap) and index == 0:
            node = data
        elif isinstance(data, CommentedSeq) and 0 <= index < len(data):
            node = data[index]
        else:
            raise SafeledgerError(f"{name}: record {index + 1} not found; was the file changed?")
        if not isinstance(node, CommentedMap) or node.fa.flow_style():
            raise SafeledgerError(
                f"{name}: record {index + 1} is not written as a block mapping; edit it by hand"
            )
        return cls(doc, node, model)

    def _keys(self) -> dict[str, Any]:
        return _key_lookup(self.model, list(self.node))

    def _new_key(
        self, name: str, model: type[BaseModel] | None = None, zh: bool | None = None
    ) -> str:
        model = model or self.model
        zh = self.zh_keys if zh is None else zh
        return field_names(model).label.get(name, name) if zh else name

    def has(self, name: str) -> bool:
        key = self._keys().get(name)
        return key is not None and self.node[key] not in (None, "", [])

    def get(self, name: str) -> Any:
        key = self._keys().get(name)
        return None if key is None else self.node[key]

    def _value(self, value: Any) -> Any:
        value = self.scalar(value)
        if isinstance(value, str) and "\n" in value:
            return LiteralScalarString(value)
        return value

    def set(self, name: str, value: Any) -> None:
        keys = self._keys()
        value = self._value(value)
        if name in keys:
            self.node[keys[name]] = value
            return
        self._insert(name, value)

    def _insert(self, name: str, value: Any) -> None:
        keys = self._keys()
        order = list(self.model.model_fields)
        position = None
        for earlier in reversed(order[: order.index(name)]):
            if earlier in keys:
                position = list(self.node).index(keys[earlier]) + 1
                break
        if position is None:
            position = len(self.node)
        at_end = position >= len(self.node)
        moved = detach_trailing_comment(self.node) if at_end else None
        self.node.insert(position, self._new_key(name), value)
        attach_trailing_comment(self.node, moved)

    def remove(self, name: str) -> None:
        key = self._keys().get(name)
        if key is None:
            return
        last = list(self.node)[-1] == key
        moved = detach_trailing_comment(self.node) if last else None
        del self.node[key]
        attach_trailing_comment(self.node, moved)

    def _item(self, name: str, item: dict[str, Any], existing: Any) -> CommentedMap:
        item_model = field_names(self.model).nested[name]
        zh = self.zh_keys
        if isinstance(existing, list) and existing and isinstance(existing[0], dict):
            zh = _mostly_chinese(list(existing[0]))
        out = CommentedMap()
        for sub, value in item.items():
            if value is None:
                continue
            out[self._new_key(sub, item_model, zh)] = self._value(value)
        return out

    def append(self, name: str, item: dict[str, Any]) -> None:
        existing = self.get(name)
        new = self._item(name, item, existing)
        if isinstance(existing, CommentedSeq):
            moved = detach_trailing_comment(existing)
            existing.append(new)
            attach_trailing_comment(existing, moved)
        elif existing in (None, "", []):
            self.set(name, CommentedSeq([new]))
        else:
            raise SafeledgerError(f"{name} is not written as a list; edit this record by hand")

    def add_to_list(self, name: str, values: list[str]) -> None:
        existing = self.get(name)
        if isinstance(existing, CommentedSeq):
            moved = detach_trailing_comment(existing) if not existing.fa.flow_style() else None
            for v in values:
                if v not in existing:
                    existing.append(v)
            attach_trailing_comment(existing, moved)
        elif existing in (None, "", []):
            self.set(name, CommentedSeq(values))
        elif isinstance(existing, str):
            parts = [p for p in re.split(r"\s*[;；、]\s*", existing) if p]
            self.set(name, "; ".join([*parts, *(v for v in values if v not in parts)]))
        else:
            raise SafeledgerError(f"{name} is not written as a list; edit this record by hand")

    def render(self) -> bytes:
        return self.doc.render()


def _enum_keys(model: type[BaseModel], node: CommentedMap) -> list[Any]:
    keys = _key_lookup(model, list(node))
    return [keys[n] for n in ("level", "source", "verification", "kind", "status") if n in keys]


def format_like(day: dt.date, example: str) -> str:
    """``day`` written like ``example`` (a date as the file writes it): 2025/3/1,
    2025.03.01, 2025年3月1日 …; ISO when the example is ISO or not a date.  Spreadsheet
    columns then stay uniform."""
    m = re.fullmatch(r"\s*\d{4}([/.])(\d{1,2})[/.](\d{1,2})\s*", example or "")
    if m:
        pad = len(m.group(2)) == 2 or len(m.group(3)) == 2
        sep = m.group(1)
        return (
            f"{day.year}{sep}{day.month:02d}{sep}{day.day:02d}"
            if pad
            else (f"{day.year}{sep}{day.month}{sep}{day.day}")
        )
    if re.fullmatch(r"\s*\d{4}\s*年.*日\s*", example or ""):
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


# --- CSV -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    start_line: int  # 1-based
    raw: str  # the row's text as written, with its line ending
    cells: list[str] = field(default_factory=list)


def _split_rows(text: str) -> list[_Row]:
    """Every physical CSV row (a quoted cell may span lines) with its exact text."""
    lines = text.splitlines(keepends=True)
    rows: list[_Row] = []
    consumed = 0

    def feed() -> Any:
        nonlocal consumed
        while consumed < len(lines):
            consumed += 1
            yield lines[consumed - 1]

    reader = csv.reader(feed(), strict=True)
    start = 0
    try:
        for cells in reader:
            rows.append(_Row(start + 1, "".join(lines[start:consumed]), cells))
            start = consumed
    except csv.Error as exc:
        raise SafeledgerError(f"CSV syntax error near line {start + 1}: {exc}") from None
    return rows


def _line_ending(raw: str) -> str:
    if raw.endswith("\r\n"):
        return "\r\n"
    if raw.endswith("\n"):
        return "\n"
    if raw.endswith("\r"):
        return "\r"
    return ""  # the last row, written without a line break


def _serialise(cells: list[str], ending: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=ending).writerow(cells)
    return buf.getvalue()


class CsvRecord(RecordEditor):
    """One row of a CSV ledger file.  CSV has no nested lists: ``extensions`` is the
    single column 延期至/extended_to (the latest ``to``), ``evidence`` and other lists are
    ``;``-separated, and ``reinspections`` cannot be written (an error says so)."""

    def __init__(self, raw: bytes, name: str, line: int, model: type[BaseModel]) -> None:
        self.name = name
        self.model = model
        try:
            text, self.encoding = decode_csv_bytes(raw)
        except UndecodableText as exc:
            raise SafeledgerError(f"{name}: {exc}") from None
        self.rows = _split_rows(text)
        nonblank = [r for r in self.rows if r.cells and any(c.strip() for c in r.cells)]
        if not nonblank:
            raise SafeledgerError(f"{name}: no header row")
        self.header = nonblank[0]
        self.header_cells = list(self.header.cells)
        match = [r for r in self.rows if r.start_line == line and r is not self.header]
        if not match:
            raise SafeledgerError(f"{name}: no row at line {line}; was the file changed?")
        self.row = match[0]
        self.cells = list(self.row.cells)
        self.header_changed = False
        self.row_changed = False
        names = field_names(model)
        self.columns: dict[str, int] = {}
        for i, head in enumerate(self.header_cells):
            folded = head.strip().casefold()
            canonical = names.alias.get(folded) or names.csv_columns.get(folded)
            if canonical is not None and canonical not in self.columns:
                self.columns[canonical] = i
        self.zh_keys = _mostly_chinese([h for h in self.header_cells if h.strip()])
        self.zh_values = any(is_chinese(self._cell(n)) for n in ("level", "source", "verification"))

    def _cell(self, name: str) -> str:
        i = self.columns.get(name)
        return self.cells[i] if i is not None and i < len(self.cells) else ""

    def get(self, name: str) -> str:
        return self._cell(name).strip()

    def has(self, name: str) -> bool:
        return bool(self.get(name))

    def _column(self, name: str) -> int:
        if name in self.columns:
            return self.columns[name]
        names = field_names(self.model)
        if name in getattr(self.model, "CSV_COLUMNS", {}):
            english, chinese = self.model.CSV_COLUMNS[name]  # type: ignore[attr-defined]
            title = chinese if self.zh_keys else english
        else:
            title = names.label.get(name, name) if self.zh_keys else name
        self.header_cells.append(title)
        self.header_changed = True
        self.columns[name] = len(self.header_cells) - 1
        return self.columns[name]

    def _text(self, value: Any) -> str:
        value = self.scalar(value)
        if isinstance(value, dt.date):
            return format_like(value, self.get("found_on"))
        return "" if value is None else str(value)

    def set(self, name: str, value: Any) -> None:
        if name in field_names(self.model).nested and name not in getattr(
            self.model, "CSV_COLUMNS", {}
        ):
            raise EditRefused(self._no_lists(name))
        i = self._column(name)
        while len(self.cells) <= i:
            self.cells.append("")
        self.cells[i] = self._text(value)
        self.row_changed = True

    def remove(self, name: str) -> None:
        if name in self.columns and self._cell(name):
            self.cells[self.columns[name]] = ""
            self.row_changed = True

    def _no_lists(self, name: str) -> str:
        return (
            f"{self.name} is a CSV file, which cannot hold {name} (a list of records); "
            "move this hazard into a YAML file under hazards/ to record it"
        )

    def append(self, name: str, item: dict[str, Any]) -> None:
        if name == "extensions":
            # Only the new deadline fits the single 延期至 column; callers keep the rest.
            self.set("extensions", item["to"])
            return
        raise EditRefused(self._no_lists(name))

    def add_to_list(self, name: str, values: list[str]) -> None:
        parts = [p for p in re.split(r"\s*[;；、]\s*", self.get(name)) if p]
        self.set(name, "; ".join([*parts, *(v for v in values if v not in parts)]))

    def render(self) -> bytes:
        out: list[str] = []
        for row in self.rows:
            if row is self.header and self.header_changed:
                out.append(_serialise(self.header_cells, _line_ending(row.raw)))
            elif row is self.row and self.row_changed:
                out.append(_serialise(self.cells, _line_ending(row.raw)))
            else:
                out.append(row.raw)
        text = "".join(out)
        if self.encoding == "utf-8-sig":
            return b"\xef\xbb\xbf" + text.encode("utf-8")
        return text.encode(self.encoding)
