"""Paths in ``evidence`` and ``plan`` cannot leave the ledger (``..``, absolute and
Windows drive paths, UNC, URLs, symbolic links) and are never opened, let alone for
writing: check and reports only stat them."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from safeledger.api import check_ledger, load_ledger
from safeledger.read.evidence import evidence_problem, list_evidence

TODAY = dt.date(2025, 6, 30)
CONFIG = "organisation: 同心街道办事处\n"
ENTERPRISE = "id: E1\nname: 物业\nkind: 物业企业\nprincipal: 张三\n"


def hazard(evidence: list[str], plan: str = "evidence/plan.pdf") -> str:
    items = "".join(f"  - {_q(p)}\n" for p in evidence)
    return f"""\
id: H1
found_on: 2025-03-01
enterprise: E1
location: 1号楼
category: 燃气
level: major
description: 燃气泄漏
interim_measures: 关阀
measures: 更换
responsible: 李四
deadline: 2025-03-10
rectified_on: 2025-03-09
verified_on: 2025-03-10
verified_by: 王五
reported_on: 2025-03-01
plan: {_q(plan)}
evidence:
{items}"""


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.jpg").write_bytes(b"secret")
    root = tmp_path / "ledger"
    for d in ("enterprises", "hazards", "evidence/2025"):
        (root / d).mkdir(parents=True)
    (root / "safeledger.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "enterprises/e.yaml").write_text(ENTERPRISE, encoding="utf-8")
    (root / "evidence/2025/ok.jpg").write_bytes(b"jpg")
    (root / "evidence/plan.pdf").write_bytes(b"%PDF")
    os.symlink(outside / "secret.jpg", root / "evidence/2025/link.jpg")
    os.symlink(outside, root / "evidence/out")
    os.symlink(root / "evidence/2025/ok.jpg", root / "evidence/2025/inside-link.jpg")
    return root


# path -> expected phrase in the problem (None: accepted)
PATHS: dict[str, str | None] = {
    "evidence/2025/ok.jpg": None,
    "evidence\\2025\\ok.jpg": None,  # Windows separators, same file
    "evidence/2025/inside-link.jpg": None,  # a link that stays inside is fine
    "evidence/2025/link.jpg": "symbolic link that leaves",
    "evidence/out/secret.jpg": "symbolic link that leaves",
    "../outside/secret.jpg": "leaves the ledger folder",
    "evidence/../../outside/secret.jpg": "leaves the ledger folder",
    "/etc/passwd": "absolute path",
    "C:\\Windows\\win.ini": "absolute path",
    "c:/x.jpg": "absolute path",
    "\\\\server\\share\\x.jpg": "absolute path",
    "file:///etc/passwd": "URL",
    "https://evil.example/x.jpg": "URL",
    "evidence/" + "长" * 200 + ".jpg": "too long",  # 600 bytes: longer than a name can be
    "evidence/" + "a/" * 3000: "too long",
    "evidence/missing.jpg": "does not exist",
}


@pytest.mark.parametrize("path", PATHS)
def test_evidence_problem(root: Path, path: str) -> None:
    problem = evidence_problem(path, root, list_evidence(root))
    expected = PATHS[path]
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and expected in problem, problem


def test_listing_skips_links_leaving_the_ledger(root: Path) -> None:
    found = list_evidence(root)
    assert "evidence/2025/ok.jpg" in found and "evidence/2025/inside-link.jpg" in found
    assert not any(Path(p).name == "link.jpg" or "/out/" in p for p in found)


def test_check_reports_each_bad_path_at_its_line(root: Path) -> None:
    bad = [p for p, why in PATHS.items() if why]
    (root / "hazards/h.yaml").write_text(hazard(bad, plan="../outside/plan.pdf"), encoding="utf-8")
    result = check_ledger(root, as_of=TODAY, today=TODAY)
    evidence = [d for d in result.diagnostics if d.code == "evidence"]
    assert len(evidence) == len(bad) + 1  # and the plan
    assert all(d.line is not None and d.file == "hazards/h.yaml" for d in evidence)
    assert any(d.field == "plan" for d in evidence)


@pytest.fixture
def opened() -> Iterator[list[tuple[str, str]]]:
    """Every file the interpreter opens inside the ``with`` (an audit hook: catches
    open(), os.open, io and pathlib alike)."""
    seen: list[tuple[str, str]] = []
    active = [True]

    def hook(event: str, args: tuple[object, ...]) -> None:
        if active[0] and event == "open" and isinstance(args[0], str | bytes | os.PathLike):
            mode = args[1] if len(args) > 1 and isinstance(args[1], str) else ""
            flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
            writing = any(c in (mode or "") for c in "wax+") or bool(
                flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND)
            )
            seen.append((os.fsdecode(args[0]), "w" if writing else "r"))  # type: ignore[arg-type]

    sys.addaudithook(hook)  # cannot be removed: switched off below
    yield seen
    active[0] = False


def test_evidence_and_plan_are_never_opened(
    root: Path, tmp_path: Path, opened: list[tuple[str, str]]
) -> None:
    (root / "hazards/h.yaml").write_text(
        hazard(["evidence/2025/ok.jpg", "evidence/2025/link.jpg"]), encoding="utf-8"
    )
    from safeledger.evaluate.periods import quarter
    from safeledger.report import render_report

    opened.clear()  # the test's own write above
    loaded = load_ledger(root, today=TODAY)
    check_ledger(root, as_of=TODAY, today=TODAY)
    for fmt in ("md", "html", "docx", "xlsx", "json"):
        render_report(loaded.ledger, quarter(2025, 1), fmt=fmt, kind="ledger")
    touched = [
        (p, m) for p, m in opened if "/evidence/" in p or "/outside/" in p or p.endswith(".pdf")
    ]
    assert touched == []
    writes_in_ledger = [p for p, m in opened if m == "w" and p.startswith(str(root))]
    assert writes_in_ledger == []  # check and reports write nothing into the ledger
