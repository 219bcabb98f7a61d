"""Unified social credit code (统一社会信用代码) check digit, GB 32100-2015."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 3^(i-1) mod 31 for positions 1..17


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (all from :data:`ALPHABET`)."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    check = 31 - total % 31
    return ALPHABET[0 if check == 31 else check]


def credit_code_problem(code: str) -> str | None:
    """None when ``code`` is a well-formed code with a correct check character,
    else a sentence saying what is wrong."""
    code = code.strip().upper()
    if len(code) != 18:
        return f"has {len(code)} characters; a unified social credit code has 18"
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        return (
            f"contains {''.join(bad)!r}, which is not allowed "
            "(digits and the letters ABCDEFGHJKLMNPQRTUWXY; no I, O, S, V, Z)"
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]!r}, but the first 17 characters give {expected!r}"
    return None
