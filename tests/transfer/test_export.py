from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from safeledger.api import check_ledger, load_ledger
from safeledger.cli.app import app
from safeledger.errors import SafeledgerError
from safeledger.read import read_ledger
from safeledger.transfer.exporter import export_ledger, ledger_records
from safeledger.transfer.importer import import_file
from tests.transfer.helpers import make_ledger

TODAY = dt.date(2025, 6, 30)
REPO = Path(__file__).resolve().parents[2]

RICH_HAZARDS = """\
- id: H-2025-002
  found_on: 2025-03-01
  found_by: 刘洋
  source: 四不两直
  enterprise: E001
  community: 和平社区
  location: 地下车库
  category: 消防设施
  level: major
  description: 喷淋系统瘫痪
  measures: 更换报警阀组
  interim_measures: 安排专人巡查
  plan: 治理方案见附件
  responsible: 李强
  funds: 3500.50
  deadline: 2025-03-31
  extensions:
    - to: 2025-04-30
      approved_by: 陈静
      on: 2025-03-28
      reason: 配件缺货
  rectified_on: 2025-04-25
  verified_on: 2025-05-06
  verified_by: 赵敏
  reinspections:
    - on: 2025-04-28
      by: 赵敏
      result: fail
      note: 末端试水压力不足
  reported_on: 2025-03-02
  evidence: [evidence/a.jpg, evidence/b.jpg]
  notes: 重点跟踪
- id: H-2025-003
  found_on: 2025-05-01
  enterprise: E002
  location: 收银台
  category: 电气线路
  level: general
  description: "=HYPERLINK(\\"http://evil.example\\",\\"点击\\")"
  responsible: "+8613900000000"
  deadline: 2025-05-10
  notes: "-1 @SUM(A1) \\tTab"
"""

ACTIVITIES = """\
- id: A-2025-0001
  kind: inspection
  date: 2025-03-01
  enterprise: E001
  led_by: 张伟
  principal_led: true
  scope: 消防专项
  hazards: [H-2025-002]
- id: A-2025-0002
  kind: drill
  date: 2025-04-01
  enterprise: E001
  drill_type: evacuation
  participants: 45
- id: A-2025-0003
  kind: maintenance
  date: 2025-04-02
  enterprise: E001
  facility: hydrant
  result: fault
  note: 3号栓漏水
"""

CERTS = """\
  facilities: [hydrant, extinguisher]
  high_risk: true
  certificates:
    - holder: 严鹏
      type: 电工证
      number: T-1
      expires_on: 2027-04-17
"""


def rich_ledger(root: Path) -> Path:
    make_ledger(root)
    ents = (root / "enterprises" / "list.yaml").read_text(encoding="utf-8")
    ents = ents.replace("  principal: 张伟\n", "  principal: 张伟\n" + CERTS, 1)
    (root / "enterprises" / "list.yaml").write_text(ents, encoding="utf-8")
    (root / "hazards" / "more.yaml").write_text(RICH_HAZARDS, encoding="utf-8")
    (root / "activities" / "a.yaml").write_text(ACTIVITIES, encoding="utf-8")
    (root / "evidence").mkdir()
    for name in ("a.jpg", "b.jpg"):
        (root / "evidence" / name).write_bytes(b"jpg")
    result = check_ledger(root, as_of=TODAY, today=TODAY, compliance=False)
    assert result.errors == 0, [d.message for d in result.diagnostics]
    return root


def fresh_ledger(src: Path, dst: Path) -> Path:
    dst.mkdir()
    shutil.copy(src / "safeledger.yaml", dst / "safeledger.yaml")
    if (src / "evidence").is_dir():
        shutil.copytree(src / "evidence", dst / "evidence")
    return dst


def records_of(root: Path) -> dict[str, dict[str, object]]:
    by_kind, bad = ledger_records(read_ledger(root))
    assert bad == 0
    return {f"{k}:{r.id}": r for k, recs in by_kind.items() for r in recs}  # type: ignore[attr-defined]


def test_xlsx_round_trip_gives_back_every_field(tmp_path: Path) -> None:
    src = rich_ledger(tmp_path / "src")
    out = tmp_path / "all.xlsx"
    export_ledger(src, fmt="xlsx", output=out, today=TODAY)
    assert load_workbook(out).sheetnames == ["单位", "隐患", "活动"]
    dst = fresh_ledger(src, tmp_path / "dst")
    result = import_file(dst, out, today=TODAY)
    assert result.written, [d.message for d in result.diagnostics]
    assert result.imported == {"enterprises": 2, "hazards": 3, "activities": 3}
    before, after = records_of(src), records_of(dst)
    assert before.keys() == after.keys()
    for key, record in before.items():
        assert after[key] == record, key  # pydantic models: every field equal
    assert check_ledger(dst, as_of=TODAY, today=TODAY, compliance=False).errors == 0


@pytest.mark.parametrize("headers", ["zh", "en"])
def test_csv_round_trip_for_the_fields_csv_carries(tmp_path: Path, headers: str) -> None:
    src = rich_ledger(tmp_path / "src")
    dst = fresh_ledger(src, tmp_path / "dst")
    for kind in ("enterprises", "hazards", "activities"):
        out = tmp_path / f"{kind}.csv"
        export_ledger(src, fmt="csv", kind=kind, headers=headers, output=out, today=TODAY)  # type: ignore[arg-type]
        result = import_file(dst, out, kind=kind, today=TODAY)
        assert result.written, [d.message for d in result.diagnostics]
    before, after = records_of(src), records_of(dst)
    assert before.keys() == after.keys()
    not_in_csv = {"reinspections", "amendments", "certificates", "extensions"}
    for key, record in before.items():
        for name in type(record).model_fields:  # type: ignore[attr-defined]
            if name not in not_in_csv:
                assert getattr(after[key], name) == getattr(record, name), (key, name)
        if key.startswith("hazards:") and record.extensions:  # type: ignore[attr-defined]
            # the CSV keeps only the latest extension date
            assert [e.to for e in after[key].extensions] == [record.extensions[-1].to]  # type: ignore[attr-defined]


