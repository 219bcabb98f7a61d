"""``safeledger new hazard``, ``rectify``, ``verify``, ``extend``: the daily edits.

Thin wrappers over :mod:`safeledger.edit.hazards`; see docs/editing.md."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from safeledger.cli.common import fail, ledger_root, stderr, stdout_console
from safeledger.errors import SafeledgerError, UsageError
from safeledger.fileio import DEFAULT_LOCK_TIMEOUT
from safeledger.model.dates import DateFormError, parse_date

if TYPE_CHECKING:  # ruamel.yaml loads only when an editing command runs
    from safeledger.edit.hazards import EditResult

LedgerOpt = Annotated[
    Path | None,
    typer.Option("--ledger", help="Ledger folder (default: found upward from the current folder)."),
]
WaitOpt = Annotated[
    float,
    typer.Option("--wait", help="Seconds to wait for another command writing the ledger.", min=0),
]


def _date(value: str, option: str) -> dt.date:
    try:
        return parse_date(value)
    except DateFormError as exc:
        raise UsageError(f"{option}: {exc}") from None


def _report(result: EditResult) -> None:
    stdout_console().print(result.message, markup=False)
    for note in result.notes:
        stderr.print(f"note: {note}", markup=False)
    for d in result.warnings:
        where = f"{d.file}:{d.line}" if d.line else (d.file or "")
        stderr.print(f"warning: {where}: {d.message} [{d.code}]", markup=False)


new_app = typer.Typer(help="Add a new record to the ledger.", no_args_is_help=True)


@new_app.command("hazard")
def new_hazard_cmd(
    enterprise: Annotated[
        str, typer.Option("--enterprise", help="责任单位: enterprise id or name.")
    ],
    location: Annotated[str, typer.Option("--location", help="隐患部位.")],
    category: Annotated[
        str, typer.Option("--category", help="隐患类别, one of the configured categories.")
    ],
    level: Annotated[str, typer.Option("--level", help="隐患等级: general/一般 or major/重大.")],
    description: Annotated[str, typer.Option("--description", help="隐患描述.")],
    responsible: Annotated[str, typer.Option("--responsible", help="整改责任人.")],
    deadline: Annotated[str, typer.Option("--deadline", help="整改期限 (date).")],
    found_on: Annotated[
        str | None, typer.Option("--found-on", help="发现日期 (default: today).")
    ] = None,
    found_by: Annotated[str | None, typer.Option("--found-by", help="排查人.")] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="排查方式, e.g. routine/日常巡查.")
    ] = None,
    community: Annotated[
        str | None, typer.Option("--community", help="所属社区 (default: the enterprise's).")
    ] = None,
    interim_measures: Annotated[
        str | None,
        typer.Option("--interim-measures", help="防范措施 (required for a major hazard)."),
    ] = None,
    plan: Annotated[str | None, typer.Option("--plan", help="治理方案 (text or a path).")] = None,
    reported_on: Annotated[
        str | None, typer.Option("--reported-on", help="上报日期 (required for a major hazard).")
    ] = None,
    funds: Annotated[str | None, typer.Option("--funds", help="整改资金 (yuan).")] = None,
    notes: Annotated[str | None, typer.Option("--notes", help="备注.")] = None,
    ledger: LedgerOpt = None,
    wait: WaitOpt = DEFAULT_LOCK_TIMEOUT,
) -> None:
    """Record a new hazard in its own file hazards/<year>/<id>.yaml, with the next id."""
    try:
        root = ledger_root(ledger)
        from safeledger.edit.hazards import HazardDraft, new_hazard

        draft = HazardDraft(
            enterprise=enterprise,
            location=location,
            category=category,
            level=level,
            description=description,
            responsible=responsible,
            deadline=_date(deadline, "--deadline"),
            found_on=_date(found_on, "--found-on") if found_on else None,
            found_by=found_by,
            source=source,
            community=community,
            interim_measures=interim_measures,
            plan=plan,
            reported_on=_date(reported_on, "--reported-on") if reported_on else None,
            funds=funds,
            notes=notes,
        )
        result = new_hazard(root, draft, today=dt.date.today(), wait=wait)
    except SafeledgerError as err:
        raise fail(err) from None
    _report(result)


def rectify_cmd(
    hazard_id: Annotated[str, typer.Argument(metavar="ID", help="Hazard id, e.g. H-2025-001.")],
    on: Annotated[str, typer.Option("--on", help="整改完成日期.")],
    measures: Annotated[
        str | None, typer.Option("--measures", help="整改措施 (required when the record has none).")
    ] = None,
    evidence: Annotated[
        list[str] | None,
        typer.Option("--evidence", help="佐证材料 path under evidence/ (repeatable)."),
    ] = None,
    ledger: LedgerOpt = None,
    wait: WaitOpt = DEFAULT_LOCK_TIMEOUT,
) -> None:
    """Record that a hazard was rectified (整改完成)."""
    try:
        from safeledger.edit.hazards import rectify

        result = rectify(
            ledger_root(ledger),
            hazard_id,
            on=_date(on, "--on"),
            measures=measures,
            evidence=evidence or [],
            today=dt.date.today(),
            wait=wait,
        )
    except SafeledgerError as err:
        raise fail(err) from None
    _report(result)


def verify_cmd(
    hazard_id: Annotated[str, typer.Argument(metavar="ID", help="Hazard id.")],
    on: Annotated[str, typer.Option("--on", help="复查日期.")],
    by: Annotated[str, typer.Option("--by", help="复查人.")],
    failed: Annotated[
        bool,
        typer.Option("--fail", help="The verification failed (复查不合格): back to rectification."),
    ] = False,
    note: Annotated[str | None, typer.Option("--note", help="复查意见.")] = None,
    evidence: Annotated[
        list[str] | None,
        typer.Option("--evidence", help="佐证材料 path under evidence/ (repeatable)."),
    ] = None,
    ledger: LedgerOpt = None,
    wait: WaitOpt = DEFAULT_LOCK_TIMEOUT,
) -> None:
    """Record a verification (复查): a pass closes the hazard (销号), --fail reopens it."""
    try:
        from safeledger.edit.hazards import verify

        result = verify(
            ledger_root(ledger),
            hazard_id,
            on=_date(on, "--on"),
            by=by,
            failed=failed,
            note=note,
            evidence=evidence or [],
            today=dt.date.today(),
            wait=wait,
        )
    except SafeledgerError as err:
        raise fail(err) from None
    _report(result)


def extend_cmd(
    hazard_id: Annotated[str, typer.Argument(metavar="ID", help="Hazard id.")],
    to: Annotated[str, typer.Option("--to", help="延期至: the new deadline.")],
    approved_by: Annotated[str, typer.Option("--approved-by", help="批准人.")],
    on: Annotated[str, typer.Option("--on", help="批准日期.")],
    reason: Annotated[str, typer.Option("--reason", help="原因.")],
    ledger: LedgerOpt = None,
    wait: WaitOpt = DEFAULT_LOCK_TIMEOUT,
) -> None:
    """Record an approved extension of a hazard's deadline (延期)."""
    try:
        from safeledger.edit.hazards import extend

        result = extend(
            ledger_root(ledger),
            hazard_id,
            to=_date(to, "--to"),
            approved_by=approved_by,
            on=_date(on, "--on"),
            reason=reason,
            today=dt.date.today(),
            wait=wait,
        )
    except SafeledgerError as err:
        raise fail(err) from None
    _report(result)


def register(app: typer.Typer) -> None:
    app.add_typer(new_app, name="new")
    app.command("rectify")(rectify_cmd)
    app.command("verify")(verify_cmd)
    app.command("extend")(extend_cmd)
