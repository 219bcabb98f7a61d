"""``safeledger status`` end to end, on small ledgers written into tmp_path."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import typer
from rich.cells import cell_len
from typer.testing import CliRunner, Result

from safeledger.cli import status as status_cmd

CONFIG = """\
organisation: 同心街道办事处
communities: [和平社区, 幸福社区]
domains: [居民住宅, 商业经营]
"""
ENTERPRISES = """\
- id: E1
  name: 长春和平花园物业服务有限公司
  kind: 物业企业
  principal: 张伟
  credit_code: 91220106MA0000001X
  community: 和平社区
  domain: 居民住宅
  facilities: [hydrant]
  certificates:
    - {holder: 赵六, type: 电工作业, number: T-1, expires_on: 2025-07-10}
- id: E2
  name: 幸福超市
  kind: 生产经营单位
  principal: 王芳
  community: 幸福社区
  domain: 商业经营
"""
HAZARDS = """\
- id: H-2025-001
  found_on: 2025-03-01
  enterprise: E1
  location: 3号楼车库
  category: 消防设施
  level: 一般
  description: 灭火器过期
  responsible: 李强
  deadline: 2025-03-31
- id: H-2025-002
  found_on: 2025-04-02
  enterprise: E1
  location: 地下室
  category: 电动自行车
  level: 重大事故隐患
  description: 电动自行车在地下室充电
  interim_measures: 断电、设置警示
  plan: 限期拆除充电线路
  reported_on: 2025-04-03
  responsible: 李强
  deadline: 2025-04-30
  extensions:
    - {to: 2025-07-31, approved_by: 刘主任, on: 2025-04-28, reason: 需施工}
- id: H-2025-003
  found_on: 2025-04-10
  enterprise: E2
  location: 仓库
  category: 疏散通道
  level: general
  description: 堵塞疏散通道
  measures: 清理杂物
  responsible: 王芳
  deadline: 2025-04-20
  rectified_on: 2025-04-18
  verified_on: 2025-04-19
  verified_by: 陈复查
- id: H-2025-004
  found_on: 2025-07-01
  enterprise: E2
  location: 配电室
  category: 电气线路
  level: general
  description: 私拉乱接
  responsible: 王芳
  deadline: 2025-07-15
