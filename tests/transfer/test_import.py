from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from safeledger.api import check_ledger
from safeledger.cli.app import app
from safeledger.errors import SafeledgerError
from safeledger.model.dates import DateFormError
from safeledger.transfer import tables
from safeledger.transfer.ids import IdAllocator
from safeledger.transfer.importer import import_file
from safeledger.transfer.values import import_date
from tests.transfer.helpers import GOOD_ROWS, gb18030_csv, government_workbook, make_ledger

TODAY = dt.date(2025, 4, 1)


def _yaml(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8")


def test_government_template_dry_run_plans_and_writes_nothing(tmp_path: Path) -> None:
    root = make_ledger(tmp_path / "ledger")
    xlsx = government_workbook(tmp_path / "2025台账.xlsx")
    result = import_file(root, xlsx, dry_run=True, today=TODAY)
    assert not result.blocked, result.diagnostics
    assert result.imported == {"hazards": 3}
    assert [f.path for f in result.files] == [
        "hazards/2025/H-2025-002.yaml",
        "hazards/2025/H-2025-003.yaml",
        "hazards/2025/H-2025-004.yaml",
    ]
    assert not (root / "hazards" / "2025").exists()
    first, second, third = (f.text for f in result.files)
    # a date cell, text 2025年3月1日, a two-row merged header (整改情况 / 完成日期), name -> id
    assert "found_on: 2025-02-18\n" in first
    assert "deadline: 2025-03-01\n" in first
    assert "measures: 更换灭火器12具\n" in first
    assert "rectified_on: 2025-02-26\n" in first
    assert "verified_on: 2025-03-01\n" in first and "verified_by: 赵敏\n" in first
    assert "enterprise: E001\n" in first and "level: general\n" in first
    assert first.startswith(
        "# imported by safeledger import from 2025台账.xlsx, sheet '隐患台账', row 5\n"
    )
    # an Excel serial (45717) in a date column; a multi-line cell as a block scalar
    assert "found_on: 2025-03-01\n" in second and "enterprise: E002\n" in second
    assert "description: |-\n  私拉乱接电线\n  插座超负荷\n" in second
    # 2025.03.05 text; formula-looking text stays text
    assert "found_on: 2025-03-05\n" in third and "description: =楼道内电动自行车充电\n" in third
    # the 合计 and 填表人 rows are skipped with a note, the blank row silently
    assert any("合计" in n for n in result.notes) and any("填表人" in n for n in result.notes)


def test_import_writes_files_that_pass_check(tmp_path: Path) -> None:
    root = make_ledger(tmp_path / "ledger")
    xlsx = government_workbook(tmp_path / "2025台账.xlsx")
    result = import_file(root, xlsx, today=TODAY)
    assert result.written
    assert (root / "hazards/2025/H-2025-004.yaml").is_file()
    checked = check_ledger(root, as_of=TODAY, today=TODAY)
    assert checked.errors == 0, [d.message for d in checked.diagnostics]
    assert checked.records["hazards"] == 4
    # importing the same file again: the rows have no ids, so they get new ones; a file
    # with ids collides instead (see below).  Nothing already written is replaced.
    again = import_file(root, xlsx, today=TODAY)
    assert next(f.path for f in again.files) == "hazards/2025/H-2025-005.yaml"


def test_bad_rows_are_reported_with_sheet_row_column_and_nothing_is_written(tmp_path: Path) -> None:
    root = make_ledger(tmp_path / "ledger")
    rows = [
        *GOOD_ROWS[:1],
        [
            "3/1/2025",
            "和平物业",
            "车库",
            "消防设施",
            "一般",
            "消防通道堵塞",
            "李强",
            "2025-03-10",
            None,
            None,
            None,
            None,
            None,
        ],
        [
            dt.datetime(2025, 3, 2),
            "新开饭店",
            "后厨",
            "燃气",
            "较大",
            "燃气报警器损坏",
            "王五",
            "2025-03-12",
            None,
            None,
            None,
            None,
            None,
        ],
    ]
    xlsx = government_workbook(tmp_path / "bad.xlsx", rows)
    result = import_file(root, xlsx, today=TODAY)
    assert result.blocked and not result.written and result.exit_code == 1
    assert not (root / "hazards" / "2025").exists()
    by_code = {d.code: d for d in result.diagnostics if d.severity == "error"}
    date = by_code["date-format"]
    assert (date.file, date.line, date.column) == (str(xlsx), 6, 2)
    assert date.message.startswith(
        "sheet '隐患台账', row 6, column B (检查日期): found_on (发现日期)"
    )
    assert "2025年3月1日" in date.message  # says which forms are accepted
    ent = [d for d in result.diagnostics if d.code == "import-enterprise"]
    assert {d.line for d in ent} == {6, 7}
    assert "did you mean '和平物业管理有限公司' (E001)?" in ent[0].message
    assert "column C (单位名称)" in ent[0].message
    level = by_code["enum"]
    assert level.line == 7 and level.column == 6 and "较大" in level.message

    partial = import_file(root, xlsx, today=TODAY, skip_bad=True)
    assert partial.written and partial.exit_code == 0
    assert partial.imported == {"hazards": 1}
    assert partial.skipped == ["sheet '隐患台账', row 6", "sheet '隐患台账', row 7"]
    assert [f.path for f in partial.files] == ["hazards/2025/H-2025-002.yaml"]


def test_id_collisions_with_the_ledger_and_inside_the_file(tmp_path: Path) -> None:
    root = make_ledger(tmp_path / "ledger")
    csv = tmp_path / "ids.csv"
    header = "隐患编号,发现日期,责任单位,隐患部位,隐患类别,隐患等级,隐患描述,整改责任人,整改期限"
    csv.write_text(
        header + "\n"
        "H-2025-001,2025-03-01,E001,1号楼,消防设施,一般,重复,李强,2025-03-10\n"
        "H-2025-009,2025-03-01,E001,2号楼,消防设施,一般,新的,李强,2025-03-10\n"
        "H-2025-009,2025-03-02,E001,3号楼,消防设施,一般,又一个,李强,2025-03-10\n",
        encoding="utf-8",
    )
    result = import_file(root, csv, today=TODAY)
    assert result.blocked
    codes = [(d.code, d.line, d.column) for d in result.diagnostics if d.severity == "error"]
    assert codes == [("import-id-exists", 2, 1), ("import-id-duplicate", 4, 1)]
    exists = result.diagnostics[0]
    assert "hazards/H-2025-001.yaml" in exists.message and "never overwrites" in exists.message
    assert "line 3" in result.diagnostics[1].message
    assert _yaml(root, "hazards/H-2025-001.yaml").startswith("id: H-2025-001")


def test_gb18030_csv_with_chinese_headers(tmp_path: Path) -> None:
    root = make_ledger(tmp_path / "ledger")
    csv = gb18030_csv(tmp_path / "导出.csv")
    result = import_file(root, csv, today=TODAY, layout="single")
    assert not result.blocked, [d.message for d in result.diagnostics]
    (planned,) = result.files
    assert planned.path == "hazards/imported-导出.yaml"
    text = _yaml(root, planned.path)
    assert text.startswith("# imported by safeledger import from 导出.csv\n")
    assert "# line 2\n- id: H-2025-002\n  found_on: 2025-03-02\n" in text
    assert "  location: 后门, 疏散通道\n" in text
    assert "  notes: 已口头提醒\n" in text
    assert check_ledger(root, as_of=TODAY, today=TODAY).errors == 0
    # the same file again: the single file exists already
    again = import_file(root, csv, today=TODAY, layout="single")
    assert again.blocked and again.diagnostics[-1].code == "import-file-exists"


def test_csv_errors_name_the_line_and_column(tmp_path: Path) -> None:
    root = make_ledger(tmp_path / "ledger")
    rows = ["1,2025/13/2,E001,配电间,电气线路,一般,配电箱未上锁,李强,2025/3/12,,,"]
    result = import_file(root, gb18030_csv(tmp_path / "x.csv", rows), today=TODAY)
    (err,) = [d for d in result.diagnostics if d.severity == "error"]
    assert (err.line, err.column, err.code) == (2, 2, "date-format")
    assert err.message.startswith("line 2, column 2 (排查日期): found_on (发现日期):")


def test_read_only_mode_still_finds_the_two_row_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "READ_ONLY_ABOVE", 0)
    root = make_ledger(tmp_path / "ledger")
    xlsx = government_workbook(tmp_path / "big.xlsx")
    result = import_file(root, xlsx, dry_run=True, today=TODAY)
    assert not result.blocked, [d.message for d in result.diagnostics]
    assert "measures: 更换灭火器12具\n" in result.files[0].text
    assert "rectified_on: 2025-02-26\n" in result.files[0].text


