"""Diagnostic codes the reader emits, each with a one-line description (docs list them)."""

from __future__ import annotations

READ_CODES: dict[str, str] = {
    "yaml-syntax": "A YAML file is not well-formed (includes tabs used for indentation).",
    "duplicate-key": "A key appears twice in the same mapping; the first value is kept.",
    "encoding": "A file's bytes are not valid text (YAML: UTF-8; CSV: UTF-8 or GB18030).",
    "not-a-record": "A YAML document or list item is not a mapping, so it cannot be a record.",
    "empty-file": "A ledger file holds no records.",
    "binary-file": "A file holds NUL bytes: it is binary (or UTF-16), not a text ledger file.",
    "too-large": "A file is larger than the reader's size limit and was skipped.",
    "alias-limit": "YAML aliases expand to too much data (an alias bomb); the file was refused.",
    "too-deep": "YAML nesting is deeper than the parser allows.",
    "csv-syntax": "A CSV file cannot be parsed, or a row has more cells than the header.",
    "csv-header": "A CSV header row has duplicate or empty column names.",
    "unreadable": "A file could not be opened (permissions, a broken link).",
    "symlink-outside": "A symbolic link points outside the ledger folder and was not read.",
    "config-missing": "safeledger.yaml is missing at the ledger root.",
    "config-syntax": "safeledger.yaml cannot be read or is not a mapping of settings.",
    "interrupted-write": "An import was interrupted (.safeledger-staging/); the next editing "
    "command completes or discards it.",
}

YAML_SYNTAX = "yaml-syntax"
DUPLICATE_KEY = "duplicate-key"
ENCODING = "encoding"
NOT_A_RECORD = "not-a-record"
EMPTY_FILE = "empty-file"
BINARY_FILE = "binary-file"
TOO_LARGE = "too-large"
ALIAS_LIMIT = "alias-limit"
TOO_DEEP = "too-deep"
CSV_SYNTAX = "csv-syntax"
CSV_HEADER = "csv-header"
UNREADABLE = "unreadable"
SYMLINK_OUTSIDE = "symlink-outside"
CONFIG_MISSING = "config-missing"
CONFIG_SYNTAX = "config-syntax"
INTERRUPTED_WRITE = "interrupted-write"
