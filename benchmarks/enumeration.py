"""Benchmark: the enumeration solver against SCIP on planted-ReLU data.

Data: x_i ~ N(0, I_d), a planted unit (or k units) with Gaussian weights, labels
y_i = Σ_j a_j σ(w_j·x_i + b_j) + 0.1·N(0, 1), fixed seeds.  Prints one row per case: n, d, k,
the chambers of the whole arrangement (Cover's count; unit-cell combinations for k ≥ 2), the
cells enum actually enumerated (fewer with its incumbent regions), cells enumerated per second,
enum and scip wall times, their ratio, and whether the optima agree within 1e-7 relative
(``-`` when SCIP did not prove optimality).

Usage::

    python benchmarks/enumeration.py                    # all cases, SCIP limit 300 s
    python benchmarks/enumeration.py --scip-limit 60 --cases 80x2 80x3
    python benchmarks/enumeration.py --no-scip          # enum only
    python benchmarks/enumeration.py --no-scip --no-regions   # whole arrangements: cells/s
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from exactfit import FitProblem, get_solver
from exactfit.result import Status

CASES = [
    (20, 2, 1),
    (40, 3, 1),
    (80, 2, 1),
    (80, 3, 1),
    (200, 2, 1),
    (1000, 2, 1),
    (200, 3, 1),
    (20, 2, 2),
]


def planted(n: int, d: int, k: int, seed: int) -> FitProblem:
    """Planted ReLU network plus Gaussian noise (seeded)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    W = rng.standard_normal((k, d))
    b = rng.standard_normal(k) * 0.5
    a = np.where(np.arange(k) % 2 == 0, 1.0, -1.0)
    y = np.maximum(X @ W.T + b, 0.0) @ a + 0.1 * rng.standard_normal(n)
    return FitProblem(X.tolist(), y.tolist(), units=k, bias=True, meta={"seed": seed})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--cases", nargs="*", help="cases as NxD or NxDxK (default: all)")
    ap.add_argument("--scip-limit", type=float, default=300.0, help="SCIP time limit in seconds")
    ap.add_argument("--enum-limit", type=float, default=None, help="enum time limit in seconds")
    ap.add_argument("--no-scip", action="store_true", help="run enum only")
    ap.add_argument(
        "--no-regions", action="store_true", help="enumerate whole arrangements (no regions)"
    )
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    cases = CASES
    if args.cases:
        cases = []
        for c in args.cases:
            parts = [int(v) for v in c.split("x")]
            cases.append((parts[0], parts[1], parts[2] if len(parts) > 2 else 1))
    enum = get_solver("enum")
    scip = None if args.no_scip else get_solver("scip")
    head = (
        f"{'n':>5} {'d':>2} {'k':>2} {'chambers':>9} {'cells':>9} {'cells/s':>9} {'qps':>6} "
        f"{'enum s':>8} {'scip s':>8} {'ratio':>7} agree"
    )
    print(head)
    print("-" * len(head))
    for n, d, k in cases:
        problem = planted(n, d, k, args.seed + 1000 * n + 10 * d + k)
        t = time.perf_counter()
        opts = {"regions": False} if args.no_regions and k == 1 else {}
        re = enum.solve(problem, time_limit=args.enum_limit, progress=False, **opts)
        te = time.perf_counter() - t
        cells = re.stats.get("combinations", re.stats["cells"])
        chambers = enum.estimate_cells(problem)
        ts, agree, rs = float("nan"), "-", None
        if scip is not None:
            t = time.perf_counter()
            rs = scip.solve(problem, time_limit=args.scip_limit)
            ts = time.perf_counter() - t
            if rs.status is Status.OPTIMAL and re.status is Status.OPTIMAL:
                rel = abs(re.objective - rs.objective) / max(abs(rs.objective), 1e-12)
                agree = "yes" if rel <= 1e-7 else f"NO ({rel:.1e})"
            elif rs.status is not Status.OPTIMAL:
                cmp = "<=" if re.objective <= rs.objective else ">"
                agree = f"- (scip {rs.status.value}, enum {cmp} scip)"
        scip_s = f"{ts:8.2f}" if scip is not None else f"{'-':>8}"
        ratio = f"{ts / te:7.1f}" if scip is not None else f"{'-':>7}"
        if rs is not None and rs.status is not Status.OPTIMAL:
            scip_s = f"{'>' + format(ts, '.0f'):>8}"
            ratio = f"{'>' + format(ts / te, '.0f'):>7}"
        print(
            f"{n:>5} {d:>2} {k:>2} {chambers:>9} {cells:>9} {cells / te:>9.0f} "
            f"{re.stats['qps']:>6} "
            f"{te:>8.2f} {scip_s} {ratio} {agree}"
            + ("" if re.status is Status.OPTIMAL else f"  enum {re.status.value}")
        )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
