"""Compare YAML parsers on a generated hazard file: yaml-rs, PyYAML (C), ruamel.yaml.

    .venv/bin/python benchmarks/parsers.py [records]   (default 20,000)

Also writes nothing: the file is generated in memory.  ``make_hazards`` is reused by the
read-layer benchmarks (10k small files, one 100k-record file)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any


def make_hazards(n: int, start: int = 0) -> str:
    out = []
    for i in range(start, start + n):
        out.append(
            f"- id: H-2025-{i:06d}\n"
            f"  found_on: 2025-0{1 + i % 9}-1{i % 10}\n"
            f"  found_by: 张三\n"
            f"  source: 日常巡查\n"
            f"  enterprise: E-{i % 500:04d}\n"
            f"  location: 同心小区{i % 40}号楼地下车库\n"
            f"  category: 消防设施\n"
            f"  level: {'major' if i % 50 == 0 else 'general'}\n"
            f"  description: >-\n"
            f"    消防通道堆放杂物，影响疏散，编号 {i}。\n"
            f"    需要立即清理并设置警示标志。\n"
            f"  measures: 清理杂物，设置禁止堆放标识\n"
            f"  responsible: 李四\n"
            f"  funds: {i % 3000}.5\n"
            f"  deadline: 2025-10-{1 + i % 28:02d}\n"
            f"  extensions:\n"
            f"    - to: 2025-11-01\n"
            f"      approved_by: 王五\n"
            f"      on: 2025-10-01\n"
            f"  rectified_on: 2025-10-20\n"
            f"  evidence: [evidence/{i}.jpg]\n"
            f"  notes: \"备注: {i}\"\n"
        )
    return "".join(out)


def bench(name: str, fn: Callable[[str], Any], text: str) -> float:
    t0 = time.perf_counter()
    fn(text)
    took = time.perf_counter() - t0
    print(f"{name:28s} {took:7.2f} s")
    return took


def main() -> None:
    import yaml
    import yaml_rs
    from ruamel.yaml import YAML

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    text = make_hazards(n)
    print(f"{n} records, {len(text.encode()) / 2**20:.1f} MB")
    bench("yaml_rs.loads", yaml_rs.loads, text)
    bench("PyYAML CSafeLoader load", lambda t: yaml.load(t, Loader=yaml.CSafeLoader), text)

    def events(t: str) -> None:
        loader = yaml.CSafeLoader(t)
        while loader.get_event() is not None:
            pass
        loader.dispose()

    bench("PyYAML C event stream", events, text)
    bench("ruamel.yaml round-trip", YAML().load, text)
    bench("ruamel.yaml safe (pure)", YAML(typ="safe", pure=True).load, text)


if __name__ == "__main__":
    main()
