"""Benchmark: the enumeration kernel on noisy planted data (issue 12, items 1–3).

Data: ``x_i ~ N(0, I_d)``, ``w ~ N(0, I_d)``, ``y_i = relu(w·x_i + 0.2) + σ·N(0, 1)``, one
unit with bias, seeded.  Prints per case: the chambers enumerated (``cells``), the cone QPs
solved, enum's wall and CPU time without the exact phase (``float``) and with it (``cert``,
the default; ``proof`` is its proof level), each the min of ``--repeat`` runs (timings on a
shared machine are noisy), SCIP's wall time, and whether the optima agree within 1e-7
relative.

Usage::

    python benchmarks/enum_kernel.py                          # default cases
    python benchmarks/enum_kernel.py --cases 80x3:1.0 200x3:0.4 --repeat 3 --no-scip
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from exactfit import FitProblem, get_solver
from exactfit.result import Status

CASES = ["40x3:1.0", "80x3:0.4", "80x3:1.0", "200x3:0.4", "200x3:1.0"]


def noisy(n: int, d: int, sigma: float, seed: int) -> FitProblem:
    """One planted ReLU unit with bias 0.2 plus Gaussian noise of deviation ``sigma``."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w = rng.standard_normal(d)
    y = np.maximum(X @ w + 0.2, 0.0) + sigma * rng.standard_normal(n)
    return FitProblem(X.tolist(), y.tolist(), units=1, bias=True, meta={"seed": seed})


def parse_case(case: str) -> tuple[int, int, float]:
    """``(n, d, σ)`` of a case written ``NxD:SIGMA``."""
    shape, sigma = case.split(":")
    n, d = (int(v) for v in shape.split("x"))
    return n, d, float(sigma)


def case_problem(case: str, seed: int) -> tuple[int, int, float, FitProblem]:
    """``(n, d, σ, problem)`` of a case: :func:`noisy` with this script's seed rule."""
    n, d, sigma = parse_case(case)
    return n, d, sigma, noisy(n, d, sigma, seed + 1000 * n + d)


def _timed(solver, problem: FitProblem, repeat: int, **options):
    """``(min wall s, min CPU s, result)`` over ``repeat`` solves (CPU time is steadier on a
    shared machine; it counts every thread of the process)."""
    wall, cpu, res = float("inf"), float("inf"), None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        res = solver.solve(problem, **options)
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu, res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--cases", nargs="*", default=CASES, help="cases as NxD:SIGMA")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-scip", action="store_true")
    ap.add_argument("--no-certify", action="store_true", help="skip the certified runs")
    ap.add_argument("--scip-limit", type=float, default=300.0)
    args = ap.parse_args(argv)
    enum = get_solver("enum")
    scip = None if args.no_scip else get_solver("scip")
    head = (
        f"{'n':>5} {'d':>2} {'sigma':>5} {'cells':>9} {'qps':>7} {'float s':>8} {'cpu':>7} "
        f"{'cert s':>8} {'cpu':>7} {'proof':>6} {'scip s':>8} agree"
    )
    print(head)
    print("-" * len(head))
    for case in args.cases:
        n, d, sigma, problem = case_problem(case, args.seed)
        t_float, c_float, res = _timed(enum, problem, args.repeat, certify=False)
        st = res.stats
        t_cert, c_cert, proof = float("nan"), float("nan"), "-"
        value = res.objective
        if not args.no_certify:
            t_cert, c_cert, cres = _timed(enum, problem, args.repeat)
            proof = cres.proof.value if cres.proof is not None else "-"
            value = cres.objective
        t_scip, agree = float("nan"), "-"
        if scip is not None:
            t0 = time.perf_counter()
            sres = scip.solve(problem, time_limit=args.scip_limit)
            t_scip = time.perf_counter() - t0
            if sres.status is Status.OPTIMAL:
                rel = abs(float(sres.objective) - float(value)) / max(abs(float(value)), 1e-12)
                agree = "yes" if rel <= 1e-7 else f"NO ({rel:.1e})"
        print(
            f"{n:>5} {d:>2} {float(sigma):>5.2f} {st.get('cells', 0):>9} {st.get('qps', 0):>7} "
            f"{t_float:>8.3f} {c_float:>7.3f} {t_cert:>8.3f} {c_cert:>7.3f} {proof:>6} "
            f"{t_scip:>8.2f} {agree}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
