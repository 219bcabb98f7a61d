"""Render a check result as text, JSON, GitHub Actions annotations or SARIF 2.1.0."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from itertools import groupby
from operator import attrgetter
from typing import IO, TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from safeledger import __version__
from safeledger._json import indented_bytes
from safeledger.diagnostics import Diagnostic, count

if TYPE_CHECKING:
    from safeledger.api import CheckResult

_KIND_ZH = {"hazards": "隐患", "enterprises": "单位", "activities": "活动"}


def render_text(result: CheckResult, console: Console, *, show_hints: bool = True) -> None:
    """Grouped by file; coloured when ``console`` is a terminal; a summary line last."""
    out = _Lines(console)
    for file, group in groupby(result.diagnostics, key=lambda d: d.file or "(ledger)"):
        if not out.text(file, file):
            out.markup(f"[bold]{escape(file)}[/bold]")
        for d in group:
            where = f"{d.line or '-'}:{d.column or '-'}"
            if not out.text(
                f"  {where:>8}  {d.severity:<7} {d.code}  {d.message}"
                + (f" [{d.record}]" if d.record else ""),
                f"{d.severity} {d.code} {d.message} {d.record or ''}",
            ):
                colour = "red" if d.severity == "error" else "yellow"
                rec = f" [dim]\\[{escape(d.record)}][/dim]" if d.record else ""
                out.markup(
                    f"  {where:>8}  [{colour}]{d.severity:<7}[/{colour}] [cyan]{d.code}[/cyan]  "
                    f"{escape(d.message)}{rec}"
                )
            if show_hints and d.hint and not out.text(f"            hint: {d.hint}", d.hint):
                out.markup(f"            [dim]hint: {escape(d.hint)}[/dim]")
    records = ", ".join(f"{n} {kind}" for kind, n in result.records.items())
    mark, colour = ("✗", "red") if result.errors else ("✓", "green")
    summary = (
        f"{result.errors} error(s), {result.warnings} warning(s) in "
        f"{records} (as of {result.as_of.isoformat()})"
    )
    if not out.text(f"{mark} {summary}", records):
        out.markup(f"[{colour}]{mark}[/{colour}] {summary}")
    out.flush()


# Text that rich's markup rendering would change (escapes, control codes it strips, tabs
# it expands, ``:emoji:`` codes): lines with such values are rendered by rich itself.
_RICH_SENSITIVE = re.compile(r"[\x00-\x1f\x7f\\\[\]]|:\S*?:")


def plain_text(console: Console) -> bool:
    """Does ``console`` print markup as its bare text (no styles, not a terminal, no
    wrapping)?  Then :func:`render_text` gives the same text to any such console."""
    return (
        console.color_system is None
        and not console.is_terminal
        and not console.record
        and not console.quiet
        and not console.is_jupyter
        and console.soft_wrap
    )


def text_console(file: IO[str]) -> Console:
    """A console writing :func:`render_text`'s bare text to ``file`` (e.g. to keep it)."""
    return Console(
        file=file, highlight=False, soft_wrap=True, color_system=None, force_terminal=False
    )


