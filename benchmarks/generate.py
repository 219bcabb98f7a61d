"""Generate a synthetic district ledger of any size, for benchmarks.

    .venv/bin/python benchmarks/generate.py --out /tmp/sl-bench            # 100k hazards
    .venv/bin/python benchmarks/generate.py --hazards 10000 --enterprises 1000 \\
        --activities 5000 --layout lists --out /tmp/sl-10k

Layouts (``--layout``):

* ``per-record``: one file per record, hazards in ``hazards/<year>/<month>/H-….yaml``,
  activities in ``activities/<year>/<month>/A-….yaml``, enterprises in
  ``enterprises/<community>/E….yaml``;
* ``lists``: YAML lists of 1,000 records per file (``hazards/<year>/hazards-0001.yaml``…);
* ``both`` (default): ``OUT/per-record`` and ``OUT/lists``, the same records.

Deterministic (``--seed``, default 7): the same arguments give the same bytes.  Text is
taken from the example ledger's vocabulary (scripts/make_example_ledger.py): Chinese
locations, descriptions and measures per category, names, communities.  Credit codes have
correct GB 32100-2015 check characters.  Statuses are mixed (closed, rectified, pending,
overdue, extended, failed verifications), and ``--mistakes`` (default 3 %) of hazards and
1 % of the other records carry a mistake — a bad date form, an unknown enterprise, a missing
required field, a bad enum value, an unknown key — so the error path is measured too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import random
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from safeledger.model.credit_code import ALPHABET, check_character  # noqa: E402


def _example_vocabulary() -> Any:
    spec = importlib.util.spec_from_file_location(
        "make_example_ledger", REPO / "scripts" / "make_example_ledger.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


EX = _example_vocabulary()
D = dt.date
START = D(2022, 1, 1)
END = D(2026, 9, 30)  # last event date (the machine's clock was 2026-11 when written)
DAYS = (END - START).days
FACILITIES = list(EX.FACILITY_PERIOD)
STREETS = ["同心", "和平", "锦程", "春华", "青松", "正阳", "铁西", "城西", "普阳", "林园"]
COMMUNITY_STEMS = [
    "和平",
    "锦程",
    "春华",
    "青松",
    "同心",
    "西郊",
    "明珠",
    "富民",
    "康乐",
    "兴隆",
    "长青",
    "新华",
    "光明",
    "友谊",
    "建设",
    "团结",
]
COMMUNITIES = [f"{s}{c}社区" for s in STREETS for c in COMMUNITY_STEMS[:8]]  # 80
ESTATE_WORDS = ["嘉苑", "华庭", "花园", "雅居", "新城", "佳园", "名都", "锦苑", "馨园", "丽景"]
COMPANY_WORDS = [
    "物业服务有限公司",
    "商贸有限公司",
    "餐饮管理有限公司",
    "建筑工程有限公司",
    "超市",
    "酒店管理有限公司",
    "燃气有限公司",
    "汽车维修服务部",
]
KINDS = ["property_management", "business", "business", "business", "public", "other"]
SOURCES = ["routine", "special", "unannounced", "self", "report", "third_party", "authority"]
HAZARD_TEXTS = [
    (cat, loc, desc, meas, days) for cat, rows in EX.T.items() for _, loc, desc, meas, days in rows
]


def person(rng: random.Random) -> str:
    return rng.choice(EX.SURNAMES) + rng.choice(EX.GIVEN)


def credit_code(rng: random.Random) -> str:
    body = "91220106" + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + check_character(body)


def day(rng: random.Random, start: D = START, end: D = END) -> D:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def plus(d: D, days: int) -> D:
    return min(d + dt.timedelta(days=days), END)


# --- records ------------------------------------------------------------------------


def enterprises(rng: random.Random, n: int) -> list[dict[str, Any]]:
    out = []
    for i in range(1, n + 1):
        kind = rng.choice(KINDS)
        community = COMMUNITIES[i % len(COMMUNITIES)]
        estate = community[2:4] + rng.choice(ESTATE_WORDS)
        rec: dict[str, Any] = {
            "id": f"E{i:05d}",
            "name": f"长春市{community[:2]}{rng.choice(ESTATE_WORDS)}{rng.choice(COMPANY_WORDS)}",
            "credit_code": credit_code(rng),
            "kind": kind,
            "community": community,
            "domain": rng.choice(EX.DOMAINS),
            "address": f"绿园区{community[:2]}路{rng.randint(1, 999)}号",
            "principal": person(rng),
            "principal_phone": rng.choice(["13", "15", "18"])
            + "".join(rng.choice("0123456789") for _ in range(9)),
            "safety_officer": person(rng),
            "high_risk": rng.random() < 0.1,
            "facilities": sorted(rng.sample(FACILITIES, rng.randint(0, 3))),
        }
        if kind == "property_management":
            rec["projects"] = [estate]
        out.append(rec)
    return out


def hazards(rng: random.Random, n: int, n_ent: int) -> list[dict[str, Any]]:
    out = []
    for i in range(1, n + 1):
        cat, loc, desc, meas, days = rng.choice(HAZARD_TEXTS)
        ent = rng.randint(1, n_ent)
        found = day(rng)
        major = rng.random() < 0.02
        place = {
            "p": rng.choice(ESTATE_WORDS),
            "b": rng.randint(1, 18),
            "u": rng.randint(1, 4),
            "f": rng.randint(2, 18),
            "r": rng.randint(1, 4),
        }
        rec: dict[str, Any] = {
            "id": f"H-{found.year}-{i:06d}",
            "found_on": found,
            "found_by": person(rng),
            "source": rng.choice(SOURCES),
            "enterprise": f"E{ent:05d}",
            "location": loc.format(**place),
            "category": cat,
            "level": "major" if major else "general",
            "description": desc,
            "responsible": person(rng),
            "funds": rng.choice([None, 500, 1200, 2600, 8000, 35000]),
            "deadline": plus(found, days),
        }
        fate = rng.random()
        if major:
            rec["interim_measures"] = "设置警戒区域，安排专人值守，制定应急处置措施"
            rec["plan"] = "按五落实要求制定治理方案"
            rec["reported_on"] = plus(found, 1)
        if fate < 0.05 and rec["deadline"] < END:  # extended
            rec["extensions"] = [
                {
                    "to": plus(rec["deadline"], 30),
                    "approved_by": person(rng),
                    "on": rec["deadline"],
                    "reason": "需采购设备，延期整改",
                }
            ]
        if fate < 0.85 and found < D(2026, 8, 1):  # rectified
            rec["measures"] = meas
            rec["rectified_on"] = plus(found, rng.randint(1, days + 10))
            if fate < 0.75:  # verified
                rec["verified_on"] = plus(rec["rectified_on"], rng.randint(1, 14))
                rec["verified_by"] = person(rng)
                if fate < 0.03:
                    rec["verification"] = "fail"
                if major:
                    rec["evidence"] = ["evidence/plan.pdf"]
        rec = {k: v for k, v in rec.items() if v is not None}
        out.append(rec)
    return out


def activities(rng: random.Random, n: int, n_ent: int, n_haz: int) -> list[dict[str, Any]]:
    out = []
    for i in range(1, n + 1):
        kind = rng.choice(
            [
                "inspection",
                "inspection",
                "drill",
                "training",
                "maintenance",
                "maintenance",
                "interview",
            ]
        )
        date = day(rng)
        rec: dict[str, Any] = {
            "id": f"A-{date.year}-{i:06d}",
            "kind": kind,
            "date": date,
            "enterprise": f"E{rng.randint(1, n_ent):05d}",
        }
        if kind == "inspection":
            rec |= {
                "led_by": person(rng),
                "principal_led": rng.random() < 0.6,
                "scope": rng.choice(EX.SCOPES_STREET + EX.SCOPES_SELF),
            }
        elif kind == "drill":
            rec |= {
                "drill_type": rng.choice(["evacuation", "firefighting"]),
                "participants": rng.randint(10, 300),
            }
        elif kind == "training":
            rec |= {
                "trainee": person(rng),
                "role": rng.choice(["principal", "safety_officer", "staff"]),
                "hours": 8,
            }
        elif kind == "maintenance":
            rec |= {"facility": rng.choice(FACILITIES), "result": rng.choice(["ok", "ok", "fault"])}
        else:
            rec |= {"reason": "隐患逾期未整改约谈主要负责人"}
        out.append(rec)
    return out


def add_mistakes(rng: random.Random, records: list[dict[str, Any]], share: float, kind: str) -> int:
    """Put one mistake into ``share`` of ``records``; returns how many."""
    count = 0
    for rec in records:
        if rng.random() >= share:
            continue
        count += 1
        what = rng.randrange(5)
        date_key = {"hazards": "found_on", "activities": "date"}.get(kind)
        if what == 0 and date_key:
            d = rec[date_key]
            rec[date_key] = f"{d.month}/{d.day}/{d.year}"  # not an accepted form
        elif what == 1 and kind != "enterprises":
            rec["enterprise"] = "E99999"
        elif what == 2:
            rec.pop({"hazards": "location", "activities": "enterprise"}.get(kind, "principal"))
        elif what == 3:
            rec[{"hazards": "level", "activities": "kind"}.get(kind, "kind")] = "很严重"
        else:
            rec["remark"] = "备注"  # unknown key: a warning with a suggestion
    return count


# --- YAML text ----------------------------------------------------------------------

_PLAIN_UNSAFE = set(":#{}[],&*!|>'\"%@`")


def scalar(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | D):
        return str(value)
    text = str(value)
    if (
        not text
        or text[0] in "-?"
        or any(c in _PLAIN_UNSAFE for c in text)
        or text[0].isdigit()
        or text.lower() in ("true", "false", "null", "yes", "no")
    ):
        return "'" + text.replace("'", "''") + "'"
    return text


def emit(rec: dict[str, Any], first: str, indent: str) -> Iterator[str]:
    lead = first
    for key, value in rec.items():
        if isinstance(value, list):
            if not value:
                yield f"{lead}{key}: []\n"
            elif isinstance(value[0], dict):
                yield f"{lead}{key}:\n"
                for item in value:
                    yield from emit(item, indent + "  - ", indent + "    ")
            else:
                yield f"{lead}{key}: [{', '.join(scalar(v) for v in value)}]\n"
        else:
            yield f"{lead}{key}: {scalar(value)}\n"
        lead = indent


def record_text(rec: dict[str, Any]) -> str:
    return "".join(emit(rec, "", ""))


def list_text(title: str, recs: list[dict[str, Any]]) -> str:
    head = f"# {title}\n# 由 benchmarks/generate.py 生成 / synthetic benchmark data\n\n"
    return head + "\n".join("".join(emit(r, "- ", "  ")) for r in recs)


def config_text() -> str:
    lines = [
        "# 区级汇总台账（基准测试用合成数据）/ synthetic district ledger for benchmarks",
        "format: 1",
        "organisation: 绿园区安全生产委员会办公室",
        "title: 绿园区安全生产隐患排查治理台账",
        "communities:",
    ]
    lines += [f"  - {c}" for c in COMMUNITIES]
    lines += ["domains:"] + [f"  - {d}" for d in EX.DOMAINS]
    return "\n".join(lines) + "\n"


def _year_month(rec: dict[str, Any], key: str) -> str:
    value = rec.get(key)
    if isinstance(value, D):
        return f"{value.year}/{value.month:02d}"
    return "unknown"


def write_ledger(
    out: Path,
    layout: str,
    ents: list[dict[str, Any]],
    hazs: list[dict[str, Any]],
    acts: list[dict[str, Any]],
) -> int:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / "safeledger.yaml").write_text(config_text(), encoding="utf-8")
    (out / "evidence").mkdir()
    (out / "evidence" / "plan.pdf").write_bytes(b"%PDF-1.4\n% placeholder\n")
    files = 1
    if layout == "per-record":
        for rec in ents:
            files += _write(
                out / "enterprises" / str(rec.get("community", "其他")) / f"{rec['id']}.yaml",
                record_text(rec),
            )
        for rec in hazs:
            files += _write(
                out / "hazards" / _year_month(rec, "found_on") / f"{rec['id']}.yaml",
                record_text(rec),
            )
        for rec in acts:
            files += _write(
                out / "activities" / _year_month(rec, "date") / f"{rec['id']}.yaml",
                record_text(rec),
            )
        return files
    for kind, recs in (("enterprises", ents), ("hazards", hazs), ("activities", acts)):
        for n, start in enumerate(range(0, len(recs), 1000), start=1):
            chunk = recs[start : start + 1000]
            files += _write(
                out / kind / f"{kind}-{n:04d}.yaml",
                list_text(f"{kind} {start + 1}–{start + len(chunk)}", chunk),
            )
    return files


def _write(path: Path, text: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return 1


def generate(
    out: Path,
    *,
    hazards_n: int = 100_000,
    enterprises_n: int = 10_000,
    activities_n: int = 50_000,
    layout: str = "both",
    seed: int = 7,
    mistakes: float = 0.03,
) -> dict[str, Any]:
    rng = random.Random(seed)
    ents = enterprises(rng, enterprises_n)
    hazs = hazards(rng, hazards_n, enterprises_n)
    acts = activities(rng, activities_n, enterprises_n, hazards_n)
    wrong = (
        add_mistakes(rng, ents, mistakes / 3, "enterprises")
        + add_mistakes(rng, hazs, mistakes, "hazards")
        + add_mistakes(rng, acts, mistakes / 3, "activities")
    )
    layouts = ["per-record", "lists"] if layout == "both" else [layout]
    written = {}
    for name in layouts:
        target = out / name if layout == "both" else out
        written[name] = (target, write_ledger(target, name, ents, hazs, acts))
    return {"records": len(ents) + len(hazs) + len(acts), "mistakes": wrong, "layouts": written}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--hazards", type=int, default=100_000)
    ap.add_argument(
        "--enterprises", type=int, default=None, help="default: hazards / 10 (at least 10)"
    )
    ap.add_argument("--activities", type=int, default=None, help="default: hazards / 2")
    ap.add_argument("--layout", choices=["per-record", "lists", "both"], default="both")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--mistakes",
        type=float,
        default=0.03,
        help="share of hazards with a mistake (others: a third of it)",
    )
    args = ap.parse_args(argv)
    ents = args.enterprises if args.enterprises is not None else max(10, args.hazards // 10)
    acts = args.activities if args.activities is not None else args.hazards // 2
    info = generate(
        args.out,
        hazards_n=args.hazards,
        enterprises_n=ents,
        activities_n=acts,
        layout=args.layout,
        seed=args.seed,
        mistakes=args.mistakes,
    )
    for name, (path, files) in info["layouts"].items():
        print(f"{name}: {path} ({files} files)")
    print(f"{info['records']} records, {info['mistakes']} with a mistake")
    return 0


if __name__ == "__main__":
    sys.exit(main())