def test_csv_is_utf8_with_bom_and_neutralises_formulas(tmp_path: Path) -> None:
    src = rich_ledger(tmp_path / "src")
    data = export_ledger(src, fmt="csv", today=TODAY).data
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))
    header = rows[0]
    assert header[:3] == ["隐患编号", "发现日期", "排查人"] and "延期至" in header
    assert "复查记录" not in header
    hostile = next(r for r in rows if r[0] == "H-2025-003")
    row = dict(zip(header, hostile, strict=True))
    assert row["隐患描述"] == '\'=HYPERLINK("http://evil.example","点击")'
    assert row["整改责任人"] == "'+8613900000000"
    assert row["备注"] == "'-1 @SUM(A1) \tTab"
    major = dict(zip(header, next(r for r in rows if r[0] == "H-2025-002"), strict=True))
    assert major["延期至"] == "2025-04-30" and major["隐患等级"] == "重大事故隐患"
    assert major["佐证材料"] == "evidence/a.jpg; evidence/b.jpg" and major["整改资金"] == "3500.5"


def test_xlsx_writes_formula_text_as_text_cells(tmp_path: Path) -> None:
    src = rich_ledger(tmp_path / "src")
    out = tmp_path / "x.xlsx"
    export_ledger(src, fmt="xlsx", kind="hazards", output=out, today=TODAY)
    ws = load_workbook(out)["隐患"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "H-2025-003")
    cell = row[header.index("隐患描述")]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    assert row[header.index("整改责任人")].data_type == "s"
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere
    major = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "H-2025-002")
    assert major[header.index("发现日期")].is_date
    assert json.loads(major[header.index("复查记录")].value)[0]["result"] == "fail"


def test_exports_are_deterministic(tmp_path: Path) -> None:
    src = rich_ledger(tmp_path / "src")
    for fmt in ("xlsx", "csv", "json"):
        first = export_ledger(src, fmt=fmt, today=TODAY).data  # type: ignore[arg-type]
        second = export_ledger(src, fmt=fmt, today=TODAY).data  # type: ignore[arg-type]
        assert first == second, fmt
    data = export_ledger(src, fmt="xlsx", today=TODAY).data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b"2000-01-01T00:00:00Z" in z.read("docProps/core.xml")


def test_json_carries_canonical_records(tmp_path: Path) -> None:
    src = rich_ledger(tmp_path / "src")
    doc = json.loads(export_ledger(src, fmt="json", today=TODAY).data)
    assert doc["format"] == 1 and doc["organisation"] == "同心街道办事处"
    major = next(h for h in doc["hazards"] if h["id"] == "H-2025-002")
    assert major["source"] == "unannounced" and major["funds"] == 3500.5
    assert major["extensions"][0] == {
        "to": "2025-04-30",
        "approved_by": "陈静",
        "on": "2025-03-28",
        "reason": "配件缺货",
    }
    assert "community" not in next(h for h in doc["hazards"] if h["id"] == "H-2025-001")


def test_ledger_with_errors_is_refused(tmp_path: Path) -> None:
    src = rich_ledger(tmp_path / "src")
    (src / "hazards" / "bad.yaml").write_text("id: H-9\nfound_on: 明天\n", encoding="utf-8")
    with pytest.raises(SafeledgerError, match="error"):
        export_ledger(src, fmt="json", today=TODAY)
    result = export_ledger(src, fmt="json", today=TODAY, allow_errors=True)
    assert result.skipped == 1 and result.records["hazards"] == 3


def test_cli_export(tmp_path: Path) -> None:
    src = rich_ledger(tmp_path / "src")
    runner = CliRunner()
    out = runner.invoke(app, ["export", str(src), "--format", "csv", "--headers", "en"])
    assert out.exit_code == 0, out.output
    assert out.stdout_bytes.startswith(b"\xef\xbb\xbfid,found_on,found_by,source,enterprise")
    out = runner.invoke(app, ["export", str(src), "--format", "xlsx"])
    assert out.exit_code == 2 and "-o FILE.xlsx" in out.stderr
    target = tmp_path / "out.xlsx"
    out = runner.invoke(app, ["export", str(src), "-o", str(target)])
    assert out.exit_code == 0 and target.is_file()


@pytest.mark.slow
def test_example_ledger_round_trip(tmp_path: Path) -> None:
    example = REPO / "ledgers" / "tongxin"
    if not (example / "safeledger.yaml").is_file():
        pytest.skip("the example ledger is not there")
    loaded = load_ledger(example, today=dt.date.today())
    if loaded.errors:
        pytest.skip("the example ledger has errors")
    out = tmp_path / "tongxin.xlsx"
    export_ledger(example, fmt="xlsx", output=out, today=dt.date.today())
    dst = fresh_ledger(example, tmp_path / "dst")
    result = import_file(dst, out, today=dt.date.today(), layout="single")
    assert result.written, [d.message for d in result.diagnostics][:5]
    assert records_of(example) == records_of(dst)
