"""The tables of a report, as data: what the Word and Excel writers lay out.

Each table has columns ``(key, header, type)`` and rows of dicts.  Types tell the
writers how to show a value: ``text``, ``int``, ``date``, ``rate`` (percent, None = —),
``yuan``, ``wan`` (yuan shown as 万元), ``bool`` and ``figure`` (the row's ``key``
decides: a rate, a count or funds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Column", "Table", "report_tables"]

Column = tuple[str, str, str]


@dataclass(slots=True)
class Table:
    id: str
    title: str
    sheet: str  # Excel sheet name (≤ 31 characters)
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None
    wide: bool = False  # many columns: landscape pages in Word


def figure_type(key: str) -> str:
    if "rate" in key:
        return "rate"
    if key == "funds_rectified":
        return "wan"
    return "int"


_BREAKDOWN_FIGURES = (
    ("found", "int"),
    ("found_major", "int"),
    ("rectified", "int"),
    ("closed", "int"),
    ("open_at_end", "int"),
    ("overdue_at_end", "int"),
    ("major_open_at_end", "int"),
    ("rectification_rate", "rate"),
    ("on_time_rate", "rate"),
    ("cumulative_closure_rate", "rate"),
    ("units_inspected", "int"),
    ("funds_rectified", "wan"),
)


def _hazard_columns(cols: dict[str, str], keys: list[tuple[str, str]]) -> list[Column]:
    return [(k, cols[k], t) for k, t in keys]


def report_tables(ctx: dict[str, Any]) -> list[Table]:
    """The tables of the report kind in ``ctx``, in document order."""
    lab = ctx["labels"]
    cols = lab["columns"]
    figs = lab["figure_names"]
    kind = ctx["kind"]
    tables: list[Table] = []

    figure_table = Table(
        "figures",
        lab["figures"],
        "主要指标" if ctx["locale"] != "en" else "Figures",
        [("label", lab["figure"], "text"), ("value", lab["value"], "figure")],
        [{"key": r["key"], "label": r["label"], "value": r["value"]} for r in ctx["figure_rows"]],
    )
    open_cols = _hazard_columns(
        cols,
        [
            ("seq", "int"),
            ("id", "text"),
            ("found_on", "date"),
            ("enterprise_name", "text"),
            ("community", "text"),
            ("location", "text"),
            ("category", "text"),
            ("level_label", "text"),
            ("description", "text"),
            ("interim_measures", "text"),
            ("effective_deadline", "date"),
            ("responsible", "text"),
            ("status_label", "text"),
            ("days_overdue", "int"),
        ],
    )
    ledger_cols = _hazard_columns(
        cols,
        [
            ("seq", "int"),
            ("id", "text"),
            ("found_on", "date"),
            ("enterprise_name", "text"),
            ("location", "text"),
            ("category", "text"),
            ("level_label", "text"),
            ("description", "text"),
            ("measures", "text"),
            ("responsible", "text"),
            ("effective_deadline", "date"),
            ("rectified_on", "date"),
            ("verified_on", "date"),
            ("verified_by", "text"),
            ("status_label", "text"),
            ("notes", "text"),
        ],
    )
    for key, header in (("level_label", "level"), ("status_label", "status")):
        open_cols = [(k, cols[header] if k == key else h, t) for k, h, t in open_cols]
        ledger_cols = [(k, cols[header] if k == key else h, t) for k, h, t in ledger_cols]

    if kind == "tracking":
        tables.append(
            Table(
                "open_hazards",
                lab["tracking_list"],
                "跟踪表" if ctx["locale"] != "en" else "Tracking",
                open_cols,
                ctx["open_hazards"],
                wide=True,
            )
        )
        tables.append(figure_table)
        return tables
    if kind == "ledger":
        tables.append(
            Table(
                "hazards",
                lab["ledger_list"],
                "台账" if ctx["locale"] != "en" else "Ledger",
                ledger_cols,
                ctx["hazards"],
                wide=True,
            )
        )
        tables.append(figure_table)
        return tables

    tables.append(figure_table)
    if kind == "annual" and ctx["quarters"]:
        qcols: list[Column] = [("label", lab["figure"], "text")]
        rows: list[dict[str, Any]] = []
        for q in ctx["quarters"]:
            qcols.append((q["label"], q["label"], "figure"))
        for n, r in enumerate(ctx["figure_rows"]):
            row = {"key": r["key"], "label": r["label"]}
            for q in ctx["quarters"]:
                row[q["label"]] = q["rows"][n]["value"]
            rows.append(row)
        tables.append(
            Table(
                "quarters",
                lab["quarters"],
                "分季度" if ctx["locale"] != "en" else "Quarters",
                qcols,
                rows,
            )
        )
    for dim, title in lab["dimensions"].items():
        rows = []
        for key, f in ctx["breakdowns"][dim].items():
            row = {
                "key": key,
                "name": f["label"],
                "found": f["found"]["total"],
                "found_major": f["found"]["major"],
            }
            for k, _ in _BREAKDOWN_FIGURES[2:]:
                row[k] = f[k]
            rows.append(row)
        bcols: list[Column] = [("name", lab["dimension_keys"][dim], "text")] + [
            (k, figs[k], t) for k, t in _BREAKDOWN_FIGURES
        ]
        tables.append(Table(f"breakdown_{dim}", f"{title}", title, bcols, rows, wide=True))

    tables.append(
        Table(
            "major_open",
            lab["major"],
            "重大隐患" if ctx["locale"] != "en" else "Major",
            _hazard_columns(
                cols,
                [
                    ("seq", "int"),
                    ("id", "text"),
                    ("enterprise_name", "text"),
                    ("location", "text"),
                    ("description", "text"),
                    ("measures", "text"),
                    ("interim_measures", "text"),
                    ("funds", "yuan"),
                    ("effective_deadline", "date"),
                    ("responsible", "text"),
                    ("plan", "text"),
                    ("status_label", "text"),
                ],
            ),
            ctx["major_open"],
            wide=True,
        )
    )
    split = ctx["major_split"]
    tables.append(
        Table(
            "major_split",
            f"{lab['stock']} / {lab['increment']}",
            "存量增量" if ctx["locale"] != "en" else "Stock-increment",
            [
                ("name", lab["figure"], "text"),
                ("total", lab["total"], "int"),
                ("closed", lab["statuses"]["closed"], "int"),
                ("open", lab["open_series"], "int"),
                ("closure_rate", figs["cumulative_closure_rate"], "rate"),
            ],
            [
                {
                    "name": lab[part],
                    **{k: split[part][k] for k in ("total", "closed", "open", "closure_rate")},
                }
                for part in ("stock", "increment")
            ],
            note=lab["stock_note"],
        )
    )
    tables.append(
        Table(
            "overdue",
            lab["overdue"],
            "逾期隐患" if ctx["locale"] != "en" else "Overdue",
            [
                (k, cols["level"] if k == "level_label" else cols[k], t)
                for k, t in [
                    ("seq", "int"),
                    ("id", "text"),
                    ("enterprise_name", "text"),
                    ("community", "text"),
                    ("location", "text"),
                    ("category", "text"),
                    ("level_label", "text"),
                    ("description", "text"),
                    ("effective_deadline", "date"),
                    ("days_overdue", "int"),
                    ("responsible", "text"),
                ]
            ],
            ctx["overdue"],
            wide=True,
        )
    )
    tables.append(
        Table(
            "duty_gaps",
            lab["duty_gaps"],
            "职责缺失" if ctx["locale"] != "en" else "Duty gaps",
            [
                ("enterprise_name", cols["enterprise_name"], "text"),
                ("community", cols["community"], "text"),
                ("duty_label", cols["duty"], "text"),
                ("period", cols["duty_period"], "text"),
                ("detail", cols["detail"], "text"),
            ],
            ctx["duty_gaps"],
        )
    )
    tables.append(
        Table(
            "escalation",
            lab["escalation"],
            "约谈督办" if ctx["locale"] != "en" else "Escalation",
            [
                ("enterprise_name", cols["enterprise_name"], "text"),
                ("community", cols["community"], "text"),
                ("reasons", cols["reasons"], "text"),
                ("overdue_since", cols["overdue_since"], "date"),
                ("interviewed", cols["interviewed"], "bool"),
                ("interview_dates", cols["interview_dates"], "text"),
            ],
            [
                {**e, "interview_dates": "、".join(d.isoformat() for d in e["interview_dates"])}
                for e in ctx["escalation"]
            ],
            note=lab["escalation_rule"].format(days=ctx["escalation_days"]),
        )
    )
    comp = ctx["comparison"]
    tables.append(
        Table(
            "comparison",
            lab["comparison"],
            "同比环比" if ctx["locale"] != "en" else "Comparison",
            [
                ("label", lab["figure"], "text"),
                ("current", f"{lab['current']}（{ctx['period']['label']}）", "figure"),
                ("previous", f"{lab['previous']}（{comp['previous']['label']}）", "figure"),
                ("year_ago", f"{lab['year_ago']}（{comp['year_ago']['label']}）", "figure"),
            ],
            comp["rows"],
        )
    )
    return tables
