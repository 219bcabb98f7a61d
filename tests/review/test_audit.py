"""safeledger check --against REV: the audit rules on real git repositories."""

from __future__ import annotations

import datetime as dt
import json

from typer.testing import CliRunner

from safeledger.cli.app import app
from safeledger.diagnostics import Diagnostic
from safeledger.review.audit import audit_against
from tests.review.gitrepo import CLOSED, Repo, as_list, base_ledger, hazard

TODAY = dt.date(2025, 7, 1)
runner = CliRunner()
AMENDMENT = "amendments:\n  - {on: 2025-04-10, by: 王芳, reason: 更正隐患部位笔误}\n"


def codes(diags: list[Diagnostic]) -> list[tuple[str, str | None, str | None, int | None]]:
    return [(d.code, d.record, d.file, d.line) for d in diags]


def write_hazards(repo: Repo, *records: str) -> None:
    repo.write("ledger/hazards/2025.yaml", as_list(*records))


H1 = hazard("H-2025-001")
H2 = hazard("H-2025-002", rectified_on="2025-03-20", measures="更换灭火器")
H4 = hazard("H-2025-004")


def test_clean_change_has_no_audit_findings(repo: Repo) -> None:
    root = base_ledger(repo)
    write_hazards(repo, H1, hazard("H-2025-002", rectified_on="2025-03-20", measures="更换灭火器",
                                   verified_on="2025-03-28", verified_by="赵敏"),
                  hazard("H-2025-003", **CLOSED), H4, hazard("H-2025-006", found_on="2025-04-01"))
    assert audit_against(root, "main", today=TODAY) == []


def test_removed_hazard_and_activity(repo: Repo) -> None:
    root = base_ledger(repo)
    write_hazards(repo, H1, H2, hazard("H-2025-003", **CLOSED))
    repo.remove("ledger/activities/2025.yaml")
    found = audit_against(root, "main", today=TODAY)
    assert codes(found) == [
        ("audit-removed", "A-001", "activities/2025.yaml", None),
        ("audit-removed", "A-002", "activities/2025.yaml", None),
        ("audit-removed", "H-2025-004", "hazards/2025.yaml", None),
    ]
    assert all(d.severity == "error" for d in found)
    assert "it was in hazards/2025.yaml there; no line" in found[2].message
    assert found[2].hint == "`git show main:ledger/hazards/2025.yaml` shows the file as it was."


def test_closed_hazard_edited_needs_an_amendment(repo: Repo) -> None:
    root = base_ledger(repo)
    write_hazards(repo, H1, H2, hazard("H-2025-003", **{**CLOSED, "location": "4号楼车库"}), H4)
    found = audit_against(root, "main", today=TODAY)
    assert codes(found) == [("audit-closed-edited", "H-2025-003", "hazards/2025.yaml", 24)]
    assert found[0].field == "location" and found[0].column == 3
    assert "location changed since without a trace" in found[0].message

    # with an amendments entry the edit is allowed
    write_hazards(repo, H1, H2, hazard("H-2025-003", **{**CLOSED, "location": "4号楼车库"})
                  + AMENDMENT, H4)
    assert audit_against(root, "main", today=TODAY) == []


def test_amendments_may_only_grow(repo: Repo) -> None:
    base_ledger(repo)
    root = repo.path / "ledger"
    write_hazards(repo, H1, H2, hazard("H-2025-003", **CLOSED) + AMENDMENT, H4)
    repo.commit("amend H-003")
    write_hazards(repo, H1, H2, hazard("H-2025-003", **CLOSED)
                  + AMENDMENT.replace("笔误", "错误"), H4)
    found = audit_against(root, "main", today=TODAY)
    assert [(d.code, d.field) for d in found] == [("audit-closed-edited", "amendments")]


