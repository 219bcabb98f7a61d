"""A process pool (files in batches, a big file in pieces) gives exactly the in-process result."""

from __future__ import annotations

from typing import Any

import pytest

from safeledger.read import pool, read_ledger

from .conftest import MakeLedger


def _many(n: int, start: int = 0) -> str:
    return "".join(f"- id: H{i}\n  phone: 0431{i:06d}\n  d: 2025-01-01\n" for i in range(start, n))


@pytest.mark.parametrize(
    "tail",
    [
        "",
        "- &a {id: X}\n- *a\n",  # an alias whose anchor may sit in another piece
        "- id: [broken\n",
        "- just a scalar\n",
        "- id: D\n  id: D2\n",
    ],
)
def test_pool_same_as_in_process(
    make_ledger: MakeLedger, monkeypatch: pytest.MonkeyPatch, tail: str
) -> None:
    monkeypatch.setattr("safeledger.read.pool.SPLIT_MIN_BYTES", 2_000)
    cut: list[int] = []
    real = pool._pieces

    def spy(*args: Any) -> Any:
        pieces = real(*args)
        cut.append(len(pieces or ()))
        return pieces

    monkeypatch.setattr(pool, "_pieces", spy)
    files: dict[str, str | bytes] = {f"hazards/f{i:03d}.yaml": _many(3, i * 3) for i in range(40)}
    files["hazards/big.yaml"] = "# big\n" + _many(300) + tail
    files["activities/a.csv"] = "id,kind\nA1,drill\n"
    root = make_ledger(files)
    one = read_ledger(root, workers=1)
    two = read_ledger(root, workers=2)
    assert two.records == one.records
    assert two.diagnostics == one.diagnostics
    assert two.files == one.files and two.notes == one.notes
    assert one.records[-1].data["phone"].startswith("0431")
    assert cut and cut[0] > 1  # the big file was parsed in pieces


def test_auto_workers_small_ledger_in_process(make_ledger: MakeLedger) -> None:
    root = make_ledger({"hazards/h.yaml": _many(5)})
    assert len(read_ledger(root).records) == 5
