"""The charts of an HTML or Word report as data (categories, series, colours), taken
from a built context; drawn by :mod:`.charts`.  No matplotlib here: a report whose
charts are all in the cache (:mod:`.chart_cache`) never imports it."""

from __future__ import annotations

from typing import Any

__all__ = ["CHART_COMMUNITIES", "COLORS", "Chart", "chart_specs"]

COLORS = {
    "found": "#c0392b",
    "rectified": "#2e86c1",
    "open": "#e67e22",
    "pending": "#f1c40f",
    "overdue": "#c0392b",
    "closed": "#27ae60",
}


Chart = dict[str, Any]

# More communities than this in one chart cannot be read (a district has 80 or more:
# their names overlap, so do the bars' numbers): the chart then shows those with the
# most hazards open at the end of the period; the breakdown table has them all.
CHART_COMMUNITIES = 20


def chart_specs(context: dict[str, Any]) -> list[Chart]:
    """The three charts of a report, as data: status split at the end, found vs
    rectified per month, found and open per community."""
    lab = context["labels"]
    statuses = lab["statuses"]
    split = context["status_split"]
    community_title, communities = _communities(context, lab)
    return [
        {
            "id": "status",
            "title": lab["chart_status"],
            "kind": "barh",
            "categories": [statuses[k] for k in split],
            "series": [("", list(split.values()), [COLORS[k] for k in split])],
        },
        {
            "id": "monthly",
            "title": lab["chart_monthly"],
            "kind": "bar",
            "categories": [m["label"] for m in context["monthly"]],
            "series": [
                (lab["found_series"], [m["found"] for m in context["monthly"]], COLORS["found"]),
                (
                    lab["rectified_series"],
                    [m["rectified"] for m in context["monthly"]],
                    COLORS["rectified"],
                ),
            ],
        },
        {
            "id": "community",
            "full": True,
            "title": community_title,
            "kind": "bar",
            "categories": [c[0] for c in communities],
            "series": [
                (lab["found_series"], [c[1] for c in communities], COLORS["found"]),
                (lab["open_series"], [c[2] for c in communities], COLORS["open"]),
            ],
        },
    ]


def _communities(
    context: dict[str, Any], lab: dict[str, Any]
) -> tuple[str, list[tuple[str, int, int]]]:
    """The community chart's title and bars: (label, found, open at the end)."""
    rows = [
        (v["label"], v["found"]["total"], v["open_at_end"])
        for v in context["breakdowns"]["community"].values()
    ]
    if len(rows) <= CHART_COMMUNITIES:
        return lab["chart_community"], rows
    most_open = sorted(range(len(rows)), key=lambda n: (-rows[n][2], -rows[n][1], n))
    title = lab["chart_community_top"].format(n=CHART_COMMUNITIES)
    return title, [rows[n] for n in most_open[:CHART_COMMUNITIES]]
