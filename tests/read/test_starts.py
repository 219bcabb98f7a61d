"""Record starts filled in by the reader equal what ``locate`` answers for a record-level
anchor (the compliance findings place themselves with them, without re-reading files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeledger.diagnostics import WARNING, Anchor, Diagnostic
from safeledger.read import locate, read_data
from safeledger.read.raw import RawRecord

REPO = Path(__file__).resolve().parents[2]


def _located(root: Path, rel: str, count: int) -> list[tuple[int | None, int | None]]:
    """locate's answers, computed from the file alone (``records=None``: not from the
    positions under test)."""
    probes = [Diagnostic("x", WARNING, "m", file=rel, anchor=Anchor(i)) for i in range(count)]
    return [(d.line, d.column) for d in locate(root, probes)]


def _check(root: Path, rel: str, kind: str = "hazards") -> list[RawRecord]:
    records = read_data((root / rel).read_bytes(), rel, kind).records  # type: ignore[arg-type]
    located = _located(root, rel, len(records))
    for record, where in zip(records, located, strict=True):
        if record.line is not None or record.column is not None:
            assert (record.line, record.column) == where, (rel, record.index)
    return records


_keys = st.sampled_from(["id", "found_on", "level", "隐患编号", "description", "deadline"])
_scalars = st.sampled_from(["H-1", "2025-03-01", "general", "电梯未检", "'quoted'", "12", ""])
_comments = st.lists(st.sampled_from(["", "# note", "  # indented", "   "]), max_size=3)


@st.composite
def _record(draw: st.DrawFn, indent: str) -> list[str]:
    keys = draw(st.lists(_keys, min_size=1, max_size=4, unique=True))
    lines = [f"{indent}{k}: {draw(_scalars)}".rstrip() for k in keys]
    if draw(st.booleans()):  # a nested list, compact at the mapping's own indent or deeper
        lines.append(f"{indent}extensions:")
        pad = indent + draw(st.sampled_from(["", "  "]))
        for _ in range(draw(st.integers(1, 2))):
            lines += [f"{pad}- to: 2025-04-01", f"{pad}  reason: 延期"]
    if draw(st.booleans()):
        lines.insert(draw(st.integers(1, len(lines))), f"{indent}# between keys")
    return lines


@st.composite
def _yaml_file(draw: st.DrawFn) -> tuple[bytes, bool]:
    """(file bytes, is it a plain layout the reader must answer)."""
    head = draw(_comments)
    plain = True
    if draw(st.booleans()):
        head.append(draw(st.sampled_from(["---", "--- # doc", "---  "])))
    if draw(st.booleans()):  # one file per record
        body = draw(_record(""))
    else:
        body = []
        for _ in range(draw(st.integers(1, 4))):
            rec = draw(_record("  "))
            lead = draw(st.sampled_from(["- ", "- ", "-  ", "- # c"]))
            plain = plain and lead == "- "
            first = [lead, rec[0]] if lead == "- # c" else [lead + rec[0][2:]]
            body += [*first, *rec[1:]]
            body += draw(_comments)
    if "---" in "".join(head) and body[0].startswith("-"):
        plain = False  # locate's list shortcut does not take marked documents
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join([*head, *body]) + draw(st.sampled_from(["", newline]))
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    return bom + text.encode("utf-8"), plain


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=_yaml_file())
def test_starts_equal_locate_on_generated_files(tmp_path: Path, case: tuple[bytes, bool]) -> None:
    data, plain = case
    (tmp_path / "hazards").mkdir(exist_ok=True)
    (tmp_path / "hazards" / "h.yaml").write_bytes(data)
    records = _check(tmp_path, "hazards/h.yaml")
    if plain:  # the two common layouts are answered, not left to locate
        assert records and all(r.line is not None and r.column is not None for r in records)


@pytest.mark.parametrize(
    "text",
    [
        "-\n  id: a\n",  # bare dash
        "&a\nid: x\n",  # anchor before the mapping
        "id: a\n---\nid: b\n",  # two documents
        "  id: a\n  level: general\n",  # indented mapping
        "# c\rid: a\n",  # a lone CR: libyaml sees two lines
        "--- {id: a}\n",
        "- id: a\n- 3\n",  # not all mappings
    ],
)
def test_unsure_layouts_are_left_to_locate(tmp_path: Path, text: str) -> None:
    (tmp_path / "hazards").mkdir()
    (tmp_path / "hazards" / "h.yaml").write_text(text, encoding="utf-8", newline="")
    records = _check(tmp_path, "hazards/h.yaml")
    assert all(r.line is None and r.column is None for r in records)


def _yaml_files() -> list[tuple[Path, str]]:
    found = []
    for base in (REPO / "ledgers" / "tongxin", REPO / "tests" / "fixtures"):
        for path in sorted(base.rglob("*.y*ml")):
            found.append((path.parent, path.name))
    return found


def test_starts_equal_locate_on_repository_files() -> None:
    files = _yaml_files()
    assert len(files) > 50
    answered = 0
    for folder, name in files:
        try:
            records = _check(folder, name)
        except (UnicodeDecodeError, OSError):
            continue
        answered += sum(r.line is not None for r in records)
    assert answered > 100


@pytest.mark.parametrize("size", [None, 0, 5, 10_000])
def test_read_file_with_a_stale_size_reads_the_whole_file(tmp_path: Path, size: int | None) -> None:
    """Discovery's size may be out of date when the file is read: it is read whole."""
    from safeledger.read import read_file

    (tmp_path / "h.yaml").write_text("- id: H1\n- id: H2\n  level: major\n", encoding="utf-8")
    result = read_file(tmp_path, "h.yaml", "hazards", size=size)
    assert [r.data for r in result.records] == [{"id": "H1"}, {"id": "H2", "level": "major"}]
    assert [(r.line, r.column) for r in result.records] == [(1, 3), (2, 3)]
