"""Records that live in a CSV file are edited in that file: encoding, BOM, line endings,
the other rows and the header spelling are kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from safeledger.api import load_ledger
from safeledger.edit.hazards import EditRefused, extend, rectify, verify
from tests.edit.conftest import CSV_ROWS, TODAY, csv_bytes, make_ledger

D = dt.date
FILE = "hazards/2024/excel.csv"


def build(tmp_path: Path, data: bytes) -> Path:
    return make_ledger(tmp_path / "l", {"2024/excel.csv": data})


def rows_of(data: bytes, encoding: str) -> list[str]:
    return data.decode(encoding).split("\r\n")


def test_gb18030_rectify_adds_column_and_keeps_other_rows(tmp_path: Path) -> None:
    original = csv_bytes()
    root = build(tmp_path, original)
    rectify(root, "H-2024-102", on=D(2024, 11, 10), measures="更换插线板；分路供电", today=TODAY)
    after = (root / FILE).read_bytes()
    after.decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        after.decode("utf-8")  # still GB18030, not silently converted
    before_rows, after_rows = rows_of(original, "gb18030"), rows_of(after, "gb18030")
    assert len(after_rows) == len(before_rows)
    # header: a column added in the header's language; the other rows byte-identical
    assert after_rows[0] == before_rows[0] + ",整改措施,整改完成日期"
    assert after_rows[1] == before_rows[1] and after_rows[3] == before_rows[3]
    assert after_rows[2] == (
        'H-2024-102,2024/11/3,E002,收银台,电气线路,一般,"插线板串接, 超负荷",赵六,2024/11/12,'
        "复查时注意,更换插线板；分路供电,2024/11/10"  # dates written like the file's
    )
    loaded = load_ledger(root, today=TODAY)
    hazard = loaded.ledger.hazard_by_id()["H-2024-102"]
    assert hazard.rectified_on == D(2024, 11, 10) and hazard.measures == "更换插线板；分路供电"
    verify(root, "H-2024-102", on=D(2024, 11, 11), by="王五", today=TODAY)
    final = rows_of((root / FILE).read_bytes(), "gb18030")
    assert final[0].endswith(",整改措施,整改完成日期,复查日期,复查人,复查结论")
    assert final[2].endswith(",2024/11/10,2024/11/11,王五,合格")


def test_utf8_bom_lf_and_extension_in_one_column(tmp_path: Path) -> None:
    rows = [list(r) for r in CSV_ROWS]
    rows[0] = [
        "id",
        "found_on",
        "enterprise",
        "location",
        "category",
        "level",
        "description",
        "responsible",
        "deadline",
        "notes",
    ]
    rows[1][5] = "general"
    data = b"\xef\xbb\xbf" + csv_bytes(rows, "utf-8", "\n")
    root = build(tmp_path, data)
    result = extend(
        root,
        "H-2024-101",
        to=D(2024, 11, 20),
        approved_by="孙七",
        on=D(2024, 11, 9),
        reason="等待清运",
        today=TODAY,
    )
    assert any("延期至" in n for n in result.notes)
    after = (root / FILE).read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") and b"\r\n" not in after
    lines = after[3:].decode("utf-8").split("\n")
    assert lines[0].endswith(",notes,extended_to")  # English header -> English column
    assert lines[1].endswith(",延期至2024-11-20（孙七于2024-11-09批准：等待清运）,2024/11/20")
    assert lines[2:] == data[3:].decode("utf-8").split("\n")[2:]
    # a second extension replaces the single column's value
    extend(
        root,
        "H-2024-101",
        to=D(2024, 11, 30),
        approved_by="孙七",
        on=D(2024, 11, 19),
        reason="再次延期",
        today=TODAY,
    )
    hazard = load_ledger(root, today=TODAY).ledger.hazard_by_id()["H-2024-101"]
    assert [e.to for e in hazard.extensions] == [D(2024, 11, 30)]


def test_csv_cannot_hold_a_failed_verification(tmp_path: Path) -> None:
    root = build(tmp_path, csv_bytes())
    rectify(root, "H-2024-103", on=D(2024, 11, 10), measures="补齐水带", today=TODAY)
    before = (root / FILE).read_bytes()
    with pytest.raises(EditRefused, match="CSV file, which cannot hold reinspections"):
        verify(root, "H-2024-103", on=D(2024, 11, 11), by="王五", failed=True, today=TODAY)
    assert (root / FILE).read_bytes() == before


def test_quoted_multiline_cell_rows_stay(tmp_path: Path) -> None:
    rows = [list(r) for r in CSV_ROWS]
    rows[1][6] = "后门堆放杂物\n第二行说明"
    root = build(tmp_path, csv_bytes(rows))
    rectify(root, "H-2024-103", on=D(2024, 11, 10), measures="补齐水带", today=TODAY)
    text = (root / FILE).read_bytes().decode("gb18030")
    assert '"后门堆放杂物\n第二行说明"' in text
    assert text.rstrip("\r\n").split("\r\n")[-1].endswith(",补齐水带,2024/11/10")
