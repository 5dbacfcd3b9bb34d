"""The SCIP indicator model's extras on the library's reduction instances: each instance with
mirror points (the models that take indicators) solved with the budget rows and the ReLU caps
propagator on and off, wall seconds and the final bound, one process, in turn.  No start
network: the budget is the zero network's loss, so the propagator (by default on only with a
cut-off) is forced on in "both".

    PYTHONPATH=. python benchmarks/scip_extras.py [--time-limit 30] [--only NAME]

Timings are wall clock on whatever machine runs it (noisy on shared cores: repeat).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import exactfit
from exactfit.io import read_instance
from exactfit.solvers.scip import auto_formulation

VARIANTS = {
    "both": {"relu_caps": True},
    "rows only": {"relu_caps": False},
    "neither": {"relu_caps": False, "budget_rows": False},
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    paths = sorted(Path("instances/reductions").glob("*/*.json"))
    print(f"time limit {args.time_limit:g} s; cells: wall s (status, bound if not optimal)")
    print("| instance | n × d | " + " | ".join(VARIANTS) + " |")
    print("|---|---|" + "---|" * len(VARIANTS))
    for path in paths:
        if args.only not in path.name:
            continue
        problem = read_instance(path)
        if auto_formulation(problem) != "indicator":
            continue
        cells = []
        for opts in VARIANTS.values():
            began = time.perf_counter()
            r = exactfit.solve(problem, "scip", time_limit=args.time_limit, **opts)
            wall = time.perf_counter() - began
            tail = "" if r.status.value == "optimal" else f" ({r.status.value}, {r.bound:.6g})"
            cells.append(f"{wall:.2f}{tail}")
        size = f"{problem.n} × {problem.d}"
        print(f"| {path.stem} | {size} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