class _Lines:
    """The lines of :func:`render_text`.  Rich costs ~0.4 ms a line (46 s for 100,000
    diagnostics); a console that prints markup as its bare text (no colour, not a
    terminal, no wrapping) is given the bare text directly, written at once."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.plain = plain_text(console)
        self.parts: list[str] = []

    def text(self, line: str, values: str) -> bool:
        """Take ``line`` (the bare text of the line's markup) when the console prints
        bare text and the ``values`` written into it hold nothing rich would change;
        False: the caller gives the markup instead."""
        if self.plain and not _RICH_SENSITIVE.search(values):
            self.parts.append(line + "\n")
            return True
        return False

    def markup(self, markup: str) -> None:
        self.flush()
        self.console.print(markup)

    def flush(self) -> None:
        if self.parts:
            self.console.file.write("".join(self.parts))
            self.parts.clear()


def render_json(result: CheckResult) -> str:
    """``pretty_json(result.to_json())``: by orjson (safeledger._json) when it writes the
    same text, else with each diagnostic written straight from its fields."""
    return render_json_bytes(result).decode("utf-8")


def render_json_bytes(result: CheckResult) -> bytes:
    """:func:`render_json`'s text in UTF-8, made as bytes (what standard output and the
    cache take) when orjson writes it."""
    # spec section 8: text, whole numbers and nulls only — never a float
    data = indented_bytes(result.to_json(), floats=False)
    if data is not None:
        return data + b"\n"
    return _render_json_slowly(result).encode("utf-8")


def _render_json_slowly(result: CheckResult) -> str:
    errors, warnings = count(result.diagnostics)
    doc = {
        "ledger": str(result.root),
        "as_of": result.as_of.isoformat(),
        "diagnostics": [],
        "summary": {"errors": errors, "warnings": warnings, "records": dict(result.records)},
    }
    text = pretty_json(doc)
    if not result.diagnostics:
        return text + "\n"
    # the rendered items go into the empty list (an encoded string has no bare quote)
    head, tail = text.split('"diagnostics": []', 1)
    items = ",\n    ".join(_diagnostic_items(result.diagnostics, "    "))
    return f'{head}"diagnostics": [\n    {items}\n  ]{tail}\n'


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
        items = _flat_records(value, inner) if type(value[0]) is dict else None  # type: ignore[index, arg-type]
        if items is None:
            items = [pretty_json(v, inner) for v in value]  # type: ignore[attr-defined]
        return "[\n" + inner + (",\n" + inner).join(items) + "\n" + indent + "]"
    return _fallback(value, indent)


def _flat_records(rows: list[object], indent: str) -> list[str] | None:
    """The items of a list of flat dicts with the same keys (diagnostics), each filled into
    one template; None when the list is not that (then the general path answers)."""
    first = rows[0]
    assert type(first) is dict
    keys = tuple(first)
    if not keys or any(type(k) is not str for k in keys):
        return None
    inner = indent + "  "
    template = (
        "{\n"
        + inner
        + (",\n" + inner).join(_encode_str(k).replace("%", "%%") + ": %s" for k in keys)
        + "\n"
        + indent
        + "}"
    )
    enc = _encode_str
    out = []
    for row in rows:
        if type(row) is not dict or tuple(row) != keys:
            return None
        values = []
        for v in row.values():
            kind = type(v)
            if kind is str:
                values.append(enc(v))
            elif kind is int:
                values.append(int.__repr__(v))
            elif v is None or kind is bool:
                values.append(_SCALARS[v])
            else:
                return None
        out.append(template % tuple(values))
    return out


def _diagnostic_items(diags: list[Diagnostic], indent: str) -> list[str]:
    """``pretty_json(d.to_json(), indent)`` of each diagnostic (spec section 8)."""
    inner = indent + "  "
    keys = ("code", "severity", "file", "line", "column", "record", "field", "message")
    template = "{\n" + inner + (",\n" + inner).join(f'"{k}": %s' for k in keys)
    template += "\n" + indent + "}"
    enc = _encode_str
    # codes, severities, files and fields repeat: encode each once
    seen: dict[str, str] = {}

    def once(text: str) -> str:
        out = seen[text] = enc(text)
        return out

    out = []
    for d, (code, severity, file, line, column, record, field, message) in zip(
        diags, map(_JSON_FIELDS, diags), strict=True
    ):
        # the encoder refuses what is not a str (TypeError); ints are checked here
        if (line is None or type(line) is int) and (column is None or type(column) is int):
            try:
                out.append(
                    template
                    % (
                        seen.get(code) or once(code),
                        seen.get(severity) or once(severity),
                        "null" if file is None else seen.get(file) or once(file),
                        "null" if line is None else int.__repr__(line),
                        "null" if column is None else int.__repr__(column),
                        "null" if record is None else enc(record),
                        "null" if field is None else seen.get(field) or once(field),
                        enc(message),
                    )
                )
                continue
            except TypeError:
                pass
        out.append(pretty_json(d.to_json(), indent))  # values of unusual types
    return out


_JSON_FIELDS = attrgetter(
    "code", "severity", "file", "line", "column", "record", "field", "message"
)


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
