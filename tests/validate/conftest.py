from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from safeledger.read.raw import RawLedger, RawRecord

CONFIG = {
    "organisation": "同心街道办事处",
    "communities": ["和平社区", "幸福社区"],
    "domains": ["居民住宅"],
}
ENTERPRISE = {
    "id": "E001",
    "name": "和平物业",
    "kind": "物业企业",
    "principal": "张伟",
    "credit_code": "91220106MA0000001X",
    "community": "和平社区",
    "domain": "居民住宅",
}
HAZARD = {
    "id": "H-2025-001",
    "found_on": "2025-03-01",
    "enterprise": "E001",
    "location": "3号楼车库",
    "category": "消防设施",
    "level": "general",
    "description": "灭火器过期",
    "responsible": "李强",
    "deadline": "2025-03-15",
}


def raw(kind: str, data: dict[str, Any], *, file: str | None = None, index: int = 0) -> RawRecord:
    return RawRecord(kind=kind, file=file or f"{kind}/r{index}.yaml", index=index, data=data)  # type: ignore[arg-type]


def ledger(tmp_path: Path, *records: RawRecord, config: dict[str, Any] | None = None) -> RawLedger:
    return RawLedger(root=tmp_path, config=config or dict(CONFIG), records=list(records))


@pytest.fixture
def fix_credit_code() -> str:
    from safeledger.model.credit_code import check_character

    return "91220106MA0000001" + check_character("91220106MA0000001")
