"""safeledger diff on real git repositories: added, removed, changed, status transitions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safeledger.cli.app import app
from safeledger.errors import SafeledgerError
from safeledger.read import read_ledger
from safeledger.review.diff import diff_ledger
from safeledger.review.gitread import open_repo, read_ledger_at
from safeledger.review.render import diff_markdown, summary
from tests.review.gitrepo import CLOSED, Repo, as_list, base_ledger, hazard

AS_OF = dt.date(2025, 6, 30)
runner = CliRunner()

H001_CHINESE = (
    "隐患编号: H-2025-001\n发现日期: 2025/3/1\n责任单位: E001\n隐患部位: 3号楼车库\n"
    "隐患类别: 消防设施\n隐患等级: 一般\n隐患描述: 灭火器过期 H-2025-001\n整改责任人: 李强\n"
    "整改期限: 2025年3月31日\n"
)


def make_branch(repo: Repo) -> Path:
    """main: the base ledger; branch fix: H-002 closed, H-003 unchanged, H-004 deleted,
    H-001 moved to its own file and rewritten with Chinese keys, H-005 added, A-002 edited."""
    root = base_ledger(repo)
    repo.git("checkout", "-q", "-b", "fix")
    repo.write("ledger/hazards/2025.yaml", as_list(
        hazard("H-2025-002", rectified_on="2025-03-20", measures="更换灭火器",
               verified_on="2025-03-28", verified_by="赵敏"),
        hazard("H-2025-003", **CLOSED),
    ))
    repo.write("ledger/hazards/2025/H-2025-001.yaml", H001_CHINESE)
    repo.write("ledger/hazards/2025/H-2025-005.yaml",
               hazard("H-2025-005", found_on="2025-04-01", deadline="2025-07-30"))
    repo.write("ledger/activities/2025.yaml", as_list(
        "id: A-001\nkind: inspection\ndate: 2025-03-01\nenterprise: E001\nprincipal_led: true\n",
        "id: A-002\nkind: 演练\ndate: 2025-03-05\nenterprise: E002\ndrill_type: evacuation\n"
        "participants: 40\n",
    ))
    repo.commit("close H-002, delete H-004", author=("王芳", "wangfang@example.cn"))
    return root


def test_diff_between_revisions_json(repo: Repo) -> None:
    root = make_branch(repo)
    result = runner.invoke(app, ["diff", "main", "fix", "--ledger", str(root), "--as-of",
                                 "2025-06-30", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["from"] == "main" and doc["to"] == "fix"
    assert doc["added"] == [{"kind": "hazards", "id": "H-2025-005",
                             "file": "hazards/2025/H-2025-005.yaml", "status": "pending"}]
    assert doc["removed"] == [{"kind": "hazards", "id": "H-2025-004",
                               "file": "hazards/2025.yaml", "status": "overdue"}]
    changed = {(c["kind"], c["id"]): c for c in doc["changed"]}
    assert list(changed) == [("hazards", "H-2025-002"), ("activities", "A-002")]
    h2 = changed["hazards", "H-2025-002"]
    assert h2["fields"] == ["verified_on", "verified_by"]
    assert h2["status"] == {"from": "rectified", "to": "closed"}
    assert h2["changes"]["verified_on"] == {"old": None, "new": "2025-03-28"}
    a2 = changed["activities", "A-002"]
    assert a2["fields"] == ["participants"] and a2["status"] is None
    # the rename with Chinese keys and other date forms is not a change
    assert ("hazards", "H-2025-001") not in changed
    assert doc["moved"] == [{"kind": "hazards", "id": "H-2025-001", "from": "hazards/2025.yaml",
                             "to": "hazards/2025/H-2025-001.yaml"}]


def test_diff_defaults_to_working_tree_and_is_deterministic(repo: Repo, monkeypatch) -> None:
    root = base_ledger(repo)
    repo.write("ledger/hazards/2025.yaml", as_list(
        hazard("H-2025-001", location="4号楼车库"),
        hazard("H-2025-002", rectified_on="2025-03-20", measures="更换灭火器"),
        hazard("H-2025-003", **CLOSED),
        hazard("H-2025-004"),
    ))  # not committed
    monkeypatch.chdir(root / "hazards")  # the ledger is found upward from here
    first = runner.invoke(app, ["diff", "HEAD", "--as-of", "2025-06-30", "--format", "json"])
    second = runner.invoke(app, ["diff", "HEAD", "--as-of", "2025-06-30", "--format", "json"])
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout
    doc = json.loads(first.stdout)
    assert doc["to"] is None
    assert [(c["id"], c["fields"], c["status"]) for c in doc["changed"]] == [
        ("H-2025-001", ["location"], None)]
    assert doc["changed"][0]["changes"]["location"] == {"old": "3号楼车库", "new": "4号楼车库"}


def test_markdown_summary(repo: Repo) -> None:
    root = make_branch(repo)
    diff = diff_ledger(root, "main", "fix", as_of=AS_OF)
    assert summary(diff) == (
        "1 hazard added, H-2025-002 rectified → closed, 1 activity changed, "
        "H-2025-004 deleted (!), 1 record moved between files (not a change)"
    )
    md = diff_markdown(diff)
    assert md.startswith("### safeledger: ledger changes `main` → `fix`\n")
    assert "| hazard | **H-2025-004** | hazards/2025.yaml | overdue |" in md
    assert "| hazard | H-2025-002 | rectified → **closed** | verified_on, verified_by |" in md
    assert "| A-002 | participants | — | 40 |" in md


def test_text_format(repo: Repo) -> None:
    root = make_branch(repo)
    result = runner.invoke(app, ["diff", "main", "fix", "-l", str(root), "--as-of", "2025-06-30"])
    assert result.exit_code == 0
    assert "- hazard H-2025-004  hazards/2025.yaml  DELETED" in result.stdout
    assert "    verified_by: — → 赵敏" in result.stdout


def test_revision_reads_equal_working_tree_reads(repo: Repo) -> None:
    """Records from a revision are the same RawRecords the working tree gives."""
    root = base_ledger(repo)
    (root / "hazards/extra.csv").write_bytes("隐患编号,发现日期,责任单位\nH-9,2025-03-01,E001\n"
                                             .encode("gb18030"))
    repo.commit("csv in GB18030")
    disk = read_ledger(root, workers=1)
    git_repo, sub = open_repo(root)
    assert sub == "ledger"
    at_head = read_ledger_at(git_repo, "HEAD", sub)
    assert at_head.config == disk.config
    assert [(r.kind, r.file, r.index, r.data, r.line) for r in at_head.records] == [
        (r.kind, r.file, r.index, r.data, r.line) for r in disk.records]
    assert [(f.path, f.digest, f.encoding) for f in at_head.files] == [
        (f.path, f.digest, f.encoding) for f in disk.files]


def test_ledger_at_repository_root(repo: Repo) -> None:
    root = base_ledger(repo, sub="")
    repo.remove("activities/2025.yaml")
    diff = diff_ledger(root, "HEAD", as_of=AS_OF)
    assert [(r.kind, r.id) for r in diff.removed] == [("activities", "A-001"),
                                                      ("activities", "A-002")]


def test_no_ledger_at_base_means_everything_added(repo: Repo) -> None:
    repo.write("README.md", "empty\n")
    repo.commit("init")
    root = base_ledger(repo)
    diff = diff_ledger(root, "HEAD~1", as_of=AS_OF)
    assert not diff.from_exists and len(diff.added) == 8 and not diff.removed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["diff", "no-such-branch"], "unknown revision 'no-such-branch'"),
        (["log", "H-1", "--rev", "nope"], "unknown revision 'nope'"),
    ],
)
def test_unknown_revision_is_exit_2(repo: Repo, args: list[str], message: str) -> None:
    root = base_ledger(repo)
    result = runner.invoke(app, [*args, "--ledger", str(root)])
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output


def test_option_like_revision_is_refused(repo: Repo) -> None:
    root = base_ledger(repo)
    with pytest.raises(SafeledgerError, match="'--output=x' is not a revision"):
        diff_ledger(root, "--output=x", as_of=AS_OF)


def test_not_a_git_repository(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    (root / "hazards").mkdir(parents=True)
    (root / "safeledger.yaml").write_text("organisation: x\n", encoding="utf-8")
    for args in (["diff", "HEAD"], ["log", "H-1"], ["check", "--against", "HEAD"]):
        extra = ["--ledger", str(root)] if args[0] != "check" else [str(root)]
        result = runner.invoke(app, [*args, *extra])
        assert result.exit_code == 2, (args, result.output)
        assert "not a git repository" in result.stderr


def test_git_missing(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    root = base_ledger(repo)
    monkeypatch.setenv("PATH", str(repo.path / "nowhere"))
    with pytest.raises(SafeledgerError, match="git is not installed"):
        diff_ledger(root, "HEAD", as_of=AS_OF)
