"""The wheel carries the built-in report templates (they live in the top-level
templates/ folder of the repository)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_every_builtin_template(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0 and "hatchling" in proc.stderr:
        pytest.skip(f"cannot build the wheel here: {proc.stderr[-300:]}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("safeledger-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"safeledger/templates/{p.name}" for p in (ROOT / "templates").iterdir() if p.is_file()
    }
    assert expected and expected <= names
    assert "safeledger/cli/app.py" in names
