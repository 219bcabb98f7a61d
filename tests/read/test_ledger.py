"""read_ledger and find_ledger_root on good input."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from safeledger.errors import LedgerNotFound
from safeledger.read import find_ledger_root, read_ledger

from .conftest import MakeLedger


def test_records_kinds_and_order(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {
            "hazards/2025/Q2/b.yaml": "id: H2\nfound_on: 2025-03-01\n",
            "hazards/a.yml": "- id: H0\n- 隐患编号: H1\n",
            "enterprises/e.yaml": "id: E1\nname: 物业\n",
            "activities/x.csv": "id,kind\nA1,drill\n",
            "hazards/readme.txt": "notes",
            "hazards/.hidden.yaml": "id: X\n",
            ".git/hazards.yaml": "id: X\n",
            "evidence/p.yaml": "id: X\n",
        }
    )
    ledger = read_ledger(root)
    assert ledger.config == {"organisation": "同心街道办事处"}
    assert [(r.kind, r.file, r.index) for r in ledger.records] == [
        ("activities", "activities/x.csv", 0),
        ("enterprises", "enterprises/e.yaml", 0),
        ("hazards", "hazards/2025/Q2/b.yaml", 0),
        ("hazards", "hazards/a.yml", 0),
        ("hazards", "hazards/a.yml", 1),
    ]
    assert ledger.records[0].data == {"id": "A1", "kind": "drill"}
    assert ledger.records[0].line == 2 and ledger.records[0].key_columns == {"id": 1, "kind": 2}
    assert ledger.records[2].data == {"id": "H2", "found_on": dt.date(2025, 3, 1)}
    assert ledger.records[4].data == {"隐患编号": "H1"}
    assert ledger.diagnostics == []
    assert ledger.notes == ["hazards/readme.txt: ignored (not .yaml, .yml or .csv)"]
    assert {f.path for f in ledger.files} >= {"safeledger.yaml", "hazards/a.yml"}
    assert all(len(f.digest) == 64 for f in ledger.files)


def test_multi_document_and_scalars(make_ledger: MakeLedger) -> None:
    text = "id: A\nphone: 0431888888\ncode: 007\nn: 12\nyes_: yes\n---\n- id: B\n- id: C\n---\n"
    root = make_ledger({"enterprises/e.yaml": "\ufeff" + text})
    ledger = read_ledger(root)
    assert [r.data["id"] for r in ledger.records] == ["A", "B", "C"]
    assert [r.index for r in ledger.records] == [0, 1, 2]
    a = ledger.records[0].data
    assert (a["phone"], a["code"], a["n"], a["yes_"]) == ("0431888888", "007", 12, "yes")
    assert ledger.diagnostics == []


def test_non_string_keys_become_text(make_ledger: MakeLedger) -> None:
    root = make_ledger({"hazards/h.yaml": "id: H\n2: two\ntrue: t\n"})
    ledger = read_ledger(root)
    assert ledger.records[0].data == {"id": "H", "2": "two", "true": "t"}


def test_config_problems(make_ledger: MakeLedger) -> None:
    root = make_ledger({"safeledger.yaml": "organisation: [x\n"})
    ledger = read_ledger(root)
    assert ledger.config is None
    assert [(d.code, d.line, d.file) for d in ledger.diagnostics] == [
        ("config-syntax", 1, "safeledger.yaml")
    ]
    root = make_ledger({"safeledger.yaml": "- a\n"})
    assert [d.code for d in read_ledger(root).diagnostics] == ["config-syntax"]
    (root / "safeledger.yaml").unlink()
    ledger = read_ledger(root)
    assert ledger.config is None and [d.code for d in ledger.diagnostics] == ["config-missing"]


def test_find_ledger_root(make_ledger: MakeLedger) -> None:
    root = make_ledger({"hazards/2025/h.yaml": "id: H\n"})
    assert find_ledger_root(root / "hazards" / "2025") == root.resolve()
    assert find_ledger_root(root / "hazards" / "2025" / "h.yaml") == root.resolve()
    assert find_ledger_root(root, explicit=True) == root.resolve()
    with pytest.raises(LedgerNotFound, match=r"safeledger\.yaml"):
        find_ledger_root(root / "hazards", explicit=True)
    with pytest.raises(LedgerNotFound, match="does not exist"):
        find_ledger_root(root / "nope")


def test_not_found_anywhere(tmp_path: Path) -> None:
    with pytest.raises(LedgerNotFound, match="no ledger found") as err:
        find_ledger_root(tmp_path)
    assert err.value.hint


def test_symlink_outside_refused(make_ledger: MakeLedger, tmp_path: Path) -> None:
    root = make_ledger({"hazards/in.yaml": "id: H1\n"})
    outside = tmp_path / "outside.yaml"
    outside.write_text("id: SECRET\n")
    os.symlink(outside, root / "hazards" / "link.yaml")
    os.symlink(root / "hazards" / "in.yaml", root / "hazards" / "same.yaml")
    ledger = read_ledger(root)
    assert [r.data["id"] for r in ledger.records] == ["H1", "H1"]
    assert [(d.code, d.file) for d in ledger.diagnostics] == [
        ("symlink-outside", "hazards/link.yaml")
    ]
