"""safeledger log ID: a record's history through commits, renames and branches."""

from __future__ import annotations

import datetime as dt
import json

from typer.testing import CliRunner

from safeledger.cli.app import app
from safeledger.review.log import record_history
from tests.review.gitrepo import CLOSED, Repo, as_list, base_ledger, hazard

runner = CliRunner()
AS_OF = dt.date(2025, 6, 30)
WANG = ("王芳", "wangfang@example.cn")


def history_repo(repo: Repo):
    root = base_ledger(repo)
    # 2: H-001 rectified (by 王芳)
    repo.write("ledger/hazards/2025.yaml", as_list(
        hazard("H-2025-001", rectified_on="2025-03-20", measures="更换灭火器"),
        hazard("H-2025-002", rectified_on="2025-03-20", measures="更换灭火器"),
        hazard("H-2025-003", **CLOSED),
        hazard("H-2025-004"),
    ))
    repo.commit("H-001 整改完成", author=WANG)
    # 3: H-001 moved into its own file, keys in Chinese (no change of meaning)
    repo.write("ledger/hazards/2025.yaml", as_list(
        hazard("H-2025-002", rectified_on="2025-03-20", measures="更换灭火器"),
        hazard("H-2025-003", **CLOSED),
        hazard("H-2025-004"),
    ))
    repo.write("ledger/hazards/2025/H-2025-001.yaml", (
        "隐患编号: H-2025-001\n发现日期: 2025/3/1\n责任单位: E001\n隐患部位: 3号楼车库\n"
        "隐患类别: 消防设施\n隐患等级: 一般\n隐患描述: 灭火器过期 H-2025-001\n整改责任人: 李强\n"
        "整改期限: 2025-03-31\n整改完成日期: 2025-03-20\n整改措施: 更换灭火器\n"))
    repo.commit("split hazards into files")
    # 4: an unrelated change: not in H-001's history
    enterprises = (root / "enterprises/all.yaml").read_text(encoding="utf-8")
    repo.write("ledger/enterprises/all.yaml", enterprises + "  address: 幸福路1号\n")
    repo.commit("address")
    # 5: the moved file renamed again, and H-001 verified
    repo.git("mv", "ledger/hazards/2025/H-2025-001.yaml", "ledger/hazards/2025/q1-001.yaml")
    repo.write("ledger/hazards/2025/q1-001.yaml",
               (root / "hazards/2025/q1-001.yaml").read_text(encoding="utf-8")
               + "复查日期: 2025-03-28\n复查人: 赵敏\n")
    repo.commit("H-001 复查销号", author=WANG)
    return root


def test_history_follows_renames(repo: Repo) -> None:
    root = history_repo(repo)
    history = record_history(root, "H-2025-001", as_of=AS_OF)
    got = [(e.subject, e.author, e.date, e.action, e.file_from, e.file_to,
            [c.field for c in e.changes], e.status_from, e.status_to) for e in history.entries]
    assert got == [
        ("建账 / start the ledger", "张伟", "2025-04-02T09:00:00+08:00", "created", None,
         "hazards/2025.yaml", ["id", "found_on", "enterprise", "location", "category", "level",
                               "description", "responsible", "deadline"], None, "overdue"),
        ("H-001 整改完成", "王芳", "2025-04-03T09:00:00+08:00", "changed", "hazards/2025.yaml",
         "hazards/2025.yaml", ["measures", "rectified_on"], "overdue", "rectified"),
        ("split hazards into files", "张伟", "2025-04-04T09:00:00+08:00", "moved",
         "hazards/2025.yaml", "hazards/2025/H-2025-001.yaml", [], "rectified", "rectified"),
        ("H-001 复查销号", "王芳", "2025-04-06T09:00:00+08:00", "changed",
         "hazards/2025/H-2025-001.yaml", "hazards/2025/q1-001.yaml",
         ["verified_on", "verified_by"], "rectified", "closed"),
    ]


def test_history_of_a_deleted_record_and_cli(repo: Repo) -> None:
    root = base_ledger(repo)
    repo.write("ledger/hazards/2025.yaml", as_list(hazard("H-2025-001")))
    repo.commit("oops", author=WANG)
    result = runner.invoke(app, ["log", "H-2025-004", "--ledger", str(root), "--as-of",
                                 "2025-06-30", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["order"] == "oldest first"
    assert [(c["action"], c["author"], c["file"]) for c in doc["commits"]] == [
        ("created", "张伟", {"from": None, "to": "hazards/2025.yaml"}),
        ("removed", "王芳", {"from": "hazards/2025.yaml", "to": None}),
    ]
    text = runner.invoke(app, ["log", "H-2025-004", "-l", str(root), "--as-of", "2025-06-30"])
    assert "removed" in text.stdout and "王芳 <wangfang@example.cn>" in text.stdout


def test_history_on_a_branch_and_unknown_id(repo: Repo) -> None:
    root = base_ledger(repo)
    repo.git("checkout", "-q", "-b", "fix")
    repo.write("ledger/hazards/2025.yaml", as_list(hazard("H-2025-001", location="车库入口")))
    repo.commit("on a branch")
    repo.git("checkout", "-q", "main")
    assert [e.action for e in record_history(root, "H-2025-001", as_of=AS_OF).entries] == [
        "created"]
    on_branch = record_history(root, "H-2025-001", rev="fix", as_of=AS_OF)
    assert [e.action for e in on_branch.entries] == ["created", "changed"]
    assert on_branch.entries[1].changes[0].new == "车库入口"
    result = runner.invoke(app, ["log", "H-404", "-l", str(root)])
    assert result.exit_code == 0 and "no commit touched this record" in result.stdout
