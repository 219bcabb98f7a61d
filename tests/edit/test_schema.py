from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from safeledger.cli.app import app
from safeledger.edit.schema import KINDS, json_schema, render_schema
from safeledger.read.parse import parse_yaml_text
from tests.edit.conftest import ENTERPRISES, HAND_WRITTEN

EXAMPLE = Path(__file__).resolve().parents[2] / "ledgers" / "tongxin"


def as_editor_sees(value: Any) -> Any:
    """YAML 1.2 (what editors use) has no date type: 2025-03-01 is a string."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): as_editor_sees(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_editor_sees(v) for v in value]
    return value


def load(text: str) -> Any:
    items = parse_yaml_text(text, "x.yaml").items
    return as_editor_sees(items[0] if len(items) == 1 else items)


def errors(kind: str, document: Any) -> list[str]:
    """Every error message, including those inside oneOf/anyOf branches."""
    validator = jsonschema.Draft202012Validator(json_schema(kind))
    out: list[str] = []
    stack = list(validator.iter_errors(document))
    while stack:
        e = stack.pop()
        out.append(f"{list(e.absolute_path)}: {e.message}")
        stack.extend(e.context or [])
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_schemas_are_valid_and_deterministic(kind: str) -> None:
    schema = json_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert render_schema(kind) == render_schema(kind)
    text = render_schema(kind)
    assert json.loads(text) == schema and "\\u" not in text  # Chinese as written


def test_hand_written_files_validate() -> None:
    assert errors("hazards", load(HAND_WRITTEN)) == []
    assert errors("enterprises", load(ENTERPRISES)) == []


@pytest.mark.skipif(not EXAMPLE.is_dir(), reason="example ledger not generated")
def test_the_example_ledger_validates() -> None:
    checked = 0
    for kind in ("hazards", "enterprises", "activities"):
        for path in sorted((EXAMPLE / kind).rglob("*.yaml")):
            assert errors(kind, load(path.read_text(encoding="utf-8"))) == [], path
            checked += 1
    assert errors("config", load((EXAMPLE / "safeledger.yaml").read_text(encoding="utf-8"))) == []
    assert checked > 10


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("隐患等级: 一般", "隐患等级: 严重"), "is not one of"),
        (("发现日期: 2025/3/1", "发现日期: 3/1/2025"), "does not match"),
        (
            ("  隐患描述: >-\n    地下室灭火器过期，\n    压力表指针在红区\n", ""),
            "is not valid under any",
        ),
        (
            ("  整改责任人: 李四\n", "  整改责任人: 李四\n  responsible: 李四\n"),
            "should not be valid",
        ),
        (('  备注: "无"', '  备注: "无"\n  rectifed_on: 2025-03-05'), "Additional properties"),
        (("        批准人: 孙七", "        approver: 孙七"), "Additional properties"),
    ],
)
def test_broken_records_do_not_validate(change: tuple[str, str], expected: str) -> None:
    broken = HAND_WRITTEN.replace(*change)
    assert broken != HAND_WRITTEN
    found = errors("hazards", load(broken))
    assert found and any(expected in e for e in found), found


def test_activities_are_checked_by_kind() -> None:
    good = {
        "编号": "A-1",
        "类型": "演练",
        "日期": "2025-03-01",
        "单位": "E001",
        "drill_type": "疏散逃生",
    }
    assert errors("activities", good) == []
    assert errors("activities", {**good, "类型": "检查"})  # drill_type is not an inspection field
    assert errors("activities", {**good, "类型": "party"})


def test_cli_writes_the_schema(tmp_path: Path) -> None:
    out = tmp_path / "hazards.schema.json"
    result = CliRunner().invoke(app, ["schema", "--kind", "hazards", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == render_schema("hazards")
    stdout = CliRunner().invoke(app, ["schema", "--kind", "config"])
    assert stdout.exit_code == 0 and json.loads(stdout.stdout)["title"].startswith(
        "safeledger 台账配置"
    )
    assert CliRunner().invoke(app, ["schema", "--kind", "nope"]).exit_code == 2
