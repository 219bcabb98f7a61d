"""The bundled example ledger ``ledgers/tongxin/``: every record is valid, the cross-record
facts the other features' tests rely on hold, and it shows every status and duty state.

This test reads the files itself (``yaml_rs`` for YAML, ``csv`` for CSV decoded as
GB18030, Chinese keys mapped by each model field's ``title``) so that it documents the
example independently of the loader.  Run it as a script to print the status table:

    python -m tests.example.test_example_ledger
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
import yaml_rs
from pydantic import BaseModel

from safeledger.model import (
    ACTIVITY_MODELS,
    ActivityKind,
    Config,
    Enterprise,
    EnterpriseKind,
    Hazard,
    Level,
    Source,
)
from safeledger.model.config import DEFAULT_CATEGORIES
from safeledger.model.credit_code import credit_code_problem
from safeledger.model.records import Activity

REPO = Path(__file__).resolve().parents[2]
LEDGER = REPO / "ledgers" / "tongxin"
SCRIPT = REPO / "scripts" / "make_example_ledger.py"
D = dt.date
MID, END, TODAY = D(2025, 6, 30), D(2025, 12, 31), D(2026, 11, 23)
STATUSES = ("closed", "rectified", "overdue", "pending")

# --- reading ---------------------------------------------------------------------------


def _item_model(annotation: Any) -> type[BaseModel] | None:
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
    return None


def to_english(
    model: type[BaseModel], data: dict[str, Any], *, csv_file: bool = False
) -> dict[str, Any]:
    """Chinese titles -> field names (recursively for lists of records); empty values
    dropped; unknown keys and a field given twice are test failures."""
    alias: dict[str, str] = {}
    for name, info in model.model_fields.items():
        alias[name] = name
        if info.title:
            alias[info.title] = name
    csv_columns = (
        {
            spelling: target
            for target, spellings in getattr(model, "CSV_COLUMNS", {}).items()
            for spelling in spellings
        }
        if csv_file
        else {}
    )
    out: dict[str, Any] = {}
    for key, value in data.items():
        key = str(key).strip()
        if key in csv_columns:
            name, value = csv_columns[key], ([{"to": value}] if value not in (None, "") else None)
        else:
            assert key in alias, f"unknown key {key!r} for {model.__name__}"
            name = alias[key]
        assert name not in out, f"{name} given twice"
        if value is None or value == "" or value == []:
            continue
        item = _item_model(model.model_fields[name].annotation)
        if item is not None and isinstance(value, list):
            value = [to_english(item, v) if isinstance(v, dict) else v for v in value]
        out[name] = value
    return out


@dataclass
class Rec:
    file: str
    index: int
    data: dict[str, Any]  # as written
    model: Any = None


@dataclass
class Ledger:
    root: Path
    config: Config
    enterprises: list[Rec] = field(default_factory=list)
    hazards: list[Rec] = field(default_factory=list)
    activities: list[Rec] = field(default_factory=list)
    raw_files: dict[str, bytes] = field(default_factory=dict)

    @property
    def E(self) -> dict[str, Enterprise]:
        return {r.model.id: r.model for r in self.enterprises}

    @property
    def H(self) -> dict[str, Hazard]:
        return {r.model.id: r.model for r in self.hazards}

    @property
    def A(self) -> list[Activity]:
        return [r.model for r in self.activities]


def _activity_model(data: dict[str, Any]) -> type[Activity]:
    kind = data.get("kind", data.get("类型"))
    parsed = ActivityKind.parse(kind)
    assert parsed is not None, f"activity kind {kind!r}"
    return ACTIVITY_MODELS[parsed]


def load(root: Path) -> Ledger:
    config = Config.model_validate(yaml_rs.loads((root / "safeledger.yaml").read_text("utf-8")))
    ledger = Ledger(root, config)
    for path in sorted(root.rglob("*")):
        if path.is_file():
            ledger.raw_files[path.relative_to(root).as_posix()] = path.read_bytes()
    for kind in ("enterprises", "hazards", "activities"):
        for path in sorted((root / kind).rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(root).as_posix()
            if path.suffix == ".csv":
                text = path.read_bytes().decode("gb18030")
                rows = [dict(r) for r in csv.DictReader(io.StringIO(text, newline=""))]
                records, is_csv = rows, True
            else:
                assert path.suffix == ".yaml", rel
                doc = yaml_rs.loads(path.read_text("utf-8"))
                records, is_csv = (doc if isinstance(doc, list) else [doc]), False
            for i, data in enumerate(records):
                assert isinstance(data, dict), (rel, i)
                if kind == "enterprises":
                    model: type[BaseModel] = Enterprise
                elif kind == "hazards":
                    model = Hazard
                else:
                    model = _activity_model(data)
                values = to_english(model, data, csv_file=is_csv)
                if (
                    kind == "activities"
                ):  # the kind field is a Literal: canonicalise 培训 -> training
                    values["kind"] = ActivityKind.parse(values["kind"])
                rec = Rec(rel, i, data, model.model_validate(values))
                getattr(ledger, kind).append(rec)
    return ledger


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    return load(LEDGER)


# --- status (spec 4.1) and duties (spec 6), as the example means them --------------------


def status(h: Hazard, d: D) -> tuple[str, tuple[str, ...]] | None:
    if h.found_on > d:
        return None
    applied = [x for x in h.extensions if (x.on or h.found_on) <= d]
    effective = max([x.to for x in applied]) if applied else h.deadline
    checks = [(r.on, r.result) for r in h.reinspections if r.on <= d]
    if h.verified_on and h.verified_on <= d:
        checks.append((h.verified_on, h.verification_result))
    checks.sort(key=lambda c: c[0])
    rectified = h.rectified_on is not None and h.rectified_on <= d
    flags = []
    if rectified and h.rectified_on > effective:
        flags.append("late")
    if applied:
        flags.append("extended")
    if checks and checks[-1][1] == "pass":
        return "closed", tuple(flags)
    if rectified and not any(h.rectified_on <= c[0] for c in checks):
        return "rectified", tuple(flags)
    return ("overdue" if effective < d else "pending"), tuple(flags)


def status_counts(ledger: Ledger, d: D) -> Counter[str]:
    c: Counter[str] = Counter()
    for h in ledger.H.values():
        s = status(h, d)
        if s:
            c[s[0]] += 1
            for f in s[1]:
                c[f] += 1
            if h.level == Level.major:
                c[f"major:{s[0]}"] += 1
    return c


PERIOD = {
    "inspection": ("quarter", "month"),
    "drill": ("year", "half_year"),
    "training": ("year", "year"),
}
FACILITY_PERIOD = {
    "fire_pump": "month",
    "hydrant": "quarter",
    "sprinkler": "quarter",
    "alarm_linkage": "quarter",
    "smoke_control": "half_year",
    "extinguisher": "half_year",
    "detector": "year",
    "water_supply": "year",
}


def calendar_periods(kind: str, year: int) -> list[tuple[str, D, D]]:
    step = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}[kind]
    out = []
    for m in range(1, 13, step):
        start = D(year, m, 1)
        end = D(year + (m + step > 12), (m + step - 1) % 12 + 1, 1) - dt.timedelta(days=1)
        label = {
            "month": f"{year}-{m:02d}",
            "quarter": f"{year}Q{(m + 2) // 3}",
            "half_year": f"{year}H{(m + 5) // 6}",
            "year": str(year),
        }[kind]
        out.append((label, start, end))
    return out


def duty_states(ledger: Ledger, d: D) -> list[tuple[str, str, str, str]]:
    """(enterprise, duty, period, state) for status --as-of d: window [1 Jan, d]."""
    out = []
    acts = ledger.A
    for e in ledger.E.values():
        if e.status == "closed":
            continue
        hr = 1 if e.high_risk else 0
        duties: list[tuple[str, str, Any]] = [
            (
                "principal_inspection",
                PERIOD["inspection"][hr],
                lambda a: a.kind == "inspection" and a.principal_led,
            ),
            (
                "drill",
                PERIOD["drill"][hr],
                lambda a: a.kind == "drill" and a.drill_type == "evacuation",
            ),
            (
                "principal_training",
                "year",
                lambda a: a.kind == "training" and a.role == "principal",
            ),
        ]
        for fac in e.facilities:
            duties.append(
                (
                    f"maintenance:{fac}",
                    FACILITY_PERIOD[fac],
                    lambda a, fac=fac: a.kind == "maintenance" and a.facility == fac,
                )
            )
        mine = [a for a in acts if a.enterprise == e.id]
        for duty, period, match in duties:
            for label, start, end in calendar_periods(period, d.year):
                if start > d:
                    continue
                done = any(match(a) and start <= a.date <= min(end, d) for a in mine)
                state = "met" if done else ("gap" if end <= d else "due")
                out.append((e.id, duty, label, state))
        for c in e.certificates:
            state = (
                "gap"
                if c.expires_on < d
                else "warning"
                if c.expires_on <= d + dt.timedelta(days=30)
                else "met"
            )
            out.append((e.id, "certificate", c.holder, state))
    return out


# --- records ---------------------------------------------------------------------------


def test_counts(ledger: Ledger) -> None:
    assert len(ledger.enterprises) == 25
    assert len(ledger.hazards) == 150
    assert len(ledger.activities) > 500


def test_config(ledger: Ledger) -> None:
    c = ledger.config
    assert c.organisation == "绿园区同心街道办事处" and c.title
    assert c.communities and len(c.communities) >= 5 and "和平社区" in c.communities
    assert c.domains and {"居民住宅", "商业经营", "建筑施工", "公共场所"} <= set(c.domains)
    assert c.report.due == "quarter_last_month:25" and c.report.signatures
    assert c.categories == list(DEFAULT_CATEGORIES)


def test_unique_ids(ledger: Ledger) -> None:
    for kind in ("enterprises", "hazards", "activities"):
        ids = [r.model.id for r in getattr(ledger, kind)]
        assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    assert all(re.fullmatch(r"E\d{3}", i) for i in ledger.E)
    assert all(re.fullmatch(r"H-(2024|2025)-\d{3}", i) for i in ledger.H)
    assert all(re.fullmatch(rf"A-{a.date.year}-\d{{4}}", a.id) for a in ledger.A)


def test_references(ledger: Ledger) -> None:
    E, H = ledger.E, ledger.H
    for h in H.values():
        assert h.enterprise in E, h.id
    for a in ledger.A:
        assert a.enterprise in E, a.id
        for hid in getattr(a, "hazards", []):
            assert hid in H, (a.id, hid)
            assert H[hid].enterprise == a.enterprise, (a.id, hid)
            if a.kind == "inspection":
                assert H[hid].found_on == a.date, (a.id, hid)
            else:
                assert H[hid].found_on <= a.date, (a.id, hid)
    # closed enterprises have nothing after closing
    for e in E.values():
        if e.status == "closed":
            assert all(a.date.year == 2024 for a in ledger.A if a.enterprise == e.id)


def test_communities_and_domains_configured(ledger: Ledger) -> None:
    communities, domains = set(ledger.config.communities or ()), set(ledger.config.domains or ())
    for rec in ledger.enterprises + ledger.hazards:
        m = rec.model
        assert m.community is None or m.community in communities, m.id
        assert m.domain is None or m.domain in domains, m.id
    for e in ledger.E.values():
        assert e.community and e.domain, e.id
    assert sum(e.community == "和平社区" for e in ledger.E.values()) >= 4
    for h in ledger.H.values():
        assert h.category in ledger.config.categories, h.id


def test_chronology(ledger: Ledger) -> None:
    for h in ledger.H.values():
        assert D(2024, 1, 1) <= h.found_on <= END, h.id
        assert h.deadline >= h.found_on, h.id
        if h.rectified_on:
            assert h.found_on <= h.rectified_on <= END, h.id
        if h.verified_on:
            assert h.rectified_on and h.rectified_on <= h.verified_on <= END, h.id
        prev = h.found_on
        for r in h.reinspections:  # oldest first, before the latest verification
            assert prev <= r.on, h.id
            prev = r.on
            assert h.verified_on is None or r.on <= h.verified_on, h.id
        for x in h.extensions:
            assert x.to > h.deadline, h.id
            assert x.on is None or h.found_on <= x.on <= END, h.id
        if h.reported_on:
            assert h.found_on <= h.reported_on <= h.found_on + dt.timedelta(days=3), h.id
        for a in h.amendments:
            assert h.verified_on and h.verified_on <= a.on <= TODAY, h.id
    for a in ledger.A:
        assert D(2024, 1, 1) <= a.date <= END, a.id


def test_closure_integrity(ledger: Ledger) -> None:
    for h in ledger.H.values():
        if h.verified_on:
            assert h.rectified_on and h.measures and h.verified_by, h.id
        for r in h.reinspections:
            assert r.by and r.by != h.responsible, h.id
        if h.verified_by:
            assert h.verified_by != h.responsible, h.id
        if h.rectified_on:
            assert h.measures, h.id
        if h.level == Level.major:
            s = status(h, TODAY)
            assert h.reported_on and h.plan and h.interim_measures, h.id
            if s and s[0] == "closed":
                assert h.evidence, h.id


def test_credit_codes_and_phones(ledger: Ledger) -> None:
    missing = [e.id for e in ledger.E.values() if not e.credit_code]
    assert len(missing) == 1
    for e in ledger.E.values():
        if e.credit_code:
            assert credit_code_problem(e.credit_code) is None, e.id
            assert e.credit_code[:2] in ("91", "12", "52"), e.id
        assert e.principal_phone and re.fullmatch(r"1[3-9]\d{9}|0431-8\d{7}", e.principal_phone), (
            e.id
        )
    assert [e.id for e in ledger.E.values() if e.status == "closed"] == ["E025"]


def test_certificates(ledger: Ledger) -> None:
    expiries = [c.expires_on for e in ledger.E.values() for c in e.certificates]
    assert any(x < MID for x in expiries)  # expired
    assert any(MID < x <= MID + dt.timedelta(days=30) for x in expiries)  # expiring soon mid-year
    assert any(MID + dt.timedelta(days=30) < x < END for x in expiries)  # expires in 2025 H2
    assert any(
        END < x <= END + dt.timedelta(days=30) for x in expiries
    )  # expiring soon at year end
    types = {c.type for e in ledger.E.values() for c in e.certificates}
    assert {"电工证", "焊工证", "电梯安全管理员"} <= types


def test_evidence(ledger: Ledger) -> None:
    referenced: set[str] = set()
    for h in ledger.H.values():
        paths = list(h.evidence)
        if h.plan and h.plan.startswith("evidence/"):
            paths.append(h.plan)
        for p in paths:
            full = (ledger.root / p).resolve()
            assert full.is_file() and full.is_relative_to((ledger.root / "evidence").resolve()), (
                h.id,
                p,
            )
            referenced.add(p)
    on_disk = {p for p in ledger.raw_files if p.startswith("evidence/")}
    assert on_disk == referenced  # no orphans
    assert sum(len(ledger.raw_files[p]) for p in on_disk) < 20_000  # keep it tiny
    assert any(ledger.raw_files[p].startswith(b"\x89PNG") for p in on_disk)
    assert any(ledger.raw_files[p].startswith(b"%PDF") for p in on_disk)


def test_every_value_present(ledger: Ledger) -> None:
    H, A, E = ledger.H.values(), ledger.A, ledger.E.values()
    assert {h.category for h in H} == set(DEFAULT_CATEGORIES)
    assert {h.level for h in H} == {m.value for m in Level}
    assert {h.source for h in H} == {m.value for m in Source}
    assert {e.kind for e in E} == {m.value for m in EnterpriseKind}
    assert Counter(e.kind for e in E).most_common(1)[0][0] == "property_management"
    assert sum(e.high_risk for e in E) >= 2
    assert {a.kind for a in A} == {m.value for m in ActivityKind}
    assert {a.drill_type for a in A if a.kind == "drill"} >= {"evacuation", "firefighting"}
    assert {a.role for a in A if a.kind == "training"} == {"principal", "safety_officer", "staff"}
    assert {a.result for a in A if a.kind == "maintenance"} == {"ok", "fault"}
    assert {a.principal_led for a in A if a.kind == "inspection"} == {True, False}
    assert any(a.hazards for a in A if a.kind == "inspection")
    assert all(a.reason and a.hazards for a in A if a.kind == "interview")
    declared = {f for e in E for f in e.facilities}
    assert declared == set(FACILITY_PERIOD)
    assert declared == {a.facility for a in A if a.kind == "maintenance"}
    # majors: a handful, with plan text and plan documents
    majors = [h for h in H if h.level == "major"]
    assert 5 <= len(majors) <= 8
    assert any(h.plan.startswith("evidence/") for h in majors) and any(
        not h.plan.startswith("evidence/") for h in majors
    )
    assert any(h.funds for h in H) and any(h.notes for h in H) and any(h.amendments for h in H)
    assert any(h.community for h in H)  # a hazard naming its community explicitly


def test_verifications_and_extensions(ledger: Ledger) -> None:
    H = ledger.H.values()
    assert any(h.verification == "fail" for h in H)
    assert any(
        h.reinspections and h.reinspections[0].result == "fail" and h.verification_result == "pass"
        for h in H
    )
    exts = [x for h in H for x in h.extensions]
    assert any(x.on for x in exts) and any(
        x.on is None for x in exts
    )  # the CSV's 延期至 has no date
    assert any(
        x.on and x.on > h.deadline for h in H for x in h.extensions
    )  # approved after the deadline
    assert any(x.to == D(2026, 12, 31) for x in exts)


# --- layouts -------------------------------------------------------------------------------


def test_csv_is_gb18030_with_chinese_headers(ledger: Ledger) -> None:
    data = ledger.raw_files["hazards/2024/excel-export-2024Q4.csv"]
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    header = data.decode("gb18030").splitlines()[0]
    assert header == (
        "隐患编号,发现日期,排查人,排查方式,责任单位,隐患部位,隐患类别,隐患等级,隐患描述,整改措施,"
        "整改责任人,整改资金,整改期限,延期至,整改完成日期,复查日期,复查人"
    )
    rows = [r for r in ledger.hazards if r.file.endswith(".csv")]
    assert len(rows) >= 15 and any(r.data["延期至"] for r in rows)
    assert all(re.fullmatch(r"\d{4}/\d{1,2}/\d{1,2}", r.data["发现日期"]) for r in rows)


def test_layouts(ledger: Ledger) -> None:
    files = Counter(r.file for r in ledger.hazards)
    assert files["hazards/2024/imported-2024H1.yaml"] > 20
    assert any(
        re.fullmatch(r"hazards/2025/Q2/H-2025-\d{3}\.yaml", f) and n == 1 for f, n in files.items()
    )
    for f, n in files.items():
        m = re.fullmatch(r"hazards/\d{4}/Q\d/(H-\d{4}-\d{3})\.yaml", f)
        if m:  # one record per file, named by its id
            assert (
                n == 1
                and ledger.hazards[[r.file for r in ledger.hazards].index(f)].model.id == m[1]
            )

    def chinese_keyed(recs: list[Rec]) -> set[str]:
        return {r.file for r in recs if any(re.match(r"[\u4e00-\u9fff]", str(k)) for k in r.data)}

    assert "enterprises/businesses.yaml" in chinese_keyed(ledger.enterprises)
    assert chinese_keyed([r for r in ledger.hazards if r.file.endswith(".yaml")])
    assert "activities/2025/trainings.yaml" in chinese_keyed(ledger.activities)
    written = [v for r in ledger.hazards for v in r.data.values() if isinstance(v, str)]
    assert any(re.fullmatch(r"\d{4}/\d{1,2}/\d{1,2}", v) for v in written)
    assert any(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", v) for v in written)
    assert any(r.data.get("high_risk", r.data.get("高危行业")) == "是" for r in ledger.enterprises)
    for year in (2024, 2025):
        for kind in ("inspections", "drills", "trainings", "maintenance", "interviews"):
            assert f"activities/{year}/{kind}.yaml" in ledger.raw_files
    text = ledger.raw_files["safeledger.yaml"].decode()
    assert text.count("#") > 20  # documented keys


# --- statuses and duties ---------------------------------------------------------------------


@pytest.mark.parametrize("as_of", [MID, END])
def test_every_status_and_flag(ledger: Ledger, as_of: D) -> None:
    c = status_counts(ledger, as_of)
    for s in (*STATUSES, "late", "extended"):
        assert c[s] > 0, (as_of, s, c)
    assert c["closed"] > sum(c[s] for s in STATUSES) / 2  # most hazards are closed


def test_statuses_today(ledger: Ledger) -> None:
    c = status_counts(ledger, TODAY)
    assert c["major:pending"] >= 1  # the extension to 2026-12-31
    for s in STATUSES:
        assert c[s] > 0, (s, c)


def test_status_changes_with_as_of(ledger: Ledger) -> None:
    """A failed reinspection sends the hazard back; the extension approved late changes the
    status once approved."""
    H = ledger.H
    h = next(h for h in H.values() if h.level == "major" and h.reinspections)
    r = h.reinspections[0]
    assert status(h, r.on)[0] in ("pending", "overdue")
    assert status(h, h.rectified_on)[0] == "rectified"
    assert status(h, h.verified_on)[0] == "closed"
    late_ext = next(
        h
        for h in H.values()
        for x in h.extensions
        if x.on and x.on > h.deadline and (h.rectified_on is None or h.rectified_on > x.on)
    )
    x = late_ext.extensions[0]
    assert status(late_ext, x.on - dt.timedelta(days=1))[0] == "overdue"
    assert status(late_ext, x.on)[0] == "pending"


@pytest.mark.parametrize("as_of", [MID, END])
def test_duty_states(ledger: Ledger, as_of: D) -> None:
    states = duty_states(ledger, as_of)
    c = Counter(s[3] for s in states)
    expected = {"met", "gap", "warning"} | ({"due"} if as_of == MID else set())
    assert set(c) == expected, c
    assert c["met"] > 5 * c["gap"]
    gaps = {(e, duty) for e, duty, _, s in states if s == "gap"}
    assert any(duty == "principal_inspection" for _, duty in gaps)
    assert any(duty.startswith("maintenance:") for _, duty in gaps)
    assert any(duty == "certificate" for _, duty in gaps)
    if as_of == END:
        assert any(duty == "drill" for _, duty in gaps) and any(
            duty == "principal_training" for _, duty in gaps
        )


def test_most_enterprises_meet_principal_inspections(ledger: Ledger) -> None:
    states = duty_states(ledger, END)
    missing = {e for e, duty, _, s in states if duty == "principal_inspection" and s == "gap"}
    active = [e for e in ledger.E.values() if e.status == "active"]
    assert 1 <= len(missing) <= 4 < len(active)
    high_risk = {e.id for e in active if e.high_risk}
    monthly = {
        (e, p) for e, duty, p, _ in states if duty == "principal_inspection" and e in high_risk
    }
    assert len(monthly) == 12 * len(high_risk)


# --- the generator -----------------------------------------------------------------------------


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_generator_is_deterministic_and_committed(tmp_path: Path) -> None:
    trees = []
    for name in ("a", "b"):
        out = tmp_path / name
        subprocess.run(
            [sys.executable, str(SCRIPT), "--out", str(out)], check=True, capture_output=True
        )
        trees.append(_tree(out))
    assert trees[0] == trees[1]
    committed = _tree(LEDGER)
    assert sorted(committed) == sorted(trees[0]), "run scripts/make_example_ledger.py"
    changed = [p for p in committed if committed[p] != trees[0][p]]
    assert not changed, f"out of date, run scripts/make_example_ledger.py: {changed[:5]}"


# --- the table for the docs ---


def summary(ledger: Ledger) -> str:
    lines = [
        "| as of | " + " | ".join(STATUSES) + " | late | extended | major open |",
        "|---|" + "---|" * (len(STATUSES) + 3),
    ]
    for d in (MID, END, TODAY):
        c = status_counts(ledger, d)
        major_open = sum(c[f"major:{s}"] for s in STATUSES if s != "closed")
        lines.append(
            f"| {d} | "
            + " | ".join(str(c[s]) for s in STATUSES)
            + f" | {c['late']} | {c['extended']} | {major_open} |"
        )
    lines += ["", "| as of | met | gap | due | warning |", "|---|---|---|---|---|"]
    for d in (MID, END):
        c = Counter(s[3] for s in duty_states(ledger, d))
        lines.append(f"| {d} | {c['met']} | {c['gap']} | {c['due']} | {c['warning']} |")
        gaps = sorted(
            (e, duty, p) for e, duty, p, s in duty_states(ledger, d) if s in ("gap", "warning")
        )
        lines.append("|  | " + "; ".join(f"{e} {duty} {p}" for e, duty, p in gaps) + " | | | |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary(load(LEDGER)))
