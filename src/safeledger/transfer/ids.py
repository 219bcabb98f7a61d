"""Ids for imported rows that have none.

Hazards use ``id_format`` from safeledger.yaml (default ``H-{year}-{seq:03d}``, the year
of ``found_on``); enterprises use ``E{seq:03d}``; activities ``A-{year}-{seq:04d}`` (the
year of ``date``), the forms of the example ledger.  The sequence continues after the
highest id of the same form (and year) already in the ledger or the import."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

from safeledger.errors import SafeledgerError

ENTERPRISE_ID_FORMAT = "E{seq:03d}"
ACTIVITY_ID_FORMAT = "A-{year}-{seq:04d}"
_FIELDS = {"year": r"(?P<year>\d{4})", "seq": r"(?P<seq>\d+)"}


def id_regex(fmt: str) -> re.Pattern[str]:
    """The ids a format produces, as a regex with groups ``year`` (optional) and ``seq``."""
    parts = []
    seen = set()
    try:
        parsed = list(string.Formatter().parse(fmt))
    except ValueError as exc:
        raise SafeledgerError(f"id_format '{fmt}' is not a valid format: {exc}") from None
    for literal, name, _spec, _conv in parsed:
        parts.append(re.escape(literal))
        if name is None:
            continue
        if name not in _FIELDS or name in seen:
            raise SafeledgerError(
                f"id_format '{fmt}' uses {{{name}}}; "
                "only {year} and {seq} (once each) are known",
                hint="e.g. id_format: H-{year}-{seq:03d}",
            )
        seen.add(name)
        parts.append(_FIELDS[name])
    if "seq" not in seen:
        raise SafeledgerError(
            f"id_format '{fmt}' has no {{seq}}", hint="e.g. id_format: H-{year}-{seq:03d}"
        )
    return re.compile("^" + "".join(parts) + "$")


class IdAllocator:
    """Hands out the next ids of one format, per year."""

    def __init__(self, fmt: str, existing: Iterable[str]) -> None:
        self.fmt = fmt
        self.uses_year = "{year" in fmt
        self._regex = id_regex(fmt)
        self._taken = set(existing)
        self._last: dict[int | None, int] = {}
        for rid in self._taken:
            m = self._regex.match(rid)
            if m:
                year = int(m.group("year")) if self.uses_year else None
                self._last[year] = max(self._last.get(year, 0), int(m.group("seq")))

    def next(self, year: int | None) -> str:
        key = year if self.uses_year else None
        seq = self._last.get(key, 0)
        while True:
            seq += 1
            rid = self.fmt.format(year=year, seq=seq)
            if rid not in self._taken:
                break
        self._last[key] = seq
        self._taken.add(rid)
        return rid
