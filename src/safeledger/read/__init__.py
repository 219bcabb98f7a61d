"""The read layer: ledger files -> raw records with positions, and read diagnostics.

Public API::

    find_ledger_root(start, *, explicit=False) -> Path
    read_ledger(root, *, workers=None) -> RawLedger
    locate(root, diagnostics, *, records=None) -> list[Diagnostic]
    decode_csv_bytes(data) -> (text, encoding);  decode_yaml_bytes(data) -> text
    parse_yaml_text(text, file) -> YamlParse(items, diagnostics)
    parse_csv_text(text, file) -> (rows, header -> column, table)
    read_file(root, rel, kind) -> FileResult;  read_data(data, rel, kind) -> FileResult

See docs/reader.md."""

from safeledger.read.codes import READ_CODES
from safeledger.read.csv_reader import CsvRow, parse_csv_text, row_data, split_csv_rows
from safeledger.read.files import MAX_FILE_BYTES, FileResult, read_data, read_file
from safeledger.read.ledger import find_ledger_root, read_ledger
from safeledger.read.locate import locate
from safeledger.read.parse import YamlParse, parse_yaml_text, top_items
from safeledger.read.raw import CONFIG_FILE, RECORD_KINDS, RawLedger, RawRecord, SourceFile
from safeledger.read.text import UndecodableText, decode_csv_bytes, decode_yaml_bytes

__all__ = [
    "CONFIG_FILE",
    "MAX_FILE_BYTES",
    "READ_CODES",
    "RECORD_KINDS",
    "CsvRow",
    "FileResult",
    "RawLedger",
    "RawRecord",
    "SourceFile",
    "UndecodableText",
    "YamlParse",
    "decode_csv_bytes",
    "decode_yaml_bytes",
    "find_ledger_root",
    "locate",
    "parse_csv_text",
    "parse_yaml_text",
    "read_data",
    "read_file",
    "read_ledger",
    "row_data",
    "split_csv_rows",
    "top_items",
]
