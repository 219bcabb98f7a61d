from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safeledger.api import check_ledger
from safeledger.cli.app import app
from safeledger.edit.init import init_ledger
from safeledger.errors import SafeledgerError
from tests.edit.conftest import TODAY

runner = CliRunner()


def test_init_makes_a_ledger_that_passes_check(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "new"), "--organisation", "同心街道办事处"])
    assert result.exit_code == 0, result.output
    root = tmp_path / "new"
    for folder in ("enterprises", "hazards", "activities", "evidence", "templates"):
        assert (root / folder / ".gitkeep").is_file()
    assert ".safeledger.lock" in (root / ".gitignore").read_text(encoding="utf-8")
    pre_commit = (root / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert "id: safeledger-check" in pre_commit and "entry: safeledger check" in pre_commit
    config = (root / "safeledger.yaml").read_text(encoding="utf-8")
    assert 'organisation: "同心街道办事处"' in config
    checked = check_ledger(root, as_of=TODAY, today=TODAY)
    assert checked.diagnostics == [] and checked.exit_code == 0
    assert runner.invoke(app, ["check", str(root)]).exit_code == 0


def test_every_commented_example_is_valid(tmp_path: Path) -> None:
    init_ledger(tmp_path / "l", "某街道")
    path = tmp_path / "l" / "safeledger.yaml"
    text = path.read_text(encoding="utf-8")
    # uncomment the examples: "# key: …" and "#   - item" / "#   key: …" lines
    enabled = re.sub(r"^# (?=(title|communities|domains|categories|duties):)", "", text, flags=re.M)
    enabled = re.sub(r"^# (?=  [-a-z])", "", enabled, flags=re.M)
    assert enabled.count("\n# ") < text.count("\n# ")
    assert (
        "\ncommunities:\n  - 和平社区" in enabled and "\nduties:\n  principal_inspection" in enabled
    )
    path.write_text(enabled, encoding="utf-8")
    checked = check_ledger(tmp_path / "l", as_of=TODAY, today=TODAY)
    assert checked.diagnostics == []


def test_init_refuses_an_existing_ledger(tmp_path: Path) -> None:
    init_ledger(tmp_path, "A")
    before = (tmp_path / "safeledger.yaml").read_bytes()
    with pytest.raises(SafeledgerError, match="already exists"):
        init_ledger(tmp_path, "B")
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 2 and "already exists" in result.stderr
    assert (tmp_path / "safeledger.yaml").read_bytes() == before


def test_init_in_an_existing_folder_keeps_its_files(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("mine\n", encoding="utf-8")
    created = init_ledger(tmp_path, "A").created
    assert ".gitignore" not in created
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == "mine\n"
