"""Time safeledger against its peers on generated ledgers, and print a Markdown table.

    .venv/bin/python benchmarks/run.py                      # 1k, 10k, 100k; 3 runs each
    .venv/bin/python benchmarks/run.py --sizes 1000,10000 --runs 5 --work /tmp/slbench

Every command runs as a subprocess of the installed ``safeledger`` (startup included),
page cache warm (one untimed run first).  Columns: the median wall time of ``--runs``
runs and the peak memory (max RSS, from ``os.wait4``) of the slowest one.

Commands, for each size and layout (``lists`` = YAML lists of 1,000 records per file,
``per-record`` = one file per record):

* ``check --no-cache`` (cold) and ``check`` again with the result cache (warm);
* ``status --format json``, ``report --quarter … --format json`` and ``--format html``,
  each with ``--no-cache`` (cold: the ledger is read and validated) and again with the
  cache of loaded ledgers filled (warm); ``status`` and ``report --format html`` also as
  a user's first run (first: the cache folder empty, so the ledger is loaded and stored
  after the answer, the key worked out with it, the charts drawn);
* ``check``, ``status`` and ``report --format html`` after one hazard file was edited
  (edited: what a pre-commit hook sees; the cache holds the ledger as the run before
  left it, so only the edited file is read: safeledger.file_cache);
* the peers: ``check-jsonschema`` against ``safeledger schema`` (per kind), and
  ``yamllint -d relaxed``.  Above ``--peer-max`` hazards the peers are not run: their
  time is extrapolated linearly from the largest size they ran on (marked "≈ … (extr.)").

Ledgers are generated with benchmarks/generate.py under ``--work`` (default a folder in
/tmp) and reused when present."""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate

BIN = Path(sys.executable).parent
AS_OF = "2026-09-30"
QUARTER = "2026Q3"


def timed(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, int, int]:
    """(seconds, peak RSS in MB, exit code) of one run, output discarded.  A big ledger's
    cache entry is stored after the answer by a detached process; it is waited for
    (not timed), so that it does not compete with the next command."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd
    )
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    wait_for_detached(cmd[0])
    return took, usage.ru_maxrss // 1024, proc.returncode


def wait_for_detached(program: str, limit: float = 120.0) -> None:
    """Wait until no process started as ``program`` is left (Linux: /proc)."""
    deadline = time.monotonic() + limit
    marker = program.encode()
    while time.monotonic() < deadline:
        left = False
        for entry in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                if marker in entry.read_bytes() and int(entry.parent.name) != os.getpid():
                    left = True
                    break
            except (OSError, ValueError):
                continue
        if not left:
            return
        time.sleep(0.1)


def measure(
    cmd: list[str],
    env: dict[str, str],
    runs: int,
    warmup: bool = True,
    before: Callable[[], object] | None = None,
) -> tuple[float, int]:
    """Median time and peak memory of ``runs`` runs; ``before`` is called before each."""
    if warmup:
        timed(cmd, env)
    results = []
    for _ in range(runs):
        if before is not None:
            before()
        results.append(timed(cmd, env))
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def measure_first(
    cmd: list[str], env: dict[str, str], runs: int, cache: Path
) -> tuple[float, int]:
    """A user's first run: the cache folder empty before each run (nothing stored, no
    stat index, no chart drawn), the entry stored after the answer as usual."""
    empty = partial(shutil.rmtree, cache, ignore_errors=True)
    return measure(cmd, env, runs, warmup=False, before=empty)


def measure_edited(
    cmd: list[str], env: dict[str, str], runs: int, root: Path
) -> tuple[float, int]:
    """A run after one hazard file was edited (what a pre-commit hook sees): the
    cache holds the ledger as the last run left it, and before each run a different
    comment line is appended to one hazard file (put back as it was afterwards)."""
    files = sorted((root / "hazards").rglob("*.yaml"))
    target = files[len(files) // 2]
    original = target.read_bytes()
    edits = iter(range(1, runs + 1))

    def edit() -> None:
        target.write_bytes(original + f"\n# edited {next(edits)}\n".encode())

    timed(cmd, env)  # the cache holds the ledger as it is
    try:
        return measure(cmd, env, runs, warmup=False, before=edit)
    finally:
        target.write_bytes(original)


def fill_loaded_cache(cmd: list[str], env: dict[str, str]) -> None:
    """Run ``cmd`` once so that the cache of loaded ledgers holds this ledger (a big one
    is stored after the answer: :func:`timed` waits for that), then once more so that
    the page cache is warm for the entry, as for every other command."""
    timed(cmd, env)
    timed(cmd, env)


def ensure_ledger(work: Path, hazards: int) -> Path:
    base = work / f"h{hazards}"
    if (
        not (base / "lists" / "safeledger.yaml").is_file()
        or not (base / "per-record" / "safeledger.yaml").is_file()
    ):
        print(f"generating {hazards} hazards under {base} …", file=sys.stderr)
        generate.generate(
            base,
            hazards_n=hazards,
            enterprises_n=max(10, hazards // 10),
            activities_n=hazards // 2,
            layout="both",
        )
    return base


def schemas(work: Path, env: dict[str, str]) -> dict[str, Path]:
    out = {}
    for kind in ("enterprises", "hazards", "activities"):
        path = work / f"schema-{kind}.json"
        subprocess.run(
            [str(BIN / "safeledger"), "schema", "--kind", kind, "-o", str(path)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        out[kind] = path
    return out


def jsonschema_cmds(root: Path, schema: dict[str, Path]) -> list[list[str]]:
    """check-jsonschema per kind, in batches of files (argument lists have a limit)."""
    cmds = []
    for kind, path in schema.items():
        files = sorted(str(p) for p in (root / kind).rglob("*.yaml"))
        for i in range(0, len(files), 5000):
            cmds.append(
                [str(BIN / "check-jsonschema"), "--schemafile", str(path), *files[i : i + 5000]]
            )
    return cmds


def measure_many(cmds: list[list[str]], env: dict[str, str], runs: int) -> tuple[float, int]:
    for cmd in cmds:
        timed(cmd, env)
    totals, peak = [], 0
    for _ in range(runs):
        total = 0.0
        for cmd in cmds:
            took, rss, _ = timed(cmd, env)
            total += took
            peak = max(peak, rss)
        totals.append(total)
    return statistics.median(totals), peak


def fmt(seconds: float, mb: int, extrapolated: bool = False) -> str:
    if extrapolated:
        return f"≈ {seconds:.1f} s (extr.)"
    return f"{seconds:.2f} s / {mb} MB"


_CALIBRATION = """
import time
best = float("inf")
for _ in range(3):
    start = time.perf_counter()
    table = {f"H-{i:06d}": (i, str(i)) for i in range(200_000)}
    sum(len(v[1]) for v in table.values())
    best = min(best, time.perf_counter() - start)
