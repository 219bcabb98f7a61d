"""``safeledger report`` on a ledger written to disk in the test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safeledger.cli.app import app
from safeledger.cli.report import git_source
from tests.report.helpers import write_ledger_files

runner = CliRunner()


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    root = tmp_path / "ledger"
    write_ledger_files(root)
    return root


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["report", *args])
    return result.exit_code, result.stdout, result.stderr


def test_markdown_to_stdout(ledger: Path) -> None:
    code, out, err = run(str(ledger), "--quarter", "2025Q2")
    assert code == 0, err
    assert out.startswith("# 同心街道办事处2025年第2季度安全生产工作情况报告")
    assert "| 整改率 | 50.0% |" in out
    assert "非 git 版本库" in out  # the test ledger is not in git


def test_same_as_golden(ledger: Path) -> None:
    _, out, _ = run(str(ledger), "--quarter", "2025-Q2")
    golden = (Path(__file__).parent / "golden" / "quarterly-2025Q2.md").read_text("utf-8")
    # the golden file was rendered with a fixed commit; the rest is identical
    assert out.split("> 数据来源")[0] == golden.split("> 数据来源")[0]


@pytest.mark.parametrize(
    ("name", "magic"),
    [
        ("r.docx", b"PK"),
        ("r.xlsx", b"PK"),
        ("r.html", b"<!DOCTYPE html>"),
        ("r.json", b"{"),
        ("r.md", b"# "),
    ],
)
def test_format_from_extension(ledger: Path, tmp_path: Path, name: str, magic: bytes) -> None:
    out = tmp_path / name
    code, _, err = run(str(ledger), "--quarter", "2025Q2", "-o", str(out))
    assert code == 0, err
    assert out.read_bytes().startswith(magic)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_json_format_option(ledger: Path) -> None:
    code, out, _ = run(str(ledger), "--month", "2025-05", "--format", "json", "--kind", "tracking")
    assert code == 0
    data = json.loads(out)
    assert data["period"]["label"] == "2025-05" and data["kind"] == "tracking"
    assert data["figures"]["found"]["total"] == 2  # H3 H4


def test_kind_defaults_from_period(ledger: Path) -> None:
    code, out, _ = run(str(ledger), "--year", "2025", "--format", "json")
    assert code == 0 and json.loads(out)["kind"] == "annual"
    code, out, _ = run(
        str(ledger), "--from", "2025-04-01", "--to", "2025-05-31", "--format", "json"
    )
    assert code == 0 and json.loads(out)["kind"] == "quarterly"
    assert json.loads(out)["period"]["label"] == "2025-04-01/2025-05-31"


def test_binary_format_needs_output(ledger: Path) -> None:
    code, out, err = run(str(ledger), "--quarter", "2025Q2", "--format", "docx")
    assert code == 2 and out == "" and "-o" in err


@pytest.mark.parametrize(
    "args",
    [
        ["--quarter", "2025Q9"],
        [],
        ["--quarter", "2025Q2", "--month", "2025-05"],
        ["--quarter", "2025Q2", "-o", "report.pdf"],
        ["--quarter", "2025Q2", "--template", "nope"],
    ],
)
def test_usage_errors_exit_2(ledger: Path, args: list[str]) -> None:
    code, _, err = run(str(ledger), *args)
    assert code == 2 and "error:" in err and "Traceback" not in err


def test_hostile_template_exit_2(ledger: Path) -> None:
    (ledger / "templates").mkdir()
    (ledger / "templates" / "evil.md.j2").write_text("{{ ''.__class__.__mro__ }}", "utf-8")
    code, out, err = run(str(ledger), "--quarter", "2025Q2", "--template", "evil")
    assert code == 2 and out == ""
    assert "evil.md.j2" in err and "sandbox" in err


def test_failed_render_leaves_no_file(ledger: Path, tmp_path: Path) -> None:
    (ledger / "templates").mkdir()
    (ledger / "templates" / "quarterly.md.j2").write_text("{{ nope }}", "utf-8")
    out = tmp_path / "report.md"
    out.write_text("previous report", "utf-8")
    code, _, _ = run(str(ledger), "--quarter", "2025Q2", "-o", str(out))
    assert code == 2
    assert out.read_text("utf-8") == "previous report"
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["report.md"]


def test_quarter_last_is_relative_to_today(ledger: Path) -> None:
    code, out, _ = run(str(ledger), "--quarter", "last", "--format", "json")
    assert code == 0
    label = json.loads(out)["period"]["label"]
    assert len(label) == 6 and label[4] == "Q"


def test_git_source_outside_git(tmp_path: Path) -> None:
    source = git_source(tmp_path)
    assert source.commit is None and source.dirty is False


def test_git_source_in_a_repository(tmp_path: Path) -> None:
    import shutil
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@e",
        "PATH": __import__("os").environ["PATH"],
        "HOME": str(tmp_path),
    }
    write_ledger_files(tmp_path)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, env=env)
    subprocess.run(["git", "-C", str(tmp_path), "add", "."], check=True, env=env)
    subprocess.run(["git", "-C", str(tmp_path), "commit", "-qm", "x"], check=True, env=env)
    clean = git_source(tmp_path)
    assert clean.commit and len(clean.commit) == 40 and clean.dirty is False
    (tmp_path / "hazards" / "new.yaml").write_text("[]", "utf-8")
    assert git_source(tmp_path).dirty is True
