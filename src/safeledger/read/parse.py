"""YAML text -> top items and diagnostics, with yaml-rs as the bulk parser.

Top items are what records are made of: each document that is a mapping (or any
non-sequence value), and each item of a document that is a sequence; empty documents are
skipped.  Values follow the YAML 1.2 core schema, ISO dates become ``datetime.date``.

Leading zeros: YAML 1.2 reads a plain ``007`` or ``0431888888`` as an int.  A cheap regex
spots files that may hold such scalars; only for those, libyaml's event stream (exact,
slower) finds the plain scalars ``[-+]?0[0-9]+`` and they are quoted in the text before
yaml-rs parses it, so they stay strings as written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
import yaml_rs

from safeledger.diagnostics import ERROR, Diagnostic
from safeledger.read import codes
from safeledger.read.events import scan_events

MAX_DEPTH = 64  # nesting a record may have; ledgers need about 4
ALIAS_LIMITS = yaml_rs.AliasLimits(max_total_replayed_events=100_000, max_replay_stack_depth=32)

_ZERO_HINT = re.compile(
    r"(?:(?:^[ \t]*-|:)[ \t]+|[\[,{][ \t]*)[-+]?0[0-9]+(?=[ \t]*(?:[,\]}#\r]|$))", re.M
)
_ZERO_SEEDS = (" 0", "[0", ",0")  # a signed "-007" or a tab before it is not looked for
_MARKER = re.compile(r"^(---|\.\.\.)(?=[ \t\r]|$)", re.M)
_CONTENT = re.compile(r"^[ \t]*[^\s#%]", re.M)
_POSITION = re.compile(r"line (\d+), column (\d+)")


@dataclass(slots=True)
class YamlParse:
    items: list[Any] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def parse_yaml_text(text: str, file: str) -> YamlParse:
    """Parse one YAML file's text (BOM already removed).  Never raises on bad input."""
    result = YamlParse()
    source = _keep_leading_zeros(text)
    try:
        return _parse(source, text, file, result)
    except (TypeError, ValueError, OverflowError, RecursionError) as err:
        # yaml-rs itself failed (``- ? : -`` raised "unhashable type: 'list'"; found by
        # atheris): the file is reported, never a traceback.
        result.items = []
        result.diagnostics.append(
            Diagnostic(
                codes.YAML_SYNTAX,
                ERROR,
                f"YAML syntax error: the parser cannot build this file "
                f"({type(err).__name__}: {str(err)[:100]})",
                file=file,
                line=1,
                column=1,
                hint="Look for a key that is itself a list or mapping (`? ...`), or "
                "simplify the structure; ledger keys are plain text.",
            )
        )
        return result


def _parse(source: str, text: str, file: str, result: YamlParse) -> YamlParse:
    try:
        loaded = yaml_rs.loads(source, alias_limits=ALIAS_LIMITS)
    except yaml_rs.YAMLDecodeError as err:
        if not str(err).startswith("duplicate mapping key"):
            result.diagnostics.append(_syntax_diagnostic(str(err), file))
            return result
        result.diagnostics.extend(_duplicates(text, file, str(err)))
        try:
            loaded = yaml_rs.loads(
                source,
                alias_limits=ALIAS_LIMITS,
                duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.FirstWins,
            )
        except yaml_rs.YAMLDecodeError as again:
            result.diagnostics.append(_syntax_diagnostic(str(again), file))
            return result
    result.items = top_items(loaded, text)
    if may_be_deep(text) and any(_too_deep(item) for item in result.items):
        result.items = []
        result.diagnostics.append(
            Diagnostic(
                codes.TOO_DEEP,
                ERROR,
                f"nesting deeper than {MAX_DEPTH} levels; a ledger record needs only a few",
                file=file,
                line=1,
                column=1,
            )
        )
    return result


def top_items(loaded: Any, text: str) -> list[Any]:
    """Flatten what ``yaml_rs.loads`` returned into top items (see the module doc).

    yaml-rs returns a list both for one document that is a sequence and for several
    documents, so the document markers in the text decide which it was."""
    if not isinstance(loaded, list):
        return [] if loaded is None else [loaded]
    marked = text.startswith(("---", "...")) or "\n---" in text or "\n..." in text
    docs = document_count(text) if marked else 1
    if docs < 2 or len(loaded) != docs:
        return loaded
    items: list[Any] = []
    for doc in loaded:
        if isinstance(doc, list):
            items.extend(doc)
        elif doc is not None:
            items.append(doc)
    return items


