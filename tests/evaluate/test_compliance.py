from __future__ import annotations

from safeledger.diagnostics import Anchor
from safeledger.evaluate.compliance import compliance_diagnostics

from .factories import d, enterprise, hazard, inspection, make_ledger


def _ledger():
    return make_ledger(
        enterprises=[enterprise(certificates=[
            {"holder": "赵六", "type": "电工作业", "expires_on": "2025-06-01"},
            {"holder": "钱七", "type": "焊工", "expires_on": "2025-07-15"},
            {"holder": "孙八", "type": "焊工", "expires_on": "2026-07-15"},
        ])],
        hazards=[
            hazard(id="H-1", deadline="2025-06-20"),
            hazard(id="H-2", level="major", deadline="2025-06-29"),
            hazard(id="H-3", level="major", deadline="2025-06-01", rectified_on="2025-05-30"),
            hazard(id="H-4", deadline="2025-06-30"),
            hazard(id="H-5", deadline="2025-04-01", rectified_on="2025-04-10",
                   verified_on="2025-04-12"),
            hazard(id="H-6", found_on="2025-07-01", deadline="2025-07-02"),
        ],
        activities=[inspection("2025-02-01")],
    )


def test_findings() -> None:
    diags = compliance_diagnostics(_ledger(), d("2025-06-30"))
    found = [(x.code, x.record) for x in diags]
    assert found == [
        ("overdue", "H-1"),
        ("major-overdue", "H-2"),
        ("major-overdue", "H-3"),  # rectified but not closed, past its deadline
        ("duty-gap", "E1"),  # principal inspection 2025Q2
        ("certificate-expired", "E1"),
        ("certificate-expiring", "E1"),
    ]
    assert all(x.severity == "warning" for x in diags)
    overdue = diags[0]
    assert "10 day(s)" in overdue.message and "2025-06-20" in overdue.message
    assert (overdue.file, overdue.field) == ("hazards/H-1.yaml", "deadline")
    assert overdue.anchor == Anchor(index=0, path=())
    gap = diags[3]
    assert gap.file == "enterprises/units.yaml" and "2025Q2" in gap.message
    assert "赵六" in diags[4].message and diags[4].field == "certificates"


def test_nothing_before_the_deadline_passes() -> None:
    diags = compliance_diagnostics(_ledger(), d("2025-05-31"))
    assert [(x.code, x.record) for x in diags] == [("certificate-expiring", "E1")]


def test_deterministic() -> None:
    assert compliance_diagnostics(_ledger(), d("2025-06-30")) == compliance_diagnostics(
        _ledger(), d("2025-06-30"))
