"""validate_shard + combine_shards: any cut of the records into consecutive shards gives
the ledger and (sorted) diagnostics of validate_ledger, which is their composition."""

from __future__ import annotations

import datetime as dt
import itertools
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeledger.diagnostics import Diagnostic, sort_diagnostics
from safeledger.read import read_ledger
from safeledger.read.evidence import list_evidence
from safeledger.read.raw import RawLedger
from safeledger.validate import Ledger, combine_shards, validate_ledger, validate_shard
from safeledger.validate.config import validate_config

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import generate

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> RawLedger:
    out = tmp_path_factory.mktemp("gen")
    generate.generate(
        out, hazards_n=300, enterprises_n=40, activities_n=120, mistakes=0.1, layout="lists"
    )
    root = out  # one layout: written in out itself
    # Mistakes that need records of several shards: an id used twice far apart, an
    # inspection naming a hazard written after it, a hazard naming an invalid enterprise.
    hazards = sorted((root / "hazards").rglob("*.yaml"))
    first = hazards[0].read_text(encoding="utf-8")
    item = "- " + first.split("\n- ", 2)[1].rstrip("\n") + "\n"
    (root / "hazards" / "zz-copy.yaml").write_text(item, encoding="utf-8")
    hazard_id = item.split("id: ", 1)[1].split("\n", 1)[0].strip()
    (root / "activities" / "aa-first.yaml").write_text(
        "- id: A-CUT-1\n  kind: inspection\n  date: 2026-01-05\n  enterprise: E-BROKEN\n"
        f"  hazards: [{hazard_id}, H-NOPE-1]\n",
        encoding="utf-8",
    )
    (root / "enterprises" / "zz-broken.yaml").write_text(
        "- id: E-BROKEN\n  name: 坏单位\n  kind: 不存在的类型\n", encoding="utf-8"
    )
    return read_ledger(root, workers=1)


def _dump(ledger: Ledger) -> object:
    return (
        [repr(m) for m in (*ledger.enterprises, *ledger.hazards, *ledger.activities)],
        list(ledger.sources.items()),
    )


def _sharded(raw: RawLedger, cuts: list[int]) -> tuple[Ledger, list[Diagnostic]]:
    config, diags, usable = validate_config(raw.config)
    assert usable
    evidence = list_evidence(raw.root)
    bounds = [0, *cuts, len(raw.records)]
    shards = [
        validate_shard(
            raw.records[a:b], config=config, root=raw.root, today=TODAY, evidence=evidence
        )
        for a, b in itertools.pairwise(bounds)
    ]
    ledger, found = combine_shards(config, raw.root, shards)
    return ledger, [*diags, *found]


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_cut_gives_the_same_answer(raw: RawLedger, data: st.DataObject) -> None:
    n = len(raw.records)
    cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=6), label="cuts"))
    whole, whole_diags = validate_ledger(raw, today=TODAY)
    ledger, diags = _sharded(raw, cuts)
    assert _dump(ledger) == _dump(whole)
    assert sort_diagnostics(diags) == sort_diagnostics(whole_diags)


def test_the_ledger_exercises_the_cross_shard_rules(raw: RawLedger) -> None:
    _, diags = validate_ledger(raw, today=TODAY)
    codes = {d.code for d in diags}
    assert {"duplicate-id", "unknown-hazard", "enum"} <= codes
    # the broken enterprise still counts as an enterprise id for references
    assert not any(d.code == "unknown-enterprise" and "E-BROKEN" in d.message for d in diags)


def test_shard_keeps_ids_of_invalid_records(raw: RawLedger) -> None:
    config = validate_config(raw.config)[0]
    shard = validate_shard(raw.records, config=config, root=raw.root, today=TODAY, evidence=set())
    for kind in ("enterprises", "hazards", "activities"):
        assert len(shard.ids[kind]) == sum(r.kind == kind for r in raw.records)
        assert len(shard.located[kind]) < len(shard.ids[kind])
    assert "E-BROKEN" in shard.ids["enterprises"]
