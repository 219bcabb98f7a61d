"""Render a check result as text, JSON, GitHub Actions annotations or SARIF 2.1.0."""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import groupby

from rich.console import Console
from rich.markup import escape

from safeledger import __version__
from safeledger.api import CheckResult
from safeledger.diagnostics import Diagnostic

_KIND_ZH = {"hazards": "隐患", "enterprises": "单位", "activities": "活动"}


def render_text(result: CheckResult, console: Console, *, show_hints: bool = True) -> None:
    """Grouped by file; coloured when ``console`` is a terminal; a summary line last."""
    for file, group in groupby(result.diagnostics, key=lambda d: d.file or "(ledger)"):
        console.print(f"[bold]{escape(file)}[/bold]")
        for d in group:
            where = f"{d.line or '-'}:{d.column or '-'}"
            colour = "red" if d.severity == "error" else "yellow"
            rec = f" [dim]\\[{escape(d.record)}][/dim]" if d.record else ""
            console.print(
                f"  {where:>8}  [{colour}]{d.severity:<7}[/{colour}] [cyan]{d.code}[/cyan]  "
                f"{escape(d.message)}{rec}"
            )
            if show_hints and d.hint:
                console.print(f"            [dim]hint: {escape(d.hint)}[/dim]")
    records = ", ".join(f"{n} {kind}" for kind, n in result.records.items())
    mark, colour = ("✗", "red") if result.errors else ("✓", "green")
    console.print(
        f"[{colour}]{mark}[/{colour}] {result.errors} error(s), {result.warnings} warning(s) in "
        f"{records} (as of {result.as_of.isoformat()})"
    )


def render_json(result: CheckResult) -> str:
    return pretty_json(result.to_json()) + "\n"


_encode_str: Callable[[str], str] = (
    getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring
)
_SCALARS: dict[object, str] = {None: "null", True: "true", False: "false"}


def pretty_json(value: object, indent: str = "") -> str:
    """The text of ``json.dumps(value, ensure_ascii=False, indent=2)``, several times
    faster: ``json`` falls back to its pure-Python encoder whenever ``indent`` is set, which
    dominated ``check --format json`` of a 100,000-record ledger (docs/performance.md)."""
    kind = type(value)
    if kind is str:
        return _encode_str(value)  # type: ignore[arg-type]
    if kind is int:
        return int.__repr__(value)
    if value is None or kind is bool:
        return _SCALARS[value]
    inner = indent + "  "
    if kind is dict:
        if not value:
            return "{}"
        parts = []
        for k, v in value.items():  # type: ignore[attr-defined]
            if type(k) is not str:
                return _fallback(value, indent)
            vk = type(v)
            if vk is str:
                text = _encode_str(v)
            elif vk is int:
                text = int.__repr__(v)
            elif v is None or vk is bool:
                text = _SCALARS[v]
            else:
                text = pretty_json(v, inner)
            parts.append(f"{_encode_str(k)}: {text}")
        return "{\n" + inner + (",\n" + inner).join(parts) + "\n" + indent + "}"
    if kind is list:
        if not value:
            return "[]"
        body = (",\n" + inner).join([pretty_json(v, inner) for v in value])  # type: ignore[attr-defined]
        return "[\n" + inner + body + "\n" + indent + "]"
    return _fallback(value, indent)


def _fallback(value: object, indent: str) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return text.replace("\n", "\n" + indent) if indent else text


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: CheckResult, ledger_prefix: str = "") -> str:
    """``::error file=…,line=…,col=…,title=…::message`` lines for GitHub Actions.
    ``ledger_prefix`` is the ledger's path from the repository root ("" at the root)."""
    lines = []
    for d in result.diagnostics:
        props = []
        if d.file:
            props.append(f"file={_escape_property(ledger_prefix + d.file)}")
        if d.line:
            props.append(f"line={d.line}")
        if d.column:
            props.append(f"col={d.column}")
        props.append(f"title={_escape_property('safeledger ' + d.code)}")
        message = d.message + (f" [{d.record}]" if d.record else "")
        lines.append(f"::{d.severity} {','.join(props)}::{_escape_data(message)}")
    return "".join(line + "\n" for line in lines)


def render_sarif(result: CheckResult, ledger_prefix: str = "") -> str:
    """SARIF 2.1.0: one run, one rule per diagnostic code."""
    codes = sorted({d.code for d in result.diagnostics})
    rules = [{"id": code, "name": code, "shortDescription": {"text": code}} for code in codes]
    index = {code: i for i, code in enumerate(codes)}
    results = [_sarif_result(d, index[d.code], ledger_prefix) for d in result.diagnostics]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "safeledger",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/safeledger/",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _sarif_result(d: Diagnostic, rule_index: int, prefix: str) -> dict[str, object]:
    region: dict[str, int] = {}
    if d.line:
        region["startLine"] = d.line
    if d.column:
        region["startColumn"] = d.column
    location: dict[str, object] = {
        "physicalLocation": {
            "artifactLocation": {"uri": prefix + (d.file or "safeledger.yaml")},
            **({"region": region} if region else {}),
        }
    }
    out: dict[str, object] = {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": "error" if d.severity == "error" else "warning",
        "message": {"text": d.message},
        "locations": [location],
    }
    if d.record:
        out["properties"] = {"record": d.record, "field": d.field}
    return out
