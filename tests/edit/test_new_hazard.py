from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from safeledger.api import load_ledger
from safeledger.edit.hazards import EditRefused, HazardDraft, allocate_id, new_hazard
from safeledger.errors import UsageError
from tests.edit.conftest import TODAY

D = dt.date


def draft(**kw: object) -> HazardDraft:
    base: dict[str, object] = dict(
        enterprise="E001",
        location="5号楼 配电室",
        category="电气线路",
        level="一般",
        description="配电箱门未关闭",
        responsible="李四",
        deadline=D(2025, 6, 30),
        found_on=D(2025, 6, 20),
    )
    base.update(kw)
    return HazardDraft(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fmt", "existing", "found", "expected"),
    [
        (
            "H-{year}-{seq:03d}",
            ["H-2025-001", "H-2025-007", "H-2024-099", "X-2025-500"],
            D(2025, 1, 2),
            "H-2025-008",
        ),
        ("H-{year}-{seq:03d}", ["H-2024-099"], D(2025, 1, 2), "H-2025-001"),
        ("YH{year}{month:02d}-{seq}", ["YH202503-4", "YH202502-9"], D(2025, 3, 9), "YH202503-5"),
        ("{seq:05d}", ["00012", "abc"], D(2025, 3, 9), "00013"),
        ("H-{year}-{seq:03d}", ["H-2025-1000"], D(2025, 3, 9), "H-2025-1001"),
    ],
)
def test_allocate_id(fmt: str, existing: list[str], found: dt.date, expected: str) -> None:
    assert allocate_id(fmt, existing, found) == expected


def test_allocate_id_rejects_formats_without_seq() -> None:
    with pytest.raises(UsageError, match="must contain"):
        allocate_id("H-{year}", [], D(2025, 1, 1))
    with pytest.raises(UsageError, match="may use only"):
        allocate_id("H-{community}-{seq}", [], D(2025, 1, 1))


def test_new_hazard_writes_one_valid_file(ledger: Path) -> None:
    result = new_hazard(
        ledger,
        draft(enterprise="东风物业有限公司", source="日常巡查", found_by="王五"),
        today=TODAY,
    )
    assert result.hazard_id == "H-2025-004"  # after H-2025-001..003 in the hand-written file
    assert result.file == "hazards/2025/H-2025-004.yaml"
    text = (ledger / result.file).read_text(encoding="utf-8")
    assert text == (
        "# 隐患记录 H-2025-004 (hazard record), created by `safeledger new hazard` on 2025-06-30.\n"
        "# Fields: see docs/editing.md; edit with safeledger rectify / verify / extend "
        "to keep the history.\n"
        "id: H-2025-004\n"
        "found_on: 2025-06-20\n"
        "found_by: 王五\n"
        "source: routine\n"
        "enterprise: E001\n"
        "location: 5号楼 配电室\n"
        "category: 电气线路\n"
        "level: general\n"
        "description: 配电箱门未关闭\n"
        "responsible: 李四\n"
        "deadline: 2025-06-30\n"
    )
    loaded = load_ledger(ledger, today=TODAY)
    assert loaded.errors == 0
    assert loaded.ledger.hazard_by_id()["H-2025-004"].community == "东风社区"
    second = new_hazard(ledger, draft(), today=TODAY)
    assert second.hazard_id == "H-2025-005"


def test_new_hazard_default_found_on_is_today(ledger: Path) -> None:
    result = new_hazard(ledger, draft(found_on=None, deadline=TODAY), today=TODAY)
    assert "found_on: 2025-06-30" in (ledger / result.file).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"enterprise": "E999"}, "neither an enterprise id"),
        ({"category": "消防"}, "not one of the categories"),
        ({"level": "严重"}, "is not accepted"),
        ({"source": "路过"}, "--source"),
        ({"community": "幸福社区"}, "not one of the communities"),
        ({"deadline": D(2025, 6, 1)}, "before found_on"),
        ({"found_on": D(2025, 7, 1), "deadline": D(2025, 7, 2)}, "after today"),
        ({"level": "重大"}, "needs --interim-measures"),
    ],
)
def test_new_hazard_refusals(ledger: Path, kw: dict[str, object], message: str) -> None:
    with pytest.raises(EditRefused, match=message):
        new_hazard(ledger, draft(**kw), today=TODAY)
    assert not (ledger / "hazards/2025/H-2025-004.yaml").exists()


def test_major_hazard_with_duties(ledger: Path) -> None:
    result = new_hazard(
        ledger,
        draft(
            level="重大事故隐患",
            interim_measures="设置警戒线，专人看守",
            reported_on=D(2025, 6, 21),
            description="配电室进水\n存在触电风险",
        ),
        today=TODAY,
    )
    text = (ledger / result.file).read_text(encoding="utf-8")
    assert "description: |-\n  配电室进水\n  存在触电风险\n" in text
    assert "level: major" in text
    warnings = {w.code for w in result.warnings}
    assert warnings == {"major-plan"}  # 五落实: a plan is advised, not required
