"""Small builders of validated records and ledgers for the evaluate tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from safeledger.model import ACTIVITY_MODELS, Activity, Config, Enterprise, Hazard
from safeledger.validate.ledger import Ledger, RecordRef


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def hazard(**fields: Any) -> Hazard:
    data: dict[str, Any] = {
        "id": "H-1", "found_on": "2025-03-01", "enterprise": "E1", "location": "车库",
        "category": "消防设施", "level": "general", "description": "灭火器过期",
        "responsible": "李强", "deadline": "2025-03-31",
    }
    data.update(fields)
    return Hazard.model_validate(data)


def enterprise(**fields: Any) -> Enterprise:
    data: dict[str, Any] = {
        "id": "E1", "name": "和平物业", "kind": "property_management", "principal": "张伟",
        "community": "和平社区", "domain": "居民住宅",
    }
    data.update(fields)
    return Enterprise.model_validate(data)


_counter = 0


def activity(kind: str, date: str, enterprise: str = "E1", **fields: Any) -> Activity:
    global _counter
    _counter += 1
    data: dict[str, Any] = {"id": fields.pop("id", f"A-{_counter:04d}"), "kind": kind,
                            "date": date, "enterprise": enterprise}
    data.update(fields)
    return ACTIVITY_MODELS[kind].model_validate(data)


def inspection(date: str, enterprise: str = "E1", **fields: Any) -> Activity:
    return activity("inspection", date, enterprise, principal_led=True, **fields)


def config(**fields: Any) -> Config:
    data: dict[str, Any] = {"organisation": "同心街道办事处",
                            "communities": ["和平社区", "幸福社区"], "domains": ["居民住宅"]}
    data.update(fields)
    return Config.model_validate(data)


def make_ledger(
    *, hazards: list[Hazard] = (),  # type: ignore[assignment]
    enterprises: list[Enterprise] | None = None,
    activities: list[Activity] = (),  # type: ignore[assignment]
    cfg: Config | None = None,
) -> Ledger:
    ents = list(enterprises) if enterprises is not None else [enterprise()]
    led = Ledger(root=Path("/ledger"), config=cfg or config(), enterprises=ents,
                 hazards=list(hazards), activities=list(activities))
    for i, e in enumerate(ents):
        led.sources[("enterprises", e.id)] = RecordRef("enterprises/units.yaml", i, None)
    for i, h in enumerate(led.hazards):
        led.sources[("hazards", h.id)] = RecordRef(f"hazards/{h.id}.yaml", 0, None)
        _ = i
    return led
