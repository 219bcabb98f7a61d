"""Small one-mapping files parsed as one YAML stream give exactly what reading each file
alone gives (read.files.read_files_batched)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml_rs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeledger.read import files
from safeledger.read.files import read_file, read_files_batched

# Lines of clean record files, and lines that must not be batched (markers, anchors,
# directives, leading zeros, keep-chomped block scalars...) or break the file.
_GOOD = [
    "id: H-1\n",
    "隐患编号: H-2\n",
    "found_on: 2025-03-01\n",
    "funds: 8000\n",
    "phone: '0431888888'\n",
    "note: >-\n  folded\n  text\n",
    "desc: 电梯超过检验有效期\n",
    "k: v\r\n",
]
_ODD = [
    "phone: 0431888888\n",
    "a: &x {b: 1}\n",
    "c: *x\n",
    "note: |+\n  kept\n\n",
    "id: H-1\n",  # a duplicate key
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "# a comment\n",
    "- item\n",
    "  indented: 1\n",
    "bad: [unclosed\n",
    "tab:\tvalue\n",
    "1: numeric key\n",
    "deep: " + "[" * 70 + "]" * 70 + "\n",
    "\n",
]
_TAILS = [b"", b"\xef\xbb\xbf", b"\x00", b"\xff", b"x: 1", b"\n"]


@st.composite
def _file(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(st.sampled_from(_GOOD), min_size=0, max_size=4))
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(_ODD)))
    body = "".join(lines).encode("utf-8")
    if draw(st.integers(0, 3)) == 0:
        tail = draw(st.sampled_from(_TAILS))
        body = body + tail if draw(st.booleans()) else tail + body
    return body


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_file(), min_size=1, max_size=12), st.integers(1, 5))
def test_batched_same_as_one_by_one(contents: list[bytes], batch: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        entries = []
        for i, data in enumerate(contents):
            rel = f"hazards/{i:03d}.yaml"
            (root / "hazards").mkdir(exist_ok=True)
            (root / rel).write_bytes(data)
            entries.append((rel, "hazards", len(data)))
        old = files.BATCH_FILES
        files.BATCH_FILES = batch
        try:
            batched = read_files_batched(root, entries)  # type: ignore[arg-type]
        finally:
            files.BATCH_FILES = old
        alone = [read_file(root, rel, "hazards", size=size) for rel, _, size in entries]
    assert batched == alone


def test_clean_files_are_parsed_in_one_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = yaml_rs.loads

    def spy(text: str, **kwargs: object) -> object:
        calls.append(text)
        return real(text, **kwargs)  # type: ignore[arg-type]

    (tmp_path / "hazards").mkdir()
    entries = []
    for i in range(5):
        rel = f"hazards/H{i}.yaml"
        (tmp_path / rel).write_text(f"id: H{i}\nfound_on: 2025-01-0{i + 1}\n", encoding="utf-8")
        entries.append((rel, "hazards", None))
    monkeypatch.setattr(yaml_rs, "loads", spy)
    results = read_files_batched(tmp_path, entries)  # type: ignore[arg-type]
    assert len(calls) == 1
    assert [r.records[0].data["id"] for r in results] == [f"H{i}" for i in range(5)]
    assert [(r.records[0].line, r.records[0].column) for r in results] == [(1, 1)] * 5
