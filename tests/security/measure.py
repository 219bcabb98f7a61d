"""Run ``check_ledger`` on a ledger in a fresh process and print JSON: seconds, peak
memory (ru_maxrss, MB), diagnostic codes by file, record counts.  Used by
test_resources.py so that the memory figure is this check's alone."""

from __future__ import annotations

import collections
import datetime as dt
import json
import resource
import sys
import time
from pathlib import Path


def main(root: str) -> None:
    from safeledger.api import check_ledger

    t0 = time.perf_counter()
    result = check_ledger(Path(root), as_of=dt.date(2025, 6, 30), today=dt.date(2025, 6, 30))
    seconds = time.perf_counter() - t0
    codes: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for d in result.diagnostics:
        codes[d.file or ""][d.code] += 1
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "codes": {f: dict(c) for f, c in codes.items()},
                "records": result.records,
                "lines": {d.file: d.line for d in result.diagnostics if d.file},
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
