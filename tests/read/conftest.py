from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

TESTDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "testdata"

MakeLedger = Callable[[dict[str, str | bytes]], Path]


@pytest.fixture
def make_ledger(tmp_path: Path) -> MakeLedger:
    """Write a ledger: {relative path: text or bytes}; safeledger.yaml added unless given."""

    def make(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / "ledger"
        files = {"safeledger.yaml": "organisation: 同心街道办事处\n", **files}
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return make
