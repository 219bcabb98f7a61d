"""Start-up: the command line imports only what the command it runs needs, so that
``safeledger check`` answered from the cache (a pre-commit hook on an unchanged ledger)
never imports pydantic or a YAML parser (docs/performance.md, "Start-up")."""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_status import write_ledger

# What the command line must not import before a command needs it.
HEAVY = ("pydantic", "pydantic_core", "yaml_rs", "yaml", "ruamel", "jinja2", "openpyxl",
         "docx", "filelock", "multiprocessing", "concurrent")


def _imported(code: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print('\\n'.join(sys.modules))"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    return sorted(m for m in out if m.split(".")[0] in HEAVY)


def test_the_command_line_imports_no_heavy_library() -> None:
    assert _imported("import safeledger.cli.app") == []


def test_light_modules_import_without_their_packages_heavy_parts() -> None:
    assert _imported("import safeledger.model.dates, safeledger.model.enums") == []
    assert _imported("import safeledger.read.discover, safeledger.cache") == []


def _modules_imported_by(args: list[str], cache: Path) -> tuple[int, set[str]]:
    """Exit status of ``python -X importtime -m safeledger *args`` and the modules it
    imported (importtime's report on standard error)."""
    env = {**os.environ, "SAFELEDGER_CACHE_DIR": str(cache)}
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "safeledger", *args],
        capture_output=True, text=True, env=env,
    )
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in run.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    return run.returncode, modules


def test_check_answered_from_the_cache_imports_no_model_or_parser(tmp_path: Path) -> None:
    root = write_ledger(tmp_path / "ledger")
    args = ["check", str(root), "--format", "json", "--as-of", "2025-06-30"]
    first, cold = _modules_imported_by(args, tmp_path / "cache")
    again, warm = _modules_imported_by(args, tmp_path / "cache")
    assert first == again
    # the first run really loads the ledger (so the second one's absence means something)
    ours = {"safeledger.api", "safeledger.model.records", "safeledger.validate"}
    assert {"yaml_rs", *ours} <= cold
    # pydantic included: typer 0.29 coerces options through pydantic (+0.2 s a run),
    # which is why pyproject.toml keeps typer below it
    assert not {m for m in warm if m.split(".")[0] in HEAVY}
    assert not ours & warm


@pytest.mark.parametrize("package", ["safeledger.model", "safeledger.read"])
def test_lazy_exports_match_what_type_checkers_see(package: str) -> None:
    """The names under ``if TYPE_CHECKING:`` are the names the package hands out, and
    each one is the object its submodule defines."""
    module = importlib.import_module(package)
    tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
    typed: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom) and imp.module
                typed.update({alias.name: imp.module for alias in imp.names})
    assert sorted(typed) == module.__all__
    for name, home in typed.items():
        assert getattr(module, name) is getattr(importlib.import_module(home), name)
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        module.nothing_here  # noqa: B018


def test_read_locate_is_the_function_whatever_was_imported_first() -> None:
    code = (
        "import safeledger.read.locator\n"
        "from safeledger.read import locate\n"
        "assert callable(locate) and locate.__module__ == 'safeledger.read.locator', locate"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
