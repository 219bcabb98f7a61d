"""``safeledger check``: validate a ledger and report every problem with its place."""

from __future__ import annotations

import datetime as dt
import io
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from safeledger._held import hold_until_exit
from safeledger.cache import CheckCache, PendingKey
from safeledger.cli.common import (
    as_of_option,
    fail,
    ledger_root,
    stdout_console,
    write_bytes,
)
from safeledger.cli.progress import stage_progress
from safeledger.diagnostics import sort_diagnostics
from safeledger.errors import SafeledgerError
from safeledger.output.diagnostics import (
    plain_text,
    render_github,
    render_json_bytes,
    render_sarif,
    render_text,
    text_console,
)


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


def check(
    ledger: Annotated[
        Path | None, typer.Argument(help="Ledger folder (default: found upward from here).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help=(
                "Judge overdue hazards and duties as of this date (also 2025Q2 = its last"
                " day, or last-quarter); default today."
            ),
        ),
    ] = None,
    output_format: Annotated[CheckFormat, typer.Option("--format", help="Output format.")] = (
        CheckFormat.text
    ),
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    no_compliance: Annotated[
        bool,
        typer.Option(
            "--no-compliance", help="Skip the overdue/duty findings; check the data only."
        ),
    ] = False,
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            metavar="REV",
            help="Also audit the changes since this git revision: deleted records, closed "
            "hazards edited without an amendments entry, reused ids, moved found_on.",
        ),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Check every file again; neither read nor write the result cache "
            "(kept in the user cache folder, or $SAFELEDGER_CACHE_DIR).",
        ),
    ] = False,
) -> None:
    """Check a ledger: syntax, fields, references, chronology, closure, duties.

    Exit status: 0 clean (warnings allowed), 1 errors (or warnings with --strict),
    2 the check could not run.
    """
    console = stdout_console()
    # the output forms stored with a cached result (github/sarif depend on the git
    # repository around the ledger; text only when the console prints no styles)
    form = {CheckFormat.json: "json", CheckFormat.text: "text" if plain_text(console) else None}
    stored_as = None if no_cache or against is not None else form.get(output_format)
    try:
        root = ledger_root(ledger)
        today = dt.date.today()
        judged = as_of_option(as_of, today)
        cache = None if no_cache else CheckCache.default()
        with stage_progress() as progress:
            key = None
            if cache is not None and stored_as is not None:
                key = cache.begin_key(
                    root,
                    today=today,
                    as_of=judged,
                    strict=strict,
                    compliance=not no_compliance,
                    progress=None if progress is None else partial(progress, "hash"),
                    defer=True,  # a first run: the key is finished after the answer
                )
                replay = cache.rendered(key.finish()[0], root, stored_as) if key.complete else None
                if replay is not None:  # nothing changed: the answer as written last time
                    write_bytes(replay[0])
                    raise typer.Exit(replay[1])
                cache = cache.pinned(
                    key,
                    root,
                    today=today,
                    as_of=judged,
                    strict=strict,
                    compliance=not no_compliance,
                )
            from safeledger.api import check_ledger  # not needed for an answer replayed

            result = check_ledger(
                root,
                as_of=judged,
                today=today,
                strict=strict,
                compliance=not no_compliance,
                cache=cache,
                progress=progress,
                background=True,
            )
        if against is not None:
            from safeledger.review.audit import audit_against  # git: only for --against

            audit = audit_against(root, against, today=today)
            result.diagnostics = sort_diagnostics(
                [*result.diagnostics, *(d.as_warning_or_error(strict) for d in audit)]
            )
        annotated = output_format in (CheckFormat.github, CheckFormat.sarif)
        prefix = ""
        if annotated:
            from safeledger.review.gitread import ledger_prefix

            prefix = ledger_prefix(root)
    except SafeledgerError as err:
        raise fail(err) from None
    hold_until_exit(result)
    if output_format is CheckFormat.json:
        data = render_json_bytes(result)  # 30 MB at 100,000 hazards: never decoded
    elif output_format is CheckFormat.github:
        data = render_github(result, prefix).encode("utf-8")
    elif output_format is CheckFormat.sarif:
        data = render_sarif(result, prefix).encode("utf-8")
    elif stored_as is None:
        render_text(result, console)
        raise typer.Exit(result.exit_code)
    else:
        buffer = io.StringIO()
        render_text(result, text_console(buffer))
        data = buffer.getvalue().encode("utf-8")
    write_bytes(data)
    hold_until_exit(data)
    if cache is not None and key is not None and stored_as is not None:
        from safeledger.api import store_after_the_answer

        store = partial(_store_rendered, cache, key, stored_as, data, result.exit_code)
        store_after_the_answer(store, sum(result.records.values()))
    raise typer.Exit(result.exit_code)


def _store_rendered(
    cache: CheckCache, key: PendingKey, form: str, data: bytes, exit_code: int
) -> None:
    # after check_ledger's own store, which finished the key with the loader's digests
    cache.put_rendered(key.finish()[0], form, data, exit_code)


def register(app: typer.Typer) -> None:
    app.command("check")(check)