"""
ACTIVITIES = """\
- {id: A-1, kind: inspection, date: 2025-02-10, enterprise: E1, principal_led: true}
- {id: A-2, kind: maintenance, date: 2025-05-10, enterprise: E1, facility: hydrant, result: ok}
"""


def write_ledger(root: Path, *, hazards: str = HAZARDS) -> Path:
    (root / "enterprises").mkdir(parents=True)
    (root / "hazards").mkdir()
    (root / "activities").mkdir()
    (root / "safeledger.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "enterprises" / "units.yaml").write_text(ENTERPRISES, encoding="utf-8")
    (root / "hazards" / "2025.yaml").write_text(hazards, encoding="utf-8")
    (root / "activities" / "2025.yaml").write_text(ACTIVITIES, encoding="utf-8")
    return root


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return write_ledger(tmp_path / "ledger")


def _app() -> typer.Typer:
    app = typer.Typer()
    status_cmd.register(app)

    @app.command("noop")  # a second command keeps "status" a sub-command
    def _noop() -> None:  # pragma: no cover
        pass

    return app


def run(*args: str, width: int = 80) -> Result:
    return CliRunner().invoke(_app(), ["status", *args], env={"COLUMNS": str(width)})


def test_json_exactly_the_spec_shape(ledger: Path) -> None:
    result = run(str(ledger), "--as-of", "2025-06-30", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["as_of", "hazards", "duties"]
    assert data["as_of"] == "2025-06-30"
    assert [(h["id"], h["status"], h["flags"]) for h in data["hazards"]] == [
        ("H-2025-001", "overdue", []),
        ("H-2025-002", "pending", ["extended"]),
        ("H-2025-003", "closed", []),
    ]
    h2 = data["hazards"][1]
    assert h2["deadline"] == "2025-04-30" and h2["effective_deadline"] == "2025-07-31"
    assert h2["community"] == "和平社区" and h2["domain"] == "居民住宅"  # from the enterprise
    assert h2["level"] == "major" and h2["days_left"] == 31
    duties = {(d["enterprise"], d["duty"], d["period"]): d["state"] for d in data["duties"]}
    assert duties[("E1", "principal_inspection", "2025Q1")] == "met"
    assert duties[("E1", "principal_inspection", "2025Q2")] == "gap"
    assert duties[("E1", "maintenance:hydrant", "2025Q2")] == "met"
    assert duties[("E1", "drill", "2025")] == "due"
    assert duties[("E1", "certificate", "赵六")] == "warning"
    assert duties[("E2", "principal_inspection", "2025Q1")] == "gap"
    assert "和平社区" in result.stdout  # ensure_ascii=False


def test_the_overdue_question_of_the_issue(ledger: Path) -> None:
    result = run(str(ledger), "--as-of", "2025-06-30", "--community", "和平社区",
                 "--status", "overdue", "--format", "json")
    data = json.loads(result.stdout)
    assert [h["id"] for h in data["hazards"]] == ["H-2025-001"]
    assert data["hazards"][0]["days_overdue"] == 91
    assert {d["enterprise"] for d in data["duties"]} == {"E1"}


def test_chinese_status_names_and_repeated_filters(ledger: Path) -> None:
    result = run(str(ledger), "--as-of", "2025-06-30", "--status", "已销号", "--status", "整改中",
                 "--format", "json")
    data = json.loads(result.stdout)
    assert [h["id"] for h in data["hazards"]] == ["H-2025-002", "H-2025-003"]


def test_table_fits_80_columns(ledger: Path) -> None:
    result = run(str(ledger), "--as-of", "2025-06-30")
    out = result.stdout
    assert result.exit_code == 0
    lines = out.splitlines()
    assert all(cell_len(line) <= 80 for line in lines), out
    assert "逾期未整改" in out and "整改中" in out and "已销号" in out
    assert "逾期91天" in out and "2025-07-31↗" in out
    assert "H-2025-004" not in out  # found after the as-of date
    assert "逾期未整改 1 · 整改中 1 · 已整改待复查 0 · 已销号 1 · 共 3 条" in out


def test_duty_table(ledger: Path) -> None:
    result = run(str(ledger), "--as-of", "2025-06-30", "--duties", "--enterprise", "E2")
    out = result.stdout
    assert result.exit_code == 0, out
    assert all(cell_len(line) <= 80 for line in out.splitlines()), out
    assert "本季度未开展主要负责人带队检查" in out
    assert "E1" not in out


def test_csv_has_bom_and_the_rows(ledger: Path) -> None:
    result = CliRunner().invoke(_app(), ["status", str(ledger), "--as-of", "2025-06-30",
                                         "--format", "csv"])
    assert result.exit_code == 0
    raw = result.stdout_bytes
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == ["H-2025-001", "H-2025-002", "H-2025-003"]
    assert rows[0]["status"] == "overdue" and rows[0]["status_label"] == "逾期未整改"
    assert rows[1]["flags"] == "extended" and rows[1]["effective_deadline"] == "2025-07-31"


def test_duties_csv(ledger: Path) -> None:
    result = CliRunner().invoke(_app(), ["status", str(ledger), "--as-of", "2025-06-30",
                                         "--format", "csv", "--duties"])
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    assert {"enterprise", "duty", "period", "state", "detail"} <= set(rows[0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--status", "done"], "pending (整改中)"),
        (["--level", "huge"], "general"),
        (["--as-of", "3/1/2025"], "2025-03-01"),
        (["--community", "和平村"], "和平社区, 幸福社区"),
        (["--enterprise", "E9"], "E1, E2"),
    ],
)
def test_usage_errors_exit_2_without_traceback(ledger: Path, args: list[str],
                                               message: str) -> None:
    result = run(str(ledger), *args)
    assert result.exit_code == 2
    err = " ".join(result.stderr.split())
    assert message in err
    assert "Traceback" not in result.output


def test_no_ledger_exits_2(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_ledger_with_errors_still_shows_status_and_a_note(tmp_path: Path) -> None:
    broken = HAZARDS + """\
- id: H-2025-009
  found_on: 2025/13/40
  enterprise: E1
"""
    root = write_ledger(tmp_path / "ledger", hazards=broken)
    result = run(str(root), "--as-of", "2025-06-30", "--format", "json")
    assert result.exit_code == 0
    assert "error(s)" in result.stderr and "safeledger check" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    ids = [h["id"] for h in json.loads(result.stdout)["hazards"]]
    assert ids == ["H-2025-001", "H-2025-002", "H-2025-003"]


def test_default_ledger_is_found_upward(ledger: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ledger / "hazards")
    result = run("--as-of", "2025-06-30", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["as_of"] == "2025-06-30"


def test_registered_in_the_main_app() -> None:
    from safeledger.cli.app import app

    names = {c.name for c in app.registered_commands}
    assert "status" in names
