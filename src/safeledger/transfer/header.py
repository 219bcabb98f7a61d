"""Finding the header row of a sheet: under title rows, possibly two or three rows deep.

Each of the first :data:`SCAN_ROWS` rows is scored by how many of its cells are known
column names (see :mod:`.columns`); the best row is the header.  A row just above or
below it belongs to the header too when a merged cell joins them (in normal mode), or
when it holds text only and most of that text is known column names (a two-row header
read without merge information).  Per column the lowest header cell that is a known name
wins (整改情况 over 整改措施 | 完成日期 gives measures and rectified_on); when no cell
is known, the cells joined top to bottom are tried (复查 over 日期 -> 复查日期)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter

from safeledger.transfer.columns import TEN_THOUSAND, match_header, normalise_header
from safeledger.transfer.tables import Table

SCAN_ROWS = 30
MIN_SCORE = 2
KINDS = ("hazards", "enterprises", "activities")

SHEET_KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("hazards", "hazards"),
    ("隐患", "hazards"),
    ("enterprises", "enterprises"),
    ("单位", "enterprises"),
    ("企业", "enterprises"),
    ("activities", "activities"),
    ("活动", "activities"),
)


@dataclass(frozen=True, slots=True)
class Column:
    index: int  # 1-based
    header: str  # as written; cells of a multi-row header joined with "/"
    field: str | None  # canonical field, "#ignored", "#computed" or None (unknown)
    scale: int = 1  # 10000 when the header says 万元 (funds)

    @property
    def letter(self) -> str:
        return get_column_letter(self.index)


@dataclass(frozen=True, slots=True)
class Header:
    rows: tuple[int, ...]  # row numbers of the header block
    end: int  # position in table.rows of the last header row
    columns: tuple[Column, ...]

    @property
    def fields(self) -> dict[str, Column]:
        out: dict[str, Column] = {}
        for col in self.columns:
            if col.field and not col.field.startswith("#"):
                out.setdefault(col.field, col)
        return out


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def score(kind: str, values: list[Any]) -> int:
    seen: set[str] = set()
    n = 0
    for value in values:
        if not isinstance(value, str):
            continue
        found = match_header(kind, value)
        if found and found not in seen:
            seen.add(found)
            n += 1
    return n


def kind_of_sheet(name: str | None) -> str | None:
    if not name:
        return None
    folded = name.casefold()
    for word, kind in SHEET_KIND_WORDS:
        if word in folded:
            return kind
    return None


def guess_kind(table: Table) -> str:
    """The record kind a sheet holds: from its name, else the best-scoring header."""
    by_name = kind_of_sheet(table.sheet)
    if by_name:
        return by_name
    best = ("hazards", 0)
    for kind in KINDS:
        top = max((score(kind, values) for _, values in table.rows[:SCAN_ROWS]), default=0)
        if top > best[1]:
            best = (kind, top)
    return best[0]


def _header_like(kind: str, values: list[Any]) -> bool:
    texts = [v for v in values if v is not None and _text(v)]
    if not texts or any(not isinstance(v, str) for v in texts):
        return False
    distinct = {normalise_header(v) for v in texts}
    known = {t for t in distinct if match_header(kind, t)}
    return bool(known) and 2 * len(known) >= len(distinct)


def _linked(table: Table, r1: int, r2: int) -> bool:
    """A merged cell spans both rows ``r1`` and ``r2`` (row numbers)."""
    lo, hi = min(r1, r2), max(r1, r2)
    return any(m[0] <= lo and m[2] >= hi for m in table.merged)


def find_header(table: Table, kind: str) -> Header | None:
    scan = table.rows[:SCAN_ROWS]
    best_pos, best_score = -1, 0
    for pos, (_, values) in enumerate(scan):
        s = score(kind, values)
        if s > best_score:
            best_pos, best_score = pos, s
    if best_score < MIN_SCORE:
        return None
    block = [best_pos]
    pos = best_pos
    while len(block) < 3 and pos > 0:
        number, values = table.rows[pos - 1]
        if _linked(table, number, table.rows[pos][0]) or _header_like(kind, values):
            pos -= 1
            block.insert(0, pos)
        else:
            break
    pos = best_pos
    while len(block) < 3 and pos + 1 < len(table.rows):
        number, values = table.rows[pos + 1]
        if _linked(table, table.rows[pos][0], number) or _header_like(kind, values):
            pos += 1
            block.append(pos)
        else:
            break
    width = max(len(table.rows[p][1]) for p in block)
    columns = []
    for c in range(width):
        texts: list[str] = []
        for p in block:
            values = table.rows[p][1]
            text = _text(values[c]) if c < len(values) else ""
            if text and (not texts or texts[-1] != text):
                texts.append(text)
        if not texts:
            continue
        field = None
        for text in reversed(texts):
            field = match_header(kind, text)
            if field:
                break
        if field is None and len(texts) > 1:
            field = match_header(kind, "".join(texts))
        scale = 10000 if field == "funds" and any(TEN_THOUSAND in t for t in texts) else 1
        columns.append(Column(c + 1, "/".join(texts), field, scale))
    return Header(tuple(table.rows[p][0] for p in block), block[-1], tuple(columns))
