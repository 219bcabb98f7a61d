"""``fast_init`` for the engines' frozen result classes; the helper itself lives in the
lowest layer (:mod:`safeledger._fastinit`) so that diagnostics can use it too."""

from __future__ import annotations

from safeledger._fastinit import fast_init

__all__ = ["fast_init"]
