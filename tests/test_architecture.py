"""The layering is a test, not a hope: read -> validate -> evaluate -> present -> cli."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "safeledger"

# What each lower layer must never import (a direct AST check, independent of import-linter).
FORBIDDEN = {
    "read": (
        "safeledger.validate",
        "safeledger.evaluate",
        "safeledger.report",
        "safeledger.cli",
        "safeledger.api",
        "safeledger.review",
        "safeledger.edit",
        "safeledger.transfer",
    ),
    "model": (
        "safeledger.read",
        "safeledger.validate",
        "safeledger.evaluate",
        "safeledger.cli",
        "safeledger.report",
    ),
    "validate": ("safeledger.evaluate", "safeledger.report", "safeledger.cli", "safeledger.api"),
    "evaluate": (
        "safeledger.read",
        "safeledger.report",
        "safeledger.cli",
        "safeledger.api",
        "safeledger.review",
        "safeledger.edit",
        "safeledger.transfer",
    ),
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_lower_layers_do_not_import_higher_ones(layer: str) -> None:
    bad = []
    for path in sorted((SRC / layer).rglob("*.py")):
        for name in _imports(path):
            if name.startswith(FORBIDDEN[layer]):
                bad.append(f"{path.relative_to(SRC)} imports {name}")
    assert bad == []


def test_cli_has_no_business_logic_imports_from_pydantic() -> None:
    """Commands call library functions; they never build or validate models themselves."""
    for path in sorted((SRC / "cli").glob("*.py")):
        assert "pydantic" not in _imports(path), path.name


def test_import_linter_contract_holds() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    if not Path(exe).exists():
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    proc = subprocess.run([exe], cwd=SRC.parents[1], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_cli_startup_does_not_import_heavy_libraries() -> None:
    """`safeledger check` must start fast (it runs in pre-commit hooks): report/Office
    libraries are imported by the commands that use them, inside the command."""
    code = (
        "import sys, safeledger.cli.app\n"
        "heavy = [m for m in ('matplotlib', 'openpyxl', 'docx', 'jinja2', 'ruamel.yaml')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""
