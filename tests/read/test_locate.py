"""locate() answers record-level anchors from the records' known starts without reading
their file, and gives the same answers as when it reads every file itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeledger.diagnostics import ERROR, Anchor, Diagnostic
from safeledger.read import locate, read_ledger
from safeledger.read.locator import _item_lines, _item_offsets
from safeledger.read.raw import RawRecord

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


@st.composite
def _listed(draw: st.DrawFn) -> tuple[str, bytes]:
    """A generated block list, written with a BOM, CRLF line breaks, comments or blank
    lines between its items, or a record the line scanner cannot vouch for."""
    text = draw(block_document())
    items = text.replace("\n- ", "\n\x00- ").split("\x00")
    gaps = st.sampled_from(["", "\n", "# note\n", "  # indented note\n"])
    items = [draw(gaps) + item if i else item for i, item in enumerate(items)]
    if draw(st.booleans()):  # an anchor: the scanner gives up, the event index answers
        at = draw(st.integers(0, len(items) - 1))
        items[at] = items[at].replace(":", ": &a", 1) if ": " not in items[at][:12] else items[at]
    head = draw(st.sampled_from(["", "# head\n", "\n"]))
    text = head + "".join(items)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    return text, bom + text.encode("utf-8")


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_listed())
def test_record_lines_give_the_answers_of_the_text(
    make_ledger: MakeLedger, written: tuple[str, bytes]
) -> None:
    """Field anchors in block lists are answered from the records' lines (the file's lines
    as bytes, one record decoded) exactly as from the whole text."""
    root = make_ledger({"hazards/gen.yaml": written[0]})
    (root / "hazards/gen.yaml").write_bytes(written[1])
    raw = read_ledger(root)
    paths: list[tuple[str | int, ...]] = []
    for r in raw.records:
        for key, value in r.data.items():
            paths.append((str(key),))
            inner = value if isinstance(value, dict) else range(len(value)) if isinstance(
                value, list
            ) else ()
            paths.extend((str(key), k) for k in inner)
    wanted = [_diag("hazards/gen.yaml", r.index, p) for r in raw.records for p in paths]
    if all(r.column == 3 for r in raw.records):
        lines = _item_lines(raw.records)
        assert lines is not None
        assert _item_offsets(written[1], lines) is not None  # the quick way is taken
    assert _positions(locate(root, wanted, records=raw.records)) == _positions(
        locate(root, wanted)
    )


def test_record_lines_only_for_block_list_items() -> None:
    def rec(index: int, line: int | None, column: int | None) -> RawRecord:
        return RawRecord("hazards", "h.yaml", index, {}, line, column=column)

    assert _item_lines([rec(0, 2, 3), rec(1, 5, 3)]) == [2, 5]
    assert _item_lines([rec(0, 2, 3), rec(1, 5, None)]) is None  # a start not known
    assert _item_lines([rec(0, 1, 1)]) is None  # a one-record mapping file
    assert _item_lines([rec(1, 2, 3)]) is None  # not every record of the file
    assert _item_lines([rec(0, 5, 3), rec(1, 5, 3)]) is None
    assert _item_lines([]) is None


def test_item_offsets_are_where_the_items_start_in_the_bytes() -> None:
    data = "# 台账\n- id: H-1\n  location: 一楼\n- id: H-2\n  note: |\n    - not an item\n".encode()
    assert _item_offsets(data, [2, 4]) == [data.index(b"- id: H-1"), data.index(b"- id: H-2")]
    assert _item_offsets(data, [2, 5]) is None  # the reader saw another start line
    assert _item_offsets(data, [2]) is None  # an item the lines do not know
    assert _item_offsets(data, [9, 10]) is None  # past the end
