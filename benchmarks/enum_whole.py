"""Benchmark: whole-arrangement throughput of the single-unit enumeration, wall and CPU.

The same instances as ``benchmarks/enumeration.py`` (its :class:`Case`, seed 0) and the same
mode as its ``whole c/s`` column (``regions=False, certify=False``: every chamber enumerated
and bounded), but the minimum of ``--repeat`` solves after a warm-up (imports, JIT cache) and
both clocks: on a shared machine the CPU figure is the steadier one.

Usage::

    PYTHONPATH=$PWD python benchmarks/enum_whole.py 200x3:1.0 2000x2:0.4
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import exactfit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from enum_kernel import parse_case
from enumeration import Case


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("cases", nargs="+", help="cases as NxD:SIGMA (one unit)")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)
    opts = {"solver": "enum", "certify": False, "regions": False}
    print(f"{'n':>5} {'d':>2} {'sigma':>5} {'cells':>9} {'wall s':>7} {'c/s':>9} "
          f"{'cpu s':>7} {'c/s':>9}")  # fmt: skip
    for spec in args.cases:
        n, d, sigma = parse_case(spec)
        problem = Case(n, d, 1, sigma).problem(0)
        exactfit.solve(problem, **opts)  # warm-up
        wall = cpu = float("inf")
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            res = exactfit.solve(problem, **opts)
            wall = min(wall, time.perf_counter() - t0)
            cpu = min(cpu, time.process_time() - c0)
        cells = res.stats["cells"]
        print(f"{n:>5} {d:>2} {float(sigma):>5.2f} {cells:>9} {wall:>7.3f} {cells / wall:>9.3g} "
              f"{cpu:>7.3f} {cells / cpu:>9.3g}", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
