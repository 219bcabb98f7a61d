"""Fuzz targets: each takes bytes and runs one parser the way a ledger file or a command
line would reach it.  A target returns normally for every input (records and
diagnostics, or a SafeledgerError for command-line parsers); anything else escaping is a
bug.  Used by the Hypothesis tests, by ``run_atheris.py`` and by the replay of the
crashing inputs kept in ``tests/fixtures/fuzz/<target>/``."""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

from safeledger.errors import SafeledgerError
from safeledger.read.files import read_data
from safeledger.read.raw import RawLedger

TODAY = dt.date(2025, 6, 30)
CONFIG = {"organisation": "同心街道办事处", "communities": ["东风社区"]}
_ROOT = Path(tempfile.gettempdir()) / "safeledger-fuzz-root"  # never written: stat only


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _validate(kind: str, data: bytes, name: str) -> None:
    from safeledger.validate import validate_ledger

    result = read_data(data, f"{kind}/{name}", kind)  # type: ignore[arg-type]
    raw = RawLedger(root=_ROOT, config=dict(CONFIG), records=result.records)
    raw.diagnostics = result.diagnostics
    _ledger, diags = validate_ledger(raw, today=TODAY)
    for d in [*result.diagnostics, *diags]:
        assert d.message and d.code, d


def reader_yaml(data: bytes) -> None:
    """A hazards/*.yaml file: read and validate (models and cross-record rules)."""
    _validate("hazards", data, "f.yaml")


def reader_csv(data: bytes) -> None:
    """A hazards/*.csv file in any encoding: read and validate."""
    _validate("hazards", data, "f.csv")


def reader_any(data: bytes) -> None:
    """First byte picks the record kind and format, the rest is the file."""
    if not data:
        return
    kinds = ("enterprises", "hazards", "activities")
    kind = kinds[data[0] % 3]
    _validate(kind, data[1:], "f.csv" if data[0] & 4 else "f.yaml")


def config(data: bytes) -> None:
    """safeledger.yaml: read and validate the settings."""
    from safeledger.validate.config import validate_config

    result = read_data(data, "safeledger.yaml", "config")
    items = result.items
    validate_config(items[0] if len(items) == 1 and isinstance(items[0], dict) else None)


def dates(data: bytes) -> None:
    from safeledger.model.dates import DateFormError, parse_date

    with contextlib.suppress(DateFormError):
        parse_date(_text(data))


def enums(data: bytes) -> None:
    from safeledger.model import enums as e

    text = _text(data)
    for enum in e.LedgerEnum.__subclasses__():
        assert enum.parse(text) in (None, *[m.value for m in enum])


def credit_code(data: bytes) -> None:
    from safeledger.model.credit_code import credit_code_problem

    problem = credit_code_problem(_text(data))
    assert problem is None or isinstance(problem, str)


def fields(data: bytes) -> None:
    """The bool/decimal/int/list/date field validators, through pydantic as the models use them."""
    from pydantic import TypeAdapter, ValidationError

    from safeledger.model.fields import Amount, Count, LedgerDate, Text, YesNo

    text = _text(data)
    for typ in (Amount, Count, LedgerDate, Text, YesNo):
        try:
            TypeAdapter(typ).validate_python(text)
        except ValidationError as err:
            str(err)


def periods(data: bytes) -> None:
    """Command-line period options: a Span or a UsageError, nothing else."""
    from safeledger.evaluate import periods as p

    text = _text(data)
    for parse in (p.parse_quarter, p.parse_month, p.parse_year):
        with contextlib.suppress(SafeledgerError):
            parse(text, today=TODAY)
    for call in (
        lambda: p.parse_period_label(text),
        lambda: p.parse_date_option(text),
        lambda: p.resolve_period(today=TODAY, start=text, end=text),
    ):
        with contextlib.suppress(SafeledgerError):
            call()


TARGETS: dict[str, Callable[[bytes], None]] = {
    "reader": reader_any,
    "yaml": reader_yaml,
    "csv": reader_csv,
    "config": config,
    "dates": dates,
    "enums": enums,
    "credit_code": credit_code,
    "fields": fields,
    "periods": periods,
}