def test_missing_required_column_is_one_clear_error(tmp_path: Path) -> None:
    root = make_ledger(tmp_path / "ledger")
    csv = tmp_path / "short.csv"
    csv.write_text(
        "检查日期,单位名称,隐患内容,整改时限\n2025-03-01,E001,漏水,2025-03-09\n", encoding="utf-8"
    )
    result = import_file(root, csv, today=TODAY)
    missing = sorted(d.field or "" for d in result.diagnostics if d.code == "import-missing-column")
    assert missing == ["category", "level", "location", "responsible"]
    assert result.blocked


def test_no_header_row(tmp_path: Path) -> None:
    root = make_ledger(tmp_path / "ledger")
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["甲", "乙"])
    ws.append([1, 2])
    wb.save(tmp_path / "none.xlsx")
    result = import_file(root, tmp_path / "none.xlsx", today=TODAY)
    assert result.blocked and result.diagnostics[0].code == "import-header"


def test_funds_in_ten_thousand_yuan_and_unknown_columns(tmp_path: Path) -> None:
    root = make_ledger(tmp_path / "ledger")
    csv = tmp_path / "funds.csv"
    csv.write_text(
        "发现日期,责任单位,隐患部位,隐患类别,隐患等级,隐患描述,整改责任人,整改期限,整改资金（万元）,整改情况,联系人\n"
        "2025-03-01,E001,泵房,消防设施,一般,水泵故障,李强,2025-03-09,1.5,整改中,老王\n",
        encoding="utf-8",
    )
    result = import_file(root, csv, today=TODAY, dry_run=True)
    assert "funds: 15000\n" in result.files[0].text
    warnings = [d.message for d in result.diagnostics if d.code == "import-column"]
    assert len(warnings) == 2 and "computes the status" in warnings[0] and "联系人" in warnings[1]