def document_count(text: str) -> int:
    """How many documents the ``---``/``...`` markers delimit (markers cannot occur inside
    scalars at column 0, so a line scan is exact)."""
    docs, open_doc, pos = 0, False, 0
    for m in _MARKER.finditer(text):
        if not open_doc and _CONTENT.search(text, pos, m.start()):
            docs += 1
        open_doc = m.group(1) == "---"
        docs += open_doc
        pos = m.end()
    if not open_doc and _CONTENT.search(text, pos):
        docs += 1
    return docs


def may_have_leading_zeros(text: str) -> bool:
    """Cheap test for a plain scalar like ``007``: find each seed with ``str.find`` (fast)
    and run the exact regex on that line only."""
    for seed in _ZERO_SEEDS:
        at = text.find(seed)
        while at >= 0:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            if _ZERO_HINT.search(text, start, end):
                return True
            at = text.find(seed, end)
    return False


def _keep_leading_zeros(text: str) -> str:
    if not may_have_leading_zeros(text):
        return text
    try:
        spans = scan_events(text).leading_zero
    except yaml.YAMLError:
        return text  # yaml-rs will report the syntax error
    parts: list[str] = []
    pos = 0
    for start, end in spans:
        parts += [text[pos:start], "'", text[start:end], "'"]
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _syntax_diagnostic(message: str, file: str) -> Diagnostic:
    lines = [ln for ln in message.splitlines() if ln.strip()]
    m = _POSITION.search(lines[0]) if lines else None
    reason = lines[-1].strip() if len(lines) > 1 else (lines[0] if lines else "unknown error")
    reason = reason[:200]
    line, column = (int(m.group(1)), int(m.group(2))) if m else (None, None)
    code, hint = codes.YAML_SYNTAX, "Check the YAML syntax near this position."
    if "alias" in message and "limit" in message:
        code, hint = codes.ALIAS_LIMIT, "Write the values out instead of nesting aliases."
        reason = "aliases expand to too much data (" + reason + ")"
    elif "recursion limit" in message:
        code, hint = codes.TOO_DEEP, "A ledger record needs only a few levels of nesting."
        reason = "nesting too deep for the parser"
    elif "tab" in reason:
        hint = "Indent with spaces; YAML does not allow tabs for indentation."
    return Diagnostic(
        code,
        ERROR,
        f"YAML syntax error: {reason}" if code == codes.YAML_SYNTAX else reason,
        file=file,
        line=line,
        column=column,
        hint=hint,
    )


def _duplicates(text: str, file: str, message: str) -> list[Diagnostic]:
    hint = "Each key may be written once per mapping; the first value is used."
    try:
        found = scan_events(text).duplicates
    except yaml.YAMLError:
        found = []
    if not found:  # libyaml could not parse it: look for the key's second `key:` line
        key = message.partition(": ")[2]
        bare = key.strip("'\"")
        lines = [
            n
            for n, ln in enumerate(text.splitlines(), start=1)
            if ln.lstrip(" -").startswith((f"{bare}:", f"{key}:"))
        ]
        line = lines[1] if len(lines) > 1 else 1
        return [
            Diagnostic(codes.DUPLICATE_KEY, ERROR, f"duplicate key {key}", file, line, 1, hint=hint)
        ]
    return [
        Diagnostic(
            codes.DUPLICATE_KEY,
            ERROR,
            f"duplicate key '{d.key}' (first written at line {d.first_line})",
            file=file,
            line=d.line,
            column=d.column,
            hint=hint,
        )
        for d in found
    ]


def may_be_deep(text: str) -> bool:
    """Cheap test for deep nesting (an ``or`` chain: no generator per file)."""
    return (
        " " * 40 in text
        or "- - - - " in text
        or "[[[[" in text
        or "{{{{" in text
        or "[ [ [ [ " in text
        or "{ { { { " in text
    )


def _too_deep(value: Any) -> bool:
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return False


def not_a_record(file: str, index: int, value: Any, where: tuple[int, int]) -> Diagnostic:
    """A top item that is not a mapping (``index`` counts all top items)."""
    what = "a list" if isinstance(value, list) else f"the scalar {str(value)[:40]!r}"
    return Diagnostic(
        codes.NOT_A_RECORD,
        ERROR,
        f"item {index + 1} is {what}, not a record; a record is a mapping of `key: value` lines",
        file=file,
        line=where[0],
        column=where[1],
        hint="Write one mapping per record, or a list of mappings (`- id: ...`).",
    )
