"""Turning a file's bytes into text: the accepted encodings and the errors when none fits."""

from __future__ import annotations

CSV_ENCODINGS = ("utf-8", "utf-8-sig", "gb18030")
BOM = b"\xef\xbb\xbf"


class UndecodableText(ValueError):
    """The bytes are not valid in any accepted encoding.

    ``offset`` is the 0-based byte offset of the first bad byte (from the UTF-8 attempt);
    ``line``/``column`` (1-based, column in characters) locate it in the text before it."""

    def __init__(self, offset: int, data: bytes, accepted: str) -> None:
        self.offset = offset
        head = data[:offset]
        self.line = head.count(b"\n") + 1
        last = head[head.rfind(b"\n") + 1 :]
        self.column = len(last.decode("utf-8", errors="replace")) + 1
        bad = data[offset : offset + 4].hex(" ")
        super().__init__(
            f"bytes at offset {offset} (line {self.line}, column {self.column}: {bad}) "
            f"are not valid text; accepted encodings: {accepted}"
        )


def decode_yaml_bytes(data: bytes) -> str:
    """YAML must be UTF-8, with or without a BOM (the BOM is dropped)."""
    try:
        # plain "utf-8" is decoded in C; the "utf-8-sig" codec goes through Python code
        return data.decode("utf-8") if data[:3] != BOM else data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UndecodableText(err.start, data, "UTF-8 (with or without BOM)") from None


def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """Decode a CSV file: a UTF-8 BOM means ``utf-8-sig``; else strict UTF-8; else strict
    GB18030 (what Chinese Excel writes; GBK is a subset).  Returns ``(text, encoding)``;
    raises :class:`UndecodableText` with the first bad byte of the UTF-8 attempt."""
    if data.startswith(BOM):
        try:
            return data[len(BOM) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as err:
            raise UndecodableText(err.start + len(BOM), data, "UTF-8 (with BOM)") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        first_bad = err.start
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise UndecodableText(
            first_bad, data, "UTF-8, UTF-8 with BOM, GB18030/GBK (Excel's Chinese default)"
        ) from None