print(best)
"""


def calibration() -> float:
    """Seconds of a fixed pure-Python workload (the best of three): how fast this machine
    is right now.  A shared VM drifts by ±30 % from minute to minute; two tables are
    comparable in proportion to their calibrations.  Run in a subprocess: in this one,
    the memory it leaves behind would count in the peak memory of every command started
    after it (a forked child's max RSS starts at its parent's)."""
    done = subprocess.run(
        [sys.executable, "-c", _CALIBRATION], capture_output=True, text=True, check=True
    )
    return float(done.stdout)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="hazard counts")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path("/tmp/safeledger-bench"))
    ap.add_argument("--layouts", default="lists,per-record")
    ap.add_argument(
        "--peer-max",
        type=int,
        default=10_000,
        help="largest size the peers run on; above it they are extrapolated",
    )
    ap.add_argument("--no-peers", action="store_true")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    layouts = args.layouts.split(",")
    args.work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SAFELEDGER_CACHE_DIR=str(args.work / "cache"), NO_COLOR="1")
    shutil.rmtree(args.work / "cache", ignore_errors=True)
    sl = str(BIN / "safeledger")
    before = calibration()
    schema = schemas(args.work, env)
    rows: list[list[str]] = []
    peer_rate: dict[tuple[str, str], float] = {}  # (layout, peer) -> seconds per hazard
    for n in sizes:
        base = ensure_ledger(args.work, n)
        for layout in layouts:
            root = base / layout
            out = args.work / "report.html"
            row = [f"{n:,}", layout]
            cold, cold_mb = measure(
                [sl, "check", str(root), "--format", "json", "--no-cache", "--as-of", AS_OF],
                env,
                args.runs,
            )
            warm, warm_mb = measure(
                [sl, "check", str(root), "--format", "json", "--as-of", AS_OF], env, args.runs
            )
            row += [fmt(cold, cold_mb), fmt(warm, warm_mb)]
            row.append(
                fmt(
                    *measure_edited(
                        [sl, "check", str(root), "--format", "json", "--as-of", AS_OF],
                        env,
                        args.runs,
                        root,
                    )
                )
            )
            for cmd, first in (
                ([sl, "status", str(root), "--as-of", AS_OF, "--format", "json"], True),
                ([sl, "report", str(root), "--quarter", QUARTER, "--format", "json"], False),
                (
                    [sl, "report", str(root), "--quarter", QUARTER, "--format", "html",
                     "-o", str(out)],
                    True,
                ),
            ):
                row.append(fmt(*measure([*cmd, "--no-cache"], env, args.runs)))
                if first:
                    row.append(fmt(*measure_first(cmd, env, args.runs, args.work / "cache")))
                fill_loaded_cache(cmd, env)
                row.append(fmt(*measure(cmd, env, args.runs, warmup=False)))
                if first:
                    row.append(fmt(*measure_edited(cmd, env, args.runs, root)))
            peers = []
            if not args.no_peers:
                for peer in ("check-jsonschema", "yamllint"):
                    if n <= args.peer_max:
                        cmds = (
                            jsonschema_cmds(root, schema)
                            if peer == "check-jsonschema"
                            else [[str(BIN / "yamllint"), "-d", "relaxed", str(root)]]
                        )
                        took, mb = measure_many(cmds, env, 1 if n > 1000 else args.runs)
                        peer_rate[(layout, peer)] = took / n
                        peers.append((took, fmt(took, mb)))
                    elif (layout, peer) in peer_rate:
                        took = peer_rate[(layout, peer)] * n
                        peers.append((took, fmt(took, 0, extrapolated=True)))
                    else:
                        peers.append((0.0, "—"))
            row += [text for _, text in peers]
            for took, _ in peers:
                row.append(f"{took / cold:.0f}×" if took else "—")
            rows.append(row)
            print(" | ".join(row), file=sys.stderr)
    head = [
        "hazards",
        "layout",
        "check (cold)",
        "check (warm)",
        "check (edited)",
        "status json (cold)",
        "status json (first)",
        "status json (warm)",
        "status json (edited)",
        "report json (cold)",
        "report json (warm)",
        "report html (cold)",
        "report html (first)",
        "report html (warm)",
        "report html (edited)",
    ]
    if not args.no_peers:
        head += ["check-jsonschema", "yamllint", "jsonschema ÷ check", "yamllint ÷ check"]
    print(
        f"\nMachine: {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GB, "
        f"Python {platform.python_version()}, {date.today().isoformat()}; "
        f"median of {args.runs} runs, time / peak memory.  Calibration (a fixed "
        f"pure-Python workload): {before:.3f} s before, {calibration():.3f} s after.\n"
    )
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
