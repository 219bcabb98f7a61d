"""A small ledger built in the test, whose figures are counted by hand in test_figures.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from safeledger.model import ACTIVITY_MODELS, Config, Enterprise, Hazard
from safeledger.validate.ledger import Ledger

CONFIG: dict[str, Any] = {
    "organisation": "同心街道办事处",
    "communities": ["和平社区", "幸福社区"],
    "domains": ["居民住宅", "商业经营"],
}
ENTERPRISES: list[dict[str, Any]] = [
    {
        "id": "E1",
        "name": "和平物业",
        "kind": "物业企业",
        "principal": "张伟",
        "community": "和平社区",
        "domain": "居民住宅",
    },
    {
        "id": "E2",
        "name": "幸福超市",
        "kind": "business",
        "principal": "李娜",
        "community": "幸福社区",
        "domain": "商业经营",
    },
]


def _h(id: str, ent: str, found: str, deadline: str, **kw: Any) -> dict[str, Any]:
    community = "和平社区" if ent == "E1" else "幸福社区"
    domain = "居民住宅" if ent == "E1" else "商业经营"
    base = {
        "id": id,
        "enterprise": ent,
        "found_on": found,
        "deadline": deadline,
        "community": community,
        "domain": domain,
        "location": f"{id}部位",
        "category": "消防设施",
        "level": "general",
        "description": f"{id}描述",
        "responsible": "王强",
    }
    base.update(kw)
    return base


HAZARDS: list[dict[str, Any]] = [
    # found before Q2, rectified late in Q2, closed in Q2
    _h(
        "H1",
        "E1",
        "2025-03-10",
        "2025-03-31",
        rectified_on="2025-04-10",
        verified_on="2025-04-15",
        verified_by="赵六",
        measures="更换",
        funds="1000",
    ),
    # found in Q2, rectified on time, closed in Q2
    _h(
        "H2",
        "E1",
        "2025-04-05",
        "2025-04-30",
        rectified_on="2025-04-20",
        verified_on="2025-04-25",
        verified_by="赵六",
        measures="清理",
        funds="2000",
        category="疏散通道",
    ),
    # major found in Q2, open (pending) with a plan
    _h(
        "H3",
        "E1",
        "2025-05-01",
        "2025-07-31",
        level="major",
        interim_measures="设置警戒",
        plan="方案.pdf",
        funds="50000",
        reported_on="2025-05-02",
    ),
    # found in Q2, overdue 41 days at the end
    _h("H4", "E2", "2025-05-10", "2025-05-20"),
    # found in Q2, rectified on time, not verified
    _h("H5", "E2", "2025-06-01", "2025-06-15", rectified_on="2025-06-10", measures="修复"),
    # major found in 2024, overdue (stock)
    _h(
        "H6",
        "E2",
        "2024-11-01",
        "2025-01-31",
        level="major",
        interim_measures="停用",
        reported_on="2024-11-02",
    ),
    # found after the period: does not exist as of its end
    _h("H7", "E1", "2025-07-05", "2025-07-20"),
    # found and closed in Q1
    _h(
        "H8",
        "E2",
        "2025-01-10",
        "2025-01-20",
        rectified_on="2025-01-15",
        verified_on="2025-01-18",
        verified_by="赵六",
        measures="更换",
    ),
]
ACTIVITIES: list[dict[str, Any]] = [
    {
        "id": "A1",
        "kind": "inspection",
        "date": "2025-04-02",
        "enterprise": "E1",
        "principal_led": True,
    },
    {
        "id": "A2",
        "kind": "interview",
        "date": "2025-06-20",
        "enterprise": "E2",
        "reason": "重大隐患逾期",
    },
]


def make_ledger(
    root: Path,
    *,
    config: dict[str, Any] | None = None,
    hazards: list[dict[str, Any]] | None = None,
    enterprises: list[dict[str, Any]] | None = None,
    activities: list[dict[str, Any]] | None = None,
) -> Ledger:
    return Ledger(
        root=root,
        config=Config.model_validate({**CONFIG, **(config or {})}),
        enterprises=[Enterprise.model_validate(e) for e in (enterprises or ENTERPRISES)],
        hazards=[Hazard.model_validate(h) for h in (HAZARDS if hazards is None else hazards)],
        activities=[
            ACTIVITY_MODELS[a["kind"]].model_validate(a)
            for a in (ACTIVITIES if activities is None else activities)
        ],
    )


def write_ledger_files(root: Path) -> None:
    """The same ledger as YAML files on disk (for CLI tests)."""
    import yaml

    (root / "enterprises").mkdir(parents=True, exist_ok=True)
    (root / "hazards").mkdir(exist_ok=True)
    (root / "activities").mkdir(exist_ok=True)
    dump = lambda data: yaml.safe_dump(data, allow_unicode=True, sort_keys=False)  # noqa: E731
    (root / "safeledger.yaml").write_text(dump(CONFIG), encoding="utf-8")
    (root / "enterprises" / "all.yaml").write_text(dump(ENTERPRISES), encoding="utf-8")
    (root / "hazards" / "all.yaml").write_text(dump(HAZARDS), encoding="utf-8")
    (root / "activities" / "all.yaml").write_text(dump(ACTIVITIES), encoding="utf-8")
