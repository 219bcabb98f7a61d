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

from typing import TYPE_CHECKING

from safeledger._lazy import lazy_exports

if TYPE_CHECKING:
    from safeledger.read.codes import READ_CODES
    from safeledger.read.csv_reader import CsvRow, parse_csv_text, row_data, split_csv_rows
    from safeledger.read.discover import find_ledger_root
    from safeledger.read.files import MAX_FILE_BYTES, FileResult, read_data, read_file
    from safeledger.read.ledger import read_ledger
    from safeledger.read.locator import locate
    from safeledger.read.parse import YamlParse, parse_yaml_text, top_items
    from safeledger.read.raw import CONFIG_FILE, RECORD_KINDS, RawLedger, RawRecord, SourceFile
    from safeledger.read.text import UndecodableText, decode_csv_bytes, decode_yaml_bytes

# imported on first use (safeledger._lazy): finding a ledger needs no YAML parser
__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "codes": ("READ_CODES",),
        "csv_reader": ("CsvRow", "parse_csv_text", "row_data", "split_csv_rows"),
        "files": ("MAX_FILE_BYTES", "FileResult", "read_data", "read_file"),
        "discover": ("find_ledger_root",),
        "ledger": ("read_ledger",),
        "locator": ("locate",),
        "parse": ("YamlParse", "parse_yaml_text", "top_items"),
        "raw": ("CONFIG_FILE", "RECORD_KINDS", "RawLedger", "RawRecord", "SourceFile"),
        "text": ("UndecodableText", "decode_csv_bytes", "decode_yaml_bytes"),
    },
)
