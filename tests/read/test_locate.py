"""locate() answers record-level anchors from the records' known starts without reading
their file, and gives the same answers as when it reads every file itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from safeledger.diagnostics import ERROR, Anchor, Diagnostic
from safeledger.read import locate, read_ledger

from .conftest import MakeLedger
from .test_positions import block_document

LISTS = (
    "- id: H-1\n  deadline: 2025-06-30\n  level: 一般\n"
    "# between\n\n- id: H-2\n  deadline: 2025-07-01\n"
    "-   id: H-3\n    deadline: 2025-07-02\n"  # not at column 3: the reader does not know
)
ONE = "# one record\n---\nid: H-4\ndeadline: 2025-06-30\n"


def _diag(file: str, index: int, path: tuple[str | int, ...] = ()) -> Diagnostic:
    return Diagnostic("x", ERROR, "m", file=file, anchor=Anchor(index, path))


def _positions(diags: list[Diagnostic]) -> list[tuple[int | None, int | None]]:
    return [(d.line, d.column) for d in diags]


def test_record_starts_need_no_file(make_ledger: MakeLedger) -> None:
    root = make_ledger({"hazards/a.yaml": LISTS, "hazards/b.yaml": ONE})
    raw = read_ledger(root)
    wanted = [_diag("hazards/a.yaml", i) for i in range(3)] + [_diag("hazards/b.yaml", 0)]
    expected = _positions(locate(root, wanted))  # read from the files
    assert expected == [(1, 3), (6, 3), (8, 5), (3, 1)]
    assert _positions(locate(root, wanted, records=raw.records)) == expected

    (root / "hazards/b.yaml").unlink()  # known starts: the file is not read again
    assert _positions(locate(root, wanted[3:], records=raw.records)) == [(3, 1)]
    # a field-level anchor, or a start the reader did not know, still reads the file
    (root / "hazards/a.yaml").write_text("\n\n" + LISTS, encoding="utf-8")
    found = locate(root, [*wanted[:3], _diag("hazards/a.yaml", 1, ("deadline",))],
                   records=raw.records)
    assert _positions(found) == [(1, 3), (6, 3), (10, 5), (9, 3)]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(block_document())
def test_same_answers_with_and_without_records(
    make_ledger: MakeLedger, text: str
) -> None:
    root = make_ledger({"hazards/gen.yaml": text})
    raw = read_ledger(root)
    wanted = [
        _diag("hazards/gen.yaml", r.index, path)
        for r in raw.records
        for path in [(), *((str(k),) for k in r.data)]
    ]
    assert _positions(locate(root, wanted, records=raw.records)) == _positions(
        locate(root, wanted)
    )


@pytest.mark.parametrize("layout", ["lists", "per-record"])
def test_generated_ledger_record_starts(tmp_path: Path, layout: str) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import generate

    generate.generate(tmp_path, hazards_n=60, enterprises_n=6, activities_n=30,
                      layout=layout, mistakes=0.2)
    raw = read_ledger(tmp_path)
    wanted = [_diag(r.file, r.index) for r in raw.records]
    assert all(r.line is not None for r in raw.records)
    assert _positions(locate(tmp_path, wanted, records=raw.records)) == _positions(
        locate(tmp_path, wanted)
    )
