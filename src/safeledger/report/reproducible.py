"""Same ledger, same bytes: normalising the zip packages that Word and Excel files are.

python-docx and openpyxl stamp zip entries with the current time and write
``docProps/core.xml`` with "now" (openpyxl on every save).  We rewrite the package:
entries in their original order, each with a fixed date (the report's date), fixed
permissions and the same compression, and the core properties' created/modified set to
that date."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from safeledger.fileio import write_atomic

__all__ = ["normalise_package", "write_atomically"]

_CORE_DATE = re.compile(r"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def normalise_package(data: bytes, when: dt.date) -> bytes:
    """Rewrite an OOXML zip so its bytes depend on its content and ``when`` only."""
    stamp = f"{when.isoformat()}T00:00:00Z"
    date_time = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                text = _CORE_DATE.sub(lambda m: f"{m.group(1)}{stamp}{m.group(3)}", text)
                content = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 0
            dst.writestr(entry, content, compresslevel=6)
    return out.getvalue()


def write_atomically(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` (or its pieces) to ``path`` crash-safely (see
    :func:`safeledger.fileio.write_atomic`)."""
    write_atomic(path, data)
