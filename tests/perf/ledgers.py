"""Generated ledgers shared by the performance tests (benchmarks/generate.py): the dates
they are judged at, a small ledger in both layouts as fixtures (``template`` is the
generated folder, ``ledger`` a fresh copy of one layout per test; a test module may
define its own ``template`` of another size), and a helper."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import generate

__all__ = [
    "AS_OF",
    "TODAY",
    "age_files",
    "generate",
    "hazard_files",
    "ledger",
    "ledger_with_plan_outside_evidence",
    "template",
]

TODAY = dt.date(2026, 11, 23)
AS_OF = dt.date(2026, 9, 30)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen")
    generate.generate(out, hazards_n=120, enterprises_n=15, activities_n=60, mistakes=0.1)
    return out


@pytest.fixture(params=["lists", "per-record"])
def ledger(request: pytest.FixtureRequest, template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "ledger"
    shutil.copytree(template / request.param, root)
    return root


def age_files(root: Path, seconds: int = 3600) -> None:
    """Make every file older than the stat index's racy window (a file written just now
    is never remembered, so it would be read again anyway)."""
    for path in root.rglob("*"):
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 10**9))


def hazard_files(root: Path) -> list[Path]:
    return sorted((root / "hazards").rglob("*.yaml"))


def ledger_with_plan_outside_evidence(root: Path) -> Path:
    """A small valid ledger whose first hazard names ``docs/plan.pdf`` (outside
    evidence/, not there yet): a path the rules look up on disk."""
    generate.generate(
        root, hazards_n=5, enterprises_n=2, activities_n=0, layout="lists", mistakes=0
    )
    path = next((root / "hazards").rglob("*.yaml"))
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("  responsible:", "  plan: docs/plan.pdf\n  responsible:", 1), encoding="utf-8"
    )
    return root