def test_unsupported_files(tmp_path: Path) -> None:
    root = make_ledger(tmp_path / "ledger")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(SafeledgerError, match=r"old-style \.xls"):
        import_file(root, tmp_path / "old.xls", today=TODAY)
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(SafeledgerError, match=r"cannot read broken\.xlsx"):
        import_file(root, tmp_path / "broken.xlsx", today=TODAY)


@pytest.mark.parametrize(
    ("value", "excel", "expected"),
    [
        ("2025-03-01", False, dt.date(2025, 3, 1)),
        ("2025/3/1", False, dt.date(2025, 3, 1)),
        ("2025.03.01", False, dt.date(2025, 3, 1)),
        ("2025年3月1日", False, dt.date(2025, 3, 1)),
        ("2025年3月1号", False, dt.date(2025, 3, 1)),
        ("２０２５／３／１", False, dt.date(2025, 3, 1)),
        ("20250301", False, dt.date(2025, 3, 1)),
        ("2025-03-01 00:00:00", False, dt.date(2025, 3, 1)),
        (45717, True, dt.date(2025, 3, 1)),
        (45717.0, True, dt.date(2025, 3, 1)),
        (dt.datetime(2025, 3, 1, 9, 30), True, dt.date(2025, 3, 1)),
    ],
)
def test_import_date_forms(value: object, excel: bool, expected: dt.date) -> None:
    assert import_date(value, from_excel_cell=excel) == expected


@pytest.mark.parametrize("value", ["3/1/2025", "2025-13-01", "明天", -5, 45717])
def test_import_date_rejects(value: object) -> None:
    with pytest.raises(DateFormError, match="accepted"):
        import_date(value, from_excel_cell=value == -5)


def test_id_allocator_continues_per_year() -> None:
    alloc = IdAllocator("H-{year}-{seq:03d}", ["H-2025-007", "H-2024-120", "X-1"])
    assert [alloc.next(2025), alloc.next(2025), alloc.next(2024), alloc.next(2026)] == [
        "H-2025-008",
        "H-2025-009",
        "H-2024-121",
        "H-2026-001",
    ]
    assert IdAllocator("E{seq:03d}", ["E025"]).next(None) == "E026"
    with pytest.raises(SafeledgerError, match="only"):
        IdAllocator("H-{community}-{seq}", [])


def test_cli_import_dry_run_and_errors(tmp_path: Path) -> None:
    root = make_ledger(tmp_path / "ledger")
    xlsx = government_workbook(tmp_path / "t.xlsx")
    runner = CliRunner()
    out = runner.invoke(app, ["import", str(xlsx), "--into", str(root), "--dry-run"])
    assert out.exit_code == 0, out.output
    assert "--- would write hazards/2025/H-2025-002.yaml" in out.stdout
    assert "id: H-2025-004" in out.stdout
    assert not (root / "hazards" / "2025").exists()
    bad = government_workbook(tmp_path / "b.xlsx", [["明天", *GOOD_ROWS[0][1:]]])
    out = runner.invoke(app, ["import", str(bad), "--into", str(root)])
    assert out.exit_code == 1
    out = runner.invoke(app, ["import", str(tmp_path / "nope.xlsx"), "--into", str(root)])
    assert out.exit_code == 2
    out = runner.invoke(app, ["import", str(xlsx), "--into", str(root), "--kind", "hazards"])
    assert out.exit_code == 0 and "wrote hazards/2025/H-2025-002.yaml" in out.stdout
