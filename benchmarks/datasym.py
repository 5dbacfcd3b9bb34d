"""Benchmark: the orbit-leader rows of the data's symmetries (``exactfit.solvers.datasym``) in
the MIQP backends, on the reductions' library instances.

Per instance: the rows found and the time of their search, then each backend's wall time,
status, loss and bound with the rows and without them (the unit-order rows are kept in both),
one run each (shared machines are noisy: repeat for figures you quote).

    PYTHONPATH=. python benchmarks/datasym.py [--time-limit 60] [--solvers scip,ortools]
"""

from __future__ import annotations

import argparse
import time

from exactfit import solve
from exactfit.io import read_instance
from exactfit.solvers import datasym

LIB = "instances/reductions"
CASES = [
    "maxcut_to_relu/maxcut_petersen",
    "maxcut_to_relu/maxcut_hamming_3_2",
    "maxcut_to_relu/maxcut_johnson_4_2",
    "dks_to_relu/dks_johnson_5_2_k4",
    "dks_to_relu/dks_hamming_3_2_k4",
    "gapmaxcut_to_unit_relu/gapmaxcut_c5",
    "gapmaxcut_to_unit_relu/gapmaxcut_k4",
    "sat3_to_relu/sat3_planted_3_2",
    "coloring_to_relus/coloring_fano_k2",
    "coloring_to_relus/coloring_mycielski_4_k3",
]


def _run(problem, solver: str, limit: float, rows: bool) -> str:
    saved = datasym._cached_rows
    if not rows:
        datasym._cached_rows = lambda problem: ()
    try:
        began = time.perf_counter()
        r = solve(problem, solver=solver, time_limit=limit)
        took = time.perf_counter() - began
    finally:
        datasym._cached_rows = saved
    return f"{r.status.value} {took:.1f} s ({r.objective:.6g}/{r.bound:.6g})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--solvers", default="scip")
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    print("| instance | d × n | rows (search s) | solver | with rows | without |")
    print("|---|---|---|---|---|---|")
    for case in CASES:
        if args.only not in case:
            continue
        problem = read_instance(f"{LIB}/{case}.json")
        began = time.perf_counter()
        rows = datasym.orbit_leader_rows(problem)
        search = time.perf_counter() - began
        for solver in args.solvers.split(","):
            datasym._cached_rows.cache_clear()
            cells = [_run(problem, solver, args.time_limit, on) for on in (True, False)]
            print(
                f"| {case.split('/')[1]} | {problem.d} × {problem.n} | {len(rows)} ({search:.2f}) "
                f"| {solver} | {cells[0]} | {cells[1]} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
