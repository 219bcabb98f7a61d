"""Conformance through the reader itself (tests/read checks yaml-rs against in.json and
csv-spectrum through split_csv_rows): here every valid yaml-test-suite case whose
documents are all mappings goes through ``read_data`` as a ledger file and its records
must equal in.json; every csv-spectrum file goes through ``read_ledger`` and its records
must equal the json rows (empty cells omitted, as the reader documents)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from safeledger.read import read_data, read_ledger
from tests.read.conftest import TESTDATA
from tests.read.test_yaml_suite import KNOWN_MISMATCHES, _json_docs, _plain

SUITE = TESTDATA / "yaml-test-suite"
# Valid cases whose records differ from in.json through the reader, with the reason.
READER_DIFFERENCES = {
    "2XXW": "a !!set document is a set, not a mapping: not-a-record (with its line)",
}
SPECTRUM = TESTDATA / "csv-spectrum"


@pytest.mark.skipif(not SUITE.is_dir(), reason="yaml-test-suite not found")
def test_valid_mapping_cases_read_as_records_equal_json() -> None:
    compared, mismatched = 0, []
    for case in sorted(p.parent for p in SUITE.rglob("in.yaml")):
        name = case.relative_to(SUITE).as_posix()
        if (case / "error").exists() or not (case / "in.json").exists():
            continue
        if name in KNOWN_MISMATCHES or name in READER_DIFFERENCES:
            continue
        docs = _json_docs((case / "in.json").read_text(encoding="utf-8"))
        mappings = [d for d in docs if d is not None]
        if not mappings or not all(isinstance(d, dict) for d in mappings):
            continue
        if any(any(not isinstance(k, str) for k in d) for d in mappings):
            continue
        result = read_data((case / "in.yaml").read_bytes(), "hazards/case.yaml", "hazards")
        got = [_plain(r.data) for r in result.records]
        errors = [d for d in result.diagnostics if d.severity == "error"]
        if errors or got != mappings:
            mismatched.append(f"{name}: {errors[:1]} {got!r:.80} != {mappings!r:.80}")
        compared += 1
    assert compared > 50
    assert not mismatched, "\n".join(mismatched)


@pytest.mark.skipif(not SPECTRUM.is_dir(), reason="csv-spectrum not found")
def test_csv_spectrum_through_read_ledger(tmp_path: Path) -> None:
    (tmp_path / "safeledger.yaml").write_text("organisation: X\n", encoding="utf-8")
    (tmp_path / "hazards").mkdir()
    for csv_file in sorted((SPECTRUM / "csvs").glob("*.csv")):
        shutil.copy(csv_file, tmp_path / "hazards" / csv_file.name)
    ledger = read_ledger(tmp_path, workers=1)
    assert [d for d in ledger.diagnostics if d.code != "empty-file"] == []
    for csv_file in sorted((SPECTRUM / "csvs").glob("*.csv")):
        expected = json.loads((SPECTRUM / "json" / f"{csv_file.stem}.json").read_text("utf-8"))
        if isinstance(expected, dict):
            expected = [expected]
        rows = [{k.strip(): v for k, v in row.items() if v.strip()} for row in expected]
        rows = [r for r in rows if r]
        got = [r.data for r in ledger.records if r.file == f"hazards/{csv_file.name}"]
        if csv_file.stem == "location_coordinates":  # upstream json/csv disagree on a phone
            for row in (*got, *rows):
                row.pop("Contact Phone Number", None)
        assert got == rows, csv_file.stem
