"""Every kind of bad file gives a clean diagnostic, and the rest of the ledger is read."""

from __future__ import annotations

import time

import pytest

from safeledger.read import read_ledger
from safeledger.read.codes import READ_CODES
from safeledger.read.files import MAX_FILE_BYTES

from .conftest import MakeLedger

BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join(["*" + chr(97 + i)] * 9) + "]\n" for i in range(9)
)

# name: (file content, expected code, expected line (None: not checked), severity)
CASES: dict[str, tuple[str | bytes, str, int | None, str]] = {
    "syntax": ("id: H\nb: [1, 2\n", "yaml-syntax", 2, "error"),
    "tabs": ("id: H\nx:\n\tb: 1\n", "yaml-syntax", 3, "error"),
    "duplicate": ("id: H\nlevel: general\nid: H2\n", "duplicate-key", 3, "error"),
    "bad utf8": (b"id: H\nname: " + b"\xff\xfe\n", "encoding", 2, "error"),
    "gbk yaml": ("id: H\nname: 物业\n".encode("gbk"), "encoding", 2, "error"),
    "alias bomb": (BOMB, "alias-limit", None, "error"),
    "deep flow": ("[" * 10_000, "too-deep", 1, "error"),
    "deep block": (
        "".join(" " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "x\n",
        "too-deep",
        1,
        "error",
    ),
    "deep inline": ("- " * 5000 + "x\n", "too-deep", 1, "error"),
    "scalar file": ("just text\n", "not-a-record", 1, "error"),
    "list of scalars": ("- id: H\n- 12\n- [a]\n", "not-a-record", 2, "error"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00", "binary-file", None, "error"),
    "utf-16": ("id: H\n".encode("utf-16"), "binary-file", None, "error"),
    "empty": ("", "empty-file", None, "warning"),
    "comments only": ("# nothing yet\n", "empty-file", None, "warning"),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_file(make_ledger: MakeLedger, name: str) -> None:
    content, code, line, severity = CASES[name]
    root = make_ledger(
        {
            "hazards/a_good.yaml": "id: OK1\n",
            "hazards/bad.yaml": content,
            "hazards/z_good.yaml": "- id: OK2\n",
        }
    )
    t0 = time.perf_counter()
    ledger = read_ledger(root, workers=1)
    assert time.perf_counter() - t0 < 5
    ids = [r.data.get("id") for r in ledger.records]
    assert "OK1" in ids and "OK2" in ids
    mine = [d for d in ledger.diagnostics if d.file == "hazards/bad.yaml"]
    assert mine and mine[0].code == code, ledger.diagnostics
    assert mine[0].severity == severity and mine[0].code in READ_CODES
    assert mine[0].message
    if line is not None:
        assert mine[0].line == line and mine[0].column is not None
    assert len(ledger.diagnostics) == len(mine)


def test_duplicates_all_reported_first_value_kept(make_ledger: MakeLedger) -> None:
    root = make_ledger({"hazards/h.yaml": "- id: A\n  id: B\n- id: C\n  x: 1\n  x: 2\n"})
    ledger = read_ledger(root)
    assert [(d.code, d.line, d.column) for d in ledger.diagnostics] == [
        ("duplicate-key", 2, 3),
        ("duplicate-key", 5, 3),
    ]
    assert "first written at line 1" in ledger.diagnostics[0].message
    assert [r.data for r in ledger.records] == [{"id": "A"}, {"id": "C", "x": 1}]


def test_list_of_scalars_each_reported(make_ledger: MakeLedger) -> None:
    root = make_ledger({"hazards/h.yaml": "- a\n- id: H\n- 3\n"})
    ledger = read_ledger(root)
    assert [(d.code, d.line, d.column) for d in ledger.diagnostics] == [
        ("not-a-record", 1, 3),
        ("not-a-record", 3, 3),
    ]
    assert [(r.index, r.data) for r in ledger.records] == [(0, {"id": "H"})]


def test_undecodable_offset(make_ledger: MakeLedger) -> None:
    root = make_ledger({"hazards/h.yaml": b"id: H\nn: \xc3\x28\n"})
    (d,) = read_ledger(root).diagnostics
    assert "offset 9" in d.message and "UTF-8" in d.message and (d.line, d.column) == (2, 4)


def test_too_large(make_ledger: MakeLedger, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("safeledger.read.files.MAX_FILE_BYTES", 1000)
    root = make_ledger({"hazards/big.yaml": "- id: H\n" * 200, "hazards/ok.yaml": "id: K\n"})
    ledger = read_ledger(root)
    assert [d.code for d in ledger.diagnostics] == ["too-large"]
    assert [r.data["id"] for r in ledger.records] == ["K"]
    assert MAX_FILE_BYTES == 100 * 1024 * 1024


def test_ten_megabyte_line(make_ledger: MakeLedger) -> None:
    long = "x" * 10_000_000
    root = make_ledger(
        {"hazards/h.yaml": f"id: H\nnote: {long}\n", "hazards/e.yaml": f"a: [{long}\n"}
    )
    t0 = time.perf_counter()
    ledger = read_ledger(root, workers=1)
    assert time.perf_counter() - t0 < 10
    assert ledger.records[0].data["note"] == long
    (d,) = ledger.diagnostics
    assert d.code == "yaml-syntax" and len(d.message) < 400
