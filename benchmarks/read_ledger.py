"""Time ``read_ledger`` (and ``locate``) on generated ledgers in a temporary folder.

    .venv/bin/python benchmarks/read_ledger.py [records]   (default 100,000)

Cases: one YAML file with all records; 10,000 small files (10 records each)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from parsers import make_hazards

from safeledger.diagnostics import ERROR, Anchor, Diagnostic
from safeledger.read import locate, read_ledger


def timed(label: str, root: Path, workers: int | None) -> None:
    t0 = time.perf_counter()
    ledger = read_ledger(root, workers=workers)
    took = time.perf_counter() - t0
    print(f"{label:40s} workers={workers!s:4s} {took:6.2f} s  {len(ledger.records)} records")
    last = ledger.records[-1]
    diags = [Diagnostic("x", ERROR, "m", last.file, anchor=Anchor(last.index, ("deadline",)))]
    t0 = time.perf_counter()
    located = locate(root, diags, records=ledger.records)
    print(f"{'  locate one diagnostic':40s} {time.perf_counter() - t0:17.2f} s  {located[0].line}")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp, "one")
        (one / "hazards").mkdir(parents=True)
        (one / "safeledger.yaml").write_text("organisation: 同心街道办事处\n", encoding="utf-8")
        text = make_hazards(n)
        (one / "hazards" / "all.yaml").write_text(text, encoding="utf-8")
        many = Path(tmp, "many")
        (many / "hazards").mkdir(parents=True)
        (many / "safeledger.yaml").write_text("organisation: 同心街道办事处\n", encoding="utf-8")
        for f in range(10_000):
            sub = many / "hazards" / f"{f // 1000:02d}"
            sub.mkdir(exist_ok=True)
            (sub / f"H{f:05d}.yaml").write_text(make_hazards(10, f * 10), encoding="utf-8")
        size = len(text.encode()) / 2**20
        for workers in (1, None):
            timed(f"one file, {n} records, {size:.0f} MB", one, workers)
            timed("10,000 files x 10 records", many, workers)


if __name__ == "__main__":
    main()
