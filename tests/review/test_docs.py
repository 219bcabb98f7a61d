"""The CI examples of docs/git-review.md are valid workflow files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

DOC = Path(__file__).resolve().parents[2] / "docs" / "git-review.md"


def yaml_blocks() -> list[Any]:
    text = DOC.read_text(encoding="utf-8")
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def vendored_schema(name: str) -> dict[str, Any]:
    pytest.importorskip("check_jsonschema")
    import json
    from importlib import resources

    path = resources.files("check_jsonschema.builtin_schemas.vendor") / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_github_workflow_is_valid() -> None:
    schema = vendored_schema("github-workflows")
    import jsonschema

    (workflow,) = [b for b in yaml_blocks() if isinstance(b, dict) and "jobs" in b]
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads `on` as true
    jsonschema.validate(workflow, schema)
    steps = workflow["jobs"]["check"]["steps"]
    assert any("--format github" in s.get("run", "") for s in steps)
    assert any("diff" in s.get("run", "") and "--format md" in s["run"] for s in steps)


def test_gitlab_ci_is_valid() -> None:
    schema = vendored_schema("gitlab-ci")
    import jsonschema

    (pipeline,) = [b for b in yaml_blocks() if isinstance(b, dict) and "ledger" in b]
    jsonschema.validate(pipeline, schema)


def test_pre_commit_examples_are_valid() -> None:
    configs = [b for b in yaml_blocks() if isinstance(b, dict) and "repos" in b]
    assert len(configs) == 2
    for config in configs:
        (hook,) = config["repos"][0]["hooks"]
        assert hook["id"] == "safeledger-check"
