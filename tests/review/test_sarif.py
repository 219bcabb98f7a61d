"""``check --format sarif``: a SARIF 2.1.0 log that code hosts accept.

No SARIF schema ships in any package we install (check-jsonschema vendors CI schemas,
not SARIF), so the test holds the subset of the official schema
(sarif-schema-2.1.0.json) that our output uses: the required properties, their types
and the enums, with additionalProperties closed where the official schema closes them
or where a misspelt key would be silently ignored by a code host."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from safeledger.cli.app import app
from tests.review.gitrepo import CLOSED, Repo, as_list, base_ledger, hazard

runner = CliRunner()

MESSAGE = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
SARIF_SUBSET: dict[str, Any] = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"enum": ["2.1.0"]},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["tool"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "version": {"type": "string"},
                        "informationUri": {"type": "string"},
                        "rules": {"type": "array", "items": {
                            "type": "object", "required": ["id"],
                            "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                                           "shortDescription": MESSAGE},
                        }},
                    },
                }}},
                "results": {"type": "array", "items": {
                    "type": "object",
                    "required": ["message"],
                    "additionalProperties": False,
                    "properties": {
                        "ruleId": {"type": "string"},
                        "ruleIndex": {"type": "integer", "minimum": -1},
                        "level": {"enum": ["none", "note", "warning", "error"]},
                        "message": MESSAGE,
                        "properties": {"type": "object"},
                        "locations": {"type": "array", "items": {
                            "type": "object",
                            "properties": {"physicalLocation": {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {
                                    "artifactLocation": {
                                        "type": "object",
                                        "properties": {"uri": {"type": "string"}},
                                    },
                                    "region": {
                                        "type": "object",
                                        "additionalProperties": False,
                                        "properties": {
                                            "startLine": {"type": "integer", "minimum": 1},
                                            "startColumn": {"type": "integer", "minimum": 1},
                                        },
                                    },
                                },
                            }},
                        }},
                    },
                }},
            },
        }},
    },
}


@pytest.fixture
def sarif(repo: Repo) -> dict[str, Any]:
    root = base_ledger(repo)
    repo.write("ledger/hazards/2025.yaml", as_list(
        hazard("H-2025-001", found_on="2025/13/1"),
        hazard("H-2025-003", **{**CLOSED, "measures": "换新"}),
    ))
    result = runner.invoke(app, ["check", str(root), "--format", "sarif", "--no-compliance",
                                 "--against", "main", "--as-of", "2025-06-30"])
    assert result.exit_code == 1, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_sarif_structure(sarif: dict[str, Any]) -> None:
    assert sarif["version"] == "2.1.0"
    (run,) = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "safeledger"
    rules = [r["id"] for r in driver["rules"]]
    assert rules == sorted(rules) and len(set(rules)) == len(rules)
    for res in run["results"]:
        assert rules[res["ruleIndex"]] == res["ruleId"]
        assert res["level"] in ("error", "warning")
        assert res["message"]["text"]
        (loc,) = res["locations"]
        uri = loc["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith("ledger/") and "\\" not in uri  # from the repository top
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert {"audit-removed", "audit-closed-edited", "date-format"} <= set(by_rule)
    removed = [r for r in run["results"] if r["ruleId"] == "audit-removed"]
    assert all("region" not in r["locations"][0]["physicalLocation"] for r in removed)
    edited = by_rule["audit-closed-edited"]["locations"][0]["physicalLocation"]
    assert edited == {"artifactLocation": {"uri": "ledger/hazards/2025.yaml"},
                      "region": {"startLine": 20, "startColumn": 3}}


def test_sarif_matches_schema_subset(sarif: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(sarif, SARIF_SUBSET)
