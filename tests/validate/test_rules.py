"""Cross-record rules of spec 4.2, one ledger built per test."""

from __future__ import annotations

import datetime as dt
import os

from safeledger.validate import validate_ledger
from tests.validate.conftest import ENTERPRISE, HAZARD, ledger, raw

TODAY = dt.date(2025, 12, 31)


def run(tmp_path, *records, config=None):
    lg, diags = validate_ledger(ledger(tmp_path, *records, config=config), today=TODAY)
    return lg, diags


def codes(diags):
    return sorted((d.code, d.record) for d in diags)


def ent(**kw):
    from safeledger.model.credit_code import check_character

    base = "91220106MA0000001"
    return raw("enterprises", {**ENTERPRISE, "credit_code": base + check_character(base), **kw})


def haz(index=0, **kw):
    return raw("hazards", {**HAZARD, **kw}, index=index)


def test_clean_ledger_has_no_diagnostics(tmp_path):
    lg, diags = run(tmp_path, ent(), haz())
    assert diags == []
    assert lg.hazards[0].community == "和平社区"  # defaulted from the enterprise
    assert lg.sources[("hazards", "H-2025-001")].file == "hazards/r0.yaml"


def test_duplicate_ids_name_both_places(tmp_path):
    a = haz(0)
    b = raw("hazards", dict(HAZARD), file="hazards/other.yaml", index=3)
    _, diags = run(tmp_path, ent(), a, b)
    dups = [d for d in diags if d.code == "duplicate-id"]
    assert len(dups) == 2
    assert "hazards/other.yaml (record 4)" in dups[0].message
    assert "hazards/r0.yaml (record 1)" in dups[1].message


def test_reference_to_missing_enterprise(tmp_path):
    _, diags = run(tmp_path, ent(), haz(enterprise="E002"))
    assert codes(diags) == [("unknown-enterprise", "H-2025-001")]
    assert diags[0].hint == "did you mean 'E001'?"


def test_activity_hazard_reference(tmp_path):
    act = raw(
        "activities",
        {
            "id": "A1",
            "kind": "inspection",
            "date": "2025-03-01",
            "enterprise": "E001",
            "hazards": ["H-2025-001", "H-404"],
        },
    )
    _, diags = run(tmp_path, ent(), haz(), act)
    assert codes(diags) == [("unknown-hazard", "A1")]


def test_community_domain_category_must_be_configured(tmp_path):
    _, diags = run(tmp_path, ent(), haz(community="火星社区", category="外星人"))
    assert codes(diags) == [("unknown-category", "H-2025-001"), ("unknown-community", "H-2025-001")]


def test_no_check_when_communities_not_configured(tmp_path):
    _, diags = run(tmp_path, ent(community="任意社区"), haz(), config={"organisation": "x"})
    assert codes(diags) == []


def test_chronology(tmp_path):
    _, diags = run(
        tmp_path,
        ent(),
        haz(
            deadline="2025-02-01",
            rectified_on="2025-02-20",
            measures="m",
            verified_on="2025-02-10",
            verified_by="王",
        ),
    )
    fields = sorted(d.field for d in diags if d.code == "chronology")
    assert fields == ["deadline", "rectified_on", "verified_on"]


def test_no_date_after_today(tmp_path):
    _, diags = run(tmp_path, ent(), haz(found_on="2026-01-05", deadline="2026-02-01"))
    assert [d.field for d in diags if d.code == "future-date"] == ["found_on"]


def test_closure_integrity(tmp_path):
    _, diags = run(tmp_path, ent(), haz(verified_on="2025-03-10"))
    msgs = [d.message for d in diags if d.code == "closure"]
    assert len(msgs) == 2  # needs rectified_on and verified_by
    _, diags = run(tmp_path, ent(), haz(rectified_on="2025-03-05"))
    assert [(d.code, d.field) for d in diags] == [("closure", "measures")]
    _, diags = run(
        tmp_path,
        ent(),
        haz(
            rectified_on="2025-03-05", measures="换新", verified_on="2025-03-06", verified_by="李强"
        ),
    )
    assert [(d.code, d.severity) for d in diags] == [("self-verified", "warning")]


def test_major_hazard_duties(tmp_path):
    _, diags = run(tmp_path, ent(), haz(level="major"))
    assert sorted(d.code for d in diags) == [
        "major-interim-measures",
        "major-plan",
        "major-reported",
    ]
    closed = haz(
        level="major",
        reported_on="2025-03-02",
        plan="方案",
        rectified_on="2025-03-05",
        measures="m",
        verified_on="2025-03-08",
        verified_by="王",
    )
    _, diags = run(tmp_path, ent(), closed)
    assert [d.code for d in diags] == ["major-evidence"]


def test_evidence_paths(tmp_path):
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "ok.jpg").write_bytes(b"x")
    outside = tmp_path.parent / "secret.txt"
    outside.write_text("s")
    os.symlink(outside, tmp_path / "evidence" / "link.txt")
    evidence = [
        "evidence/ok.jpg",
        "evidence/missing.jpg",
        "../secret.txt",
        "/etc/passwd",
        "evidence/link.txt",
    ]
    _, diags = run(tmp_path, ent(), haz(evidence=evidence))
    msgs = [d.message for d in diags if d.code == "evidence"]
    assert len(msgs) == 4
    assert "does not exist" in msgs[0] and "leaves the ledger" in msgs[1]
    assert "absolute" in msgs[2] and "symbolic link" in msgs[3]


def test_credit_code_and_phone(tmp_path):
    _, diags = run(tmp_path, ent(credit_code="91220106MA00000010", principal_phone="12345"))
    assert sorted(d.code for d in diags) == ["credit-code", "phone"]
    _, diags = run(tmp_path, ent(credit_code=None, principal_phone="0431-88886666"))
    assert [(d.code, d.severity) for d in diags] == [("credit-code-missing", "warning")]


def test_newer_format_is_refused(tmp_path):
    _, diags = run(tmp_path, ent(), config={"organisation": "x", "format": 2})
    assert [d.code for d in diags] == ["format-version"]


def test_config_errors(tmp_path):
    _, diags = run(
        tmp_path, ent(), config={"organisation": "x", "report": {"due": "whenever"}, "locale": "fr"}
    )
    assert sorted(d.field for d in diags if d.code == "config") == ["locale", "report"]
