"""The ``safeledger`` command: one typer app; each command module registers itself."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import typer

from safeledger._afterwards import run_collected, start_collecting
from safeledger._held import start_holding
from safeledger.cli import check, edit, init, review, schema, status, transfer
from safeledger.cli import report as report_cmd

app = typer.Typer(
    name="safeledger",
    help="安全生产隐患排查治理台账: check, track and report a hazard ledger kept in git.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (check, status, report_cmd, review, transfer, edit, init, schema):
    module.register(app)


def main() -> None:
    """Run the app; an unexpected exception is a message, never a traceback
    (set SAFELEDGER_DEBUG=1 to see one).  The process ends with ``os._exit`` once the
    output is flushed: freeing a big ledger object by object would only delay the exit
    (safeledger._held); work left for after the answer (storing a big cache
    entry, safeledger._afterwards) is then started in a detached process."""
    start_holding()
    start_collecting()
    try:
        app()
    except SystemExit as done:
        _exit(done.code)
    except BrokenPipeError:  # the reader went away (| head): no message, like other tools
        os._exit(1)
    except Exception as exc:  # the last line of defence; every known failure is handled
        if os.environ.get("SAFELEDGER_DEBUG"):
            raise
        print(f"safeledger: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print(
            "please report it with the input that caused it (SAFELEDGER_DEBUG=1: traceback)",
            file=sys.stderr,
        )
        _exit(2)
    _exit(0)


def _exit(code: object) -> NoReturn:
    """``sys.exit(code)``'s status (a message for a non-number), without the teardown."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (| head): nothing more to say
            status = status or 1
    run_collected()
    os._exit(status)
