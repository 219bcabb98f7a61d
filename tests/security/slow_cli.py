"""Run the safeledger CLI with slow writes, so that a SIGKILL at a random moment often
lands inside a write: the temporary file is written in 8 chunks with pauses, and the
rename and the fsyncs pause too.  Test-only (tests/security/test_crash_safe.py); the
product code has no such hook.

    python tests/security/slow_cli.py rectify H-1 --on 2025-03-10 ...
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

PAUSE = 0.02
_fdopen, _replace, _link, _fsync = os.fdopen, os.replace, os.link, os.fsync


class _SlowFile:
    def __init__(self, handle: Any) -> None:
        self._h = handle

    def write(self, data: bytes) -> int:
        step = max(1, len(data) // 8)
        for i in range(0, len(data), step):
            self._h.write(data[i : i + step])
            self._h.flush()
            time.sleep(PAUSE)
        return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._h, name)

    def __enter__(self) -> _SlowFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._h.close()


def _slow(real: Any) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        time.sleep(PAUSE)
        result = real(*args, **kwargs)
        time.sleep(PAUSE)
        return result

    return call


def _slow_fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
    return _SlowFile(_fdopen(fd, *args, **kwargs))


os.fdopen = _slow_fdopen  # type: ignore[assignment]
os.replace = _slow(_replace)
os.link = _slow(_link)
os.fsync = _slow(_fsync)

if __name__ == "__main__":
    from safeledger.cli.app import main

    sys.argv = ["safeledger", *sys.argv[1:]]
    main()
