"""Resource limits: huge files, a 10 MB line, deep nesting and an alias bomb each give a
diagnostic (or are processed) in bounded time and memory, and the rest of the ledger is
still checked.  Each check runs in a fresh process (tests/security/measure.py) so the
peak memory (ru_maxrss) is its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

MEASURE = Path(__file__).with_name("measure.py")
ROOT = Path(__file__).resolve().parents[2]
GOOD = """\
id: H-OK
found_on: 2025-03-01
enterprise: E1
location: 1号楼
category: 消防设施
level: general
description: 灭火器过期
responsible: 李四
deadline: 2025-02-01
"""  # deadline before found_on: one known error, so we can see the file was checked
ENTERPRISE = "id: E1\nname: 物业\nkind: 物业企业\nprincipal: 张三\n"
BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join(["*" + chr(97 + i)] * 9) + "]\n" for i in range(9)
)


def _ledger(root: Path, files: dict[str, str | bytes]) -> Path:
    files = {
        "safeledger.yaml": "organisation: 同心街道办事处\n",
        "enterprises/e.yaml": ENTERPRISE,
        "hazards/good.yaml": GOOD,
        **files,
    }
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
    return root


def _measure(root: Path, timeout: float) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, str(MEASURE), str(root)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout)
    # the good file was checked: its chronology error is there
    assert result["codes"]["hazards/good.yaml"].get("chronology") == 1, result["codes"]
    return result


def test_hostile_files_in_one_ledger(tmp_path: Path) -> None:
    long = "x" * 10_000_000
    root = _ledger(
        tmp_path,
        {
            "hazards/bomb.yaml": BOMB,
            "hazards/deep-flow.yaml": "[" * 10_000 + "]" * 10_000 + "\n",
            "hazards/deep-map.yaml": "{a: " * 10_000 + "1" + "}" * 10_000 + "\n",
            "hazards/deep-block.yaml": "".join(" " * i + f"k{i}:\n" for i in range(10_000))
            + " " * 10_000
            + "x\n",
            "hazards/deep-dash.yaml": "- " * 10_000 + "x\n",
            "hazards/long-line.yaml": f"id: H-LONG\nnotes: {long}\n",
            "hazards/long-broken.yaml": f"a: [{long}\n",
            "hazards/long-csv.csv": f"隐患编号,备注\nH-LCSV,{long}\n",
            "hazards/deep-csv-quote.csv": '隐患编号,备注\nH-Q,"' + "\n" * 100_000 + "\n",
        },
    )
    result = _measure(root, timeout=120)
    codes = result["codes"]
    assert codes["hazards/bomb.yaml"] == {"alias-limit": 1}
    for name in ("deep-flow", "deep-map", "deep-block", "deep-dash"):
        assert codes[f"hazards/{name}.yaml"] == {"too-deep": 1}, (name, codes)
    assert codes["hazards/long-broken.yaml"] == {"yaml-syntax": 1}
    assert "required" in codes["hazards/long-line.yaml"]  # read and validated
    assert "required" in codes["hazards/long-csv.csv"]
    assert codes["hazards/deep-csv-quote.csv"] == {"csv-syntax": 1}
    assert result["seconds"] < 60
    assert result["peak_mb"] < 1536, result["peak_mb"]


@pytest.mark.slow  # writes a 200 MB file
def test_a_200_mb_file_is_skipped_with_a_diagnostic(tmp_path: Path) -> None:
    root = _ledger(tmp_path, {})
    chunk = ("- id: H\n  notes: " + "x" * 1000 + "\n").encode() * 1000
    with open(root / "hazards" / "huge.yaml", "wb") as out:
        for _ in range(200 * 2**20 // len(chunk) + 1):
            out.write(chunk)
    assert (root / "hazards" / "huge.yaml").stat().st_size > 200 * 2**20
    result = _measure(root, timeout=120)
    assert result["codes"]["hazards/huge.yaml"] == {"too-large": 1}
    assert result["seconds"] < 30 and result["peak_mb"] < 1536


@pytest.mark.slow  # a 1,000,000-line CSV (83 MB), every row a valid hazard
def test_a_million_line_csv_is_processed(tmp_path: Path) -> None:
    root = _ledger(tmp_path, {})
    header = "隐患编号,发现日期,责任单位,隐患部位,隐患类别,隐患等级,隐患描述,整改责任人,整改期限\n"
    with open(root / "hazards" / "big.csv", "w", encoding="utf-8") as out:
        out.write(header)
        for i in range(999_999):
            out.write(f"H{i},2025-01-02,E1,楼道,消防设施,一般,灭火器过期,李四,2025-12-31\n")
    result = _measure(root, timeout=600)
    assert result["records"]["hazards"] == 1_000_000
    assert result["seconds"] < MILLION_SECONDS and result["peak_mb"] < MILLION_MB, result


# Measured on the 2-core CI box (see docs/security.md): a million valid records are
# processed, not refused; these bounds catch a regression to unbounded growth.
MILLION_SECONDS = 400
MILLION_MB = 6144
