"""Coverage-guided fuzzing with atheris (libFuzzer for Python), for a bounded time.

    .venv/bin/pip install -e '.[fuzz]'
    .venv/bin/python tests/fuzz/run_atheris.py --target reader --seconds 300
    .venv/bin/python tests/fuzz/run_atheris.py --target all --seconds 60   # each target

The seed corpus is the example ledger's files (ledgers/tongxin), every yaml-test-suite
case and the csv-spectrum files, plus the inputs kept in tests/fixtures/fuzz/<target>/.
A crashing input is written to tests/fixtures/fuzz/<target>/crash-<sha1>; the pytest
test tests/fuzz/test_regressions.py replays every file there.  Exit status 0 when no
crash was found, 1 otherwise.  Each target runs in its own process (libFuzzer owns the
process), with a per-input timeout (--timeout, default 10 s: a hang is a crash too)."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "fuzz"
TESTDATA = ROOT.parent / "shared" / "testdata"


def seeds(target: str) -> list[Path]:
    """Seed files for ``target``."""
    found: list[Path] = []
    example = ROOT / "ledgers" / "tongxin"
    if target in ("reader", "yaml", "config"):
        found += sorted(example.rglob("*.yaml"))
        found += sorted((TESTDATA / "yaml-test-suite").rglob("in.yaml"))
    if target in ("reader", "csv"):
        found += sorted(example.rglob("*.csv"))
        found += sorted((TESTDATA / "csv-spectrum" / "csvs").glob("*.csv"))
    found += sorted(p for p in (FIXTURES / target).glob("*") if p.is_file())
    return found


def _corpus(target: str, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    small = {
        "dates": ["2025-03-01", "2025/3/1", "2025.3.1", "2025年3月1日", "3/1/2025"],
        "enums": ["重大事故隐患", "general", "物业企业", "疏散逃生", "Pass"],
        "credit_code": ["91110108MA01R1XK9R", "91110108MA01R1XK9", "9111010８MA01R1XK9R"],
        "fields": ["1,200元", "是", "30人", "2025年3月1日", "-1"],
        "periods": ["2025Q2", "2025年第二季度", "2025-05", "2025H1", "last", "0000"],
    }
    for n, text in enumerate(small.get(target, [])):
        (folder / f"seed-{n}").write_text(text, encoding="utf-8")
    for n, path in enumerate(seeds(target)):
        data = path.read_bytes()
        if target == "reader":  # first byte: kind and format (see targets.reader_any)
            data = bytes([1 | (4 if path.suffix == ".csv" else 0)]) + data
        (folder / f"file-{n}").write_bytes(data[:200_000])


def run_one(target: str, seconds: int, timeout: int, jobs_dir: Path) -> int:
    corpus = jobs_dir / target / "corpus"
    _corpus(target, corpus)
    artifacts = FIXTURES / target
    artifacts.mkdir(parents=True, exist_ok=True)
    code = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
import atheris
with atheris.instrument_imports(include=["safeledger"]):
    import safeledger.read, safeledger.validate, safeledger.model, safeledger.evaluate.periods
    from tests.fuzz.targets import TARGETS
atheris.Setup(sys.argv, TARGETS[{target!r}])
atheris.Fuzz()
"""
    args = [
        sys.executable,
        "-c",
        code,
        f"-max_total_time={seconds}",
        f"-timeout={timeout}",
        "-rss_limit_mb=2048",
        "-max_len=65536",
        f"-artifact_prefix={artifacts}/",
        "-print_final_stats=1",
        str(corpus),
    ]
    print(f"== {target}: {seconds} s, corpus {sum(1 for _ in corpus.iterdir())} seeds", flush=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + str(ROOT)}
    done = subprocess.run(args, env=env, cwd=ROOT, check=False)
    return done.returncode


def main(argv: list[str] | None = None) -> int:
    from tests.fuzz.targets import TARGETS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="reader", choices=[*TARGETS, "all"])
    parser.add_argument("--seconds", type=int, default=60, help="time per target")
    parser.add_argument("--timeout", type=int, default=10, help="seconds one input may take")
    args = parser.parse_args(argv)
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("atheris is not installed: pip install -e '.[fuzz]'", file=sys.stderr)
        return 2
    names = list(TARGETS) if args.target == "all" else [args.target]
    jobs = Path(tempfile.mkdtemp(prefix="safeledger-atheris-"))
    failed = []
    try:
        for name in names:
            if run_one(name, args.seconds, args.timeout, jobs) != 0:
                failed.append(name)
    finally:
        shutil.rmtree(jobs, ignore_errors=True)
    print("crashes in: " + ", ".join(failed) if failed else "no crash found")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
