"""`safeledger check` through the CLI, on small ledgers written in the test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safeledger.cli.app import app
from safeledger.model.credit_code import check_character

runner = CliRunner()
CODE = "91220106MA0000001" + check_character("91220106MA0000001")


def write_ledger(root: Path, hazards: str | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "safeledger.yaml").write_text(
        "organisation: 同心街道办事处\ncommunities: [和平社区]\n", encoding="utf-8"
    )
    (root / "enterprises").mkdir(exist_ok=True)
    (root / "enterprises" / "e.yaml").write_text(
        f"id: E001\nname: 和平物业\nkind: 物业企业\nprincipal: 张伟\ncredit_code: {CODE}\n"
        "community: 和平社区\n",
        encoding="utf-8",
    )
    (root / "hazards").mkdir(exist_ok=True)
    (root / "hazards" / "h.yaml").write_text(
        hazards
        or (
            "# a comment line\n"
            "id: H-2025-001\n"
            "found_on: 2025-03-01\n"
            "enterprise: E001\n"
            "location: 车库\n"
            "category: 消防设施\n"
            "level: 一般隐患\n"
            "description: 灭火器过期\n"
            "responsible: 李强\n"
            "deadline: 2025-03-15\n"
        ),
        encoding="utf-8",
    )
    return root


def check(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_clean_ledger_exits_0(tmp_path: Path) -> None:
    root = write_ledger(tmp_path / "l")
    code, out = check(str(root), "--as-of", "2025-03-10")
    assert code == 0
    assert out.strip().endswith("(as of 2025-03-10)") and "0 error(s), 0 warning(s)" in out


def test_json_output_has_the_spec_shape(tmp_path: Path) -> None:
    root = write_ledger(tmp_path / "l", hazards="id: H1\nfound_on: 3/1/2025\n")
    code, out = check(str(root), "--format", "json", "--as-of", "2025-03-10")
    assert code == 1
    doc = json.loads(out)
    assert set(doc) == {"ledger", "as_of", "diagnostics", "summary"}
    assert doc["as_of"] == "2025-03-10"
    assert doc["summary"]["records"] == {"enterprises": 1, "hazards": 1, "activities": 0}
    first = doc["diagnostics"][0]
    assert set(first) == {
        "code",
        "severity",
        "file",
        "line",
        "column",
        "record",
        "field",
        "message",
    }
    date_diag = next(d for d in doc["diagnostics"] if d["code"] == "date-format")
    assert date_diag == {
        "code": "date-format",
        "severity": "error",
        "file": "hazards/h.yaml",
        "line": 2,
        "column": 1,
        "record": "H1",
        "field": "found_on",
        "message": date_diag["message"],
    }
    assert doc["summary"]["errors"] == sum(d["severity"] == "error" for d in doc["diagnostics"])


def test_warnings_pass_but_fail_with_strict(tmp_path: Path) -> None:
    root = write_ledger(tmp_path / "l")
    # As of 2025-06-30 the hazard is overdue: a compliance warning.
    code, out = check(str(root), "--as-of", "2025-06-30")
    assert code == 0 and "overdue" in out
    code, _ = check(str(root), "--as-of", "2025-06-30", "--strict")
    assert code == 1
    code, _ = check(str(root), "--as-of", "2025-06-30", "--strict", "--no-compliance")
    assert code == 0


def test_github_annotations(tmp_path: Path) -> None:
    root = write_ledger(tmp_path / "l", hazards="id: H1\nlevel: 严重\n")
    code, out = check(str(root), "--format", "github", "--as-of", "2025-03-10")
    assert code == 1
    line = next(x for x in out.splitlines() if "title=safeledger enum" in x)
    assert line.startswith("::error file=hazards/h.yaml,line=2,col=1,")
    assert line.endswith("[H1]")


def test_ledger_found_upward_from_a_subfolder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_ledger(tmp_path / "l")
    monkeypatch.chdir(root / "hazards")
    code, _ = check("--as-of", "2025-03-10")
    assert code == 0


def test_no_ledger_is_exit_2_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2
    assert "safeledger.yaml" in result.output


def test_bad_as_of_is_exit_2(tmp_path: Path) -> None:
    root = write_ledger(tmp_path / "l")
    result = runner.invoke(app, ["check", str(root), "--as-of", "yesterday"])
    assert result.exit_code == 2 and "2025年3月1日" in result.output


@pytest.mark.parametrize(
    ("content", "code", "line"),
    [
        ("id: H1\nlocation: [unclosed\n", "yaml-syntax", 2),
        ("id: H1\n\tfound_on: 2025-03-01\n", "yaml-syntax", 1),
        ("id: H1\nextensions:\n\t- to: 2025-04-01\n", "yaml-syntax", 3),
        ("id: H1\nid: H2\n", "duplicate-key", 2),
        ("id: H1\nfound_on: 2025-13-01\n", "date-format", 2),
        ("- 1\n- 2\n", "not-a-record", 1),
        ("id: H1\nlevel: 一般\n隐患等级: 重大\n", "both-languages", 3),
    ],
)
def test_broken_files_give_a_diagnostic_with_a_line(
    tmp_path: Path, content: str, code: str, line: int
) -> None:
    root = write_ledger(tmp_path / "l", hazards=content)
    _, out = check(str(root), "--format", "json", "--as-of", "2025-03-10")
    diags = json.loads(out)["diagnostics"]
    hit = [d for d in diags if d["code"] == code]
    assert hit, diags
    assert hit[0]["line"] == line and hit[0]["file"] == "hazards/h.yaml"


def test_same_ledger_same_output(tmp_path: Path) -> None:
    root = write_ledger(tmp_path / "l", hazards="- id: H1\n- id: H2\n  level: x\n")
    outs = {check(str(root), "--format", "json", "--as-of", "2025-03-10")[1] for _ in range(3)}
    assert len(outs) == 1


def test_python_dash_m_runs_the_cli() -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "safeledger", "--help"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and "check" in proc.stdout
