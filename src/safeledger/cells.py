"""Spreadsheet cell safety: text that Excel, LibreOffice or WPS would run as a formula.

One definition for every writer of CSV/XLSX (export, the xlsx report, ``status --format
csv``) and for import, which undoes the guard."""

from __future__ import annotations

# A cell starting with one of these is run as a formula (OWASP "CSV injection": = + - @
# tab CR; the full-width forms because CJK input methods type them).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
GUARD = "'"


def needs_guard(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def guard(text: str) -> str:
    """Neutralise a CSV cell a spreadsheet would run as a formula: prefix ``'``."""
    return GUARD + text if needs_guard(text) else text


def unguard(text: str) -> str:
    """Undo :func:`guard` on import: a ``'`` followed by a formula trigger is dropped."""
    if text.startswith(GUARD) and needs_guard(text[1:]):
        return text[1:]
    return text
