"""Random and mutated ledger files through the reader and the validator, and whole random
ledgers through ``check_ledger``: the result is always records and diagnostics."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from safeledger.api import check_ledger
from safeledger.read import read_data
from tests.fuzz import targets
from tests.fuzz.conftest import FUZZ, time_limit
from tests.fuzz.strategies import (
    KINDS,
    csv_text,
    encoded,
    mutated,
    records,
    to_csv,
    to_yaml,
    yaml_text,
)


@FUZZ
@given(encoded(yaml_text()))
def test_yaml_files(data: bytes) -> None:
    with time_limit():
        targets.reader_yaml(data)


@FUZZ
@given(encoded(csv_text()))
def test_csv_files(data: bytes) -> None:
    with time_limit():
        targets.reader_csv(data)


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    with time_limit():
        targets.reader_any(data)
        targets.config(data)


@FUZZ
@given(yaml_text())
def test_config_files(text: str) -> None:
    with time_limit():
        targets.config(text.encode("utf-8", "surrogatepass"))


@st.composite
def ledgers(draw: st.DrawFn) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    if draw(st.integers(0, 5)):
        files["safeledger.yaml"] = draw(
            st.one_of(
                st.just("organisation: 同心街道办事处\ncommunities: [东风社区]\n"),
                yaml_text(),
            )
        ).encode("utf-8", "surrogatepass")
    for n in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(KINDS))
        recs = draw(st.lists(st.one_of(records(kind), mutated(kind)), min_size=1, max_size=3))
        if draw(st.booleans()):
            files[f"{kind}/f{n}.csv"] = to_csv(recs).encode(
                draw(st.sampled_from(["utf-8", "gb18030"])), "replace"
            )
        else:
            files[f"{kind}/sub/f{n}.yaml"] = to_yaml(recs).encode("utf-8", "surrogatepass")
    return files


@FUZZ
@given(ledgers())
def test_whole_ledgers_through_check(files: dict[str, bytes]) -> None:
    root = Path(tempfile.mkdtemp(prefix="sl-fuzz-"))
    try:
        (root / "safeledger.yaml").write_bytes(b"organisation: X\n")
        for rel, data in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        with time_limit(20):
            result = check_ledger(root, as_of=dt.date(2025, 6, 30), today=dt.date(2025, 6, 30))
        for d in result.diagnostics:
            assert d.file is None or not d.file.startswith("/"), d
            assert d.line is None or d.line >= 1, d
        result.to_json()
    finally:
        shutil.rmtree(root)


def test_read_data_never_raises_on_odd_names() -> None:
    for name in ("hazards/a.CSV", "hazards/a.yml", "hazards/.x.yaml"):
        read_data(b"id: H\n", name, "hazards")