def test_open_hazard_may_be_edited(repo: Repo) -> None:
    root = base_ledger(repo)
    write_hazards(repo, hazard("H-2025-001", location="5号楼"), H2,
                  hazard("H-2025-003", **CLOSED), H4)
    assert audit_against(root, "main", today=TODAY) == []


def test_found_on_moved(repo: Repo) -> None:
    root = base_ledger(repo)
    write_hazards(repo, hazard("H-2025-001", found_on="2025-02-27"), H2,
                  hazard("H-2025-003", **CLOSED), H4)
    found = audit_against(root, "main", today=TODAY)
    assert codes(found) == [("audit-found-on-moved", "H-2025-001", "hazards/2025.yaml", 2)]
    assert found[0].severity == "error"
    # explained by an amendment: a warning
    write_hazards(repo, hazard("H-2025-001", found_on="2025-02-27") + AMENDMENT, H2,
                  hazard("H-2025-003", **CLOSED), H4)
    found = audit_against(root, "main", today=TODAY)
    assert [(d.code, d.severity) for d in found] == [("audit-found-on-moved", "warning")]


def test_id_reused_for_an_unrelated_record(repo: Repo) -> None:
    root = base_ledger(repo)
    write_hazards(repo, H1, H2, hazard("H-2025-003", **CLOSED),
                  hazard("H-2025-004", found_on="2025-05-01", enterprise="E002",
                         location="超市后门", description="消防通道堵塞", deadline="2025-05-10"))
    found = audit_against(root, "main", today=TODAY)
    assert codes(found) == [("audit-id-reused", "H-2025-004", "hazards/2025.yaml", 34)]
    assert "now names an unrelated record" in found[0].message


def test_rename_keeping_ids_is_not_an_audit_finding(repo: Repo) -> None:
    root = base_ledger(repo)
    repo.git("mv", "ledger/hazards/2025.yaml", "ledger/hazards/2025-q1.yaml")
    repo.commit("rename")
    repo.git("mv", "ledger/hazards/2025-q1.yaml", "ledger/hazards/all.yaml")
    assert audit_against(root, "main~1", today=TODAY) == []
    assert audit_against(root, "main", today=TODAY) == []


def test_check_against_cli_json_and_exit_status(repo: Repo) -> None:
    root = base_ledger(repo)
    write_hazards(repo, H1, H2, hazard("H-2025-003", **CLOSED))
    result = runner.invoke(app, ["check", str(root), "--against", "main", "--no-compliance",
                                 "--format", "json", "--as-of", "2025-06-30"])
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    audit = [d for d in doc["diagnostics"] if d["code"].startswith("audit-")]
    assert audit == [{
        "code": "audit-removed", "severity": "error", "file": "hazards/2025.yaml", "line": None,
        "column": None, "record": "H-2025-004", "field": None, "message": audit[0]["message"],
    }]
    assert doc["summary"]["errors"] == 1

    clean = runner.invoke(app, ["check", str(root), "--against", "HEAD~0", "--no-compliance"])
    assert clean.exit_code == 1  # still against main's content: HEAD is main
    bad = runner.invoke(app, ["check", str(root), "--against", "nope"])
    assert bad.exit_code == 2 and "unknown revision 'nope'" in bad.stderr


def test_check_against_github_annotations_use_repository_paths(repo: Repo) -> None:
    root = base_ledger(repo)
    write_hazards(repo, H1, H2, hazard("H-2025-003", **{**CLOSED, "measures": "换新"}), H4)
    result = runner.invoke(app, ["check", str(root), "--against", "main", "--no-compliance",
                                 "--format", "github"])
    assert result.exit_code == 1
    lines = [ln for ln in result.stdout.splitlines() if "audit-" in ln]
    assert lines == [
        "::error file=ledger/hazards/2025.yaml,line=31,col=3,title=safeledger audit-closed-edited"
        "::hazard H-2025-003 was closed (已销号) at main and measures changed since without a "
        "trace; add an entry to its amendments (修改记录) with on, by and reason [H-2025-003]"
    ]
