"""Benchmark: how many chambers the trivial bound leaves to the least-squares factorisation.

For each case (``benchmarks/enum_kernel.py``'s data and seeds), every chamber of the whole
arrangement by the prefix-sum route, and the share of chambers (and of (chamber, output
sign) pairs) whose trivial bound ``Y − Σ_S c (y^±)²`` is at most the float optimum — the
ones the drop test at the optimum still factorises — beside the share the sign-aware
least-squares bound keeps.

Usage::

    PYTHONPATH=$PWD python benchmarks/trivial_share.py 2000x2:0.4 200x3:1.0 400x3:1.0
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from enum_kernel import case_problem

from exactfit import get_solver
from exactfit.solvers.enumeration.algebra import _Setup
from exactfit.solvers.enumeration.cells import _GenericCells


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("cases", nargs="+", help="cases as NxD:SIGMA (one unit)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    print(f"{'n':>5} {'d':>2} {'sigma':>5} {'chambers':>9} {'trivial ch':>10} "
          f"{'pairs':>6} {'ls pairs':>8}")  # fmt: skip
    for spec in args.cases:
        n, d, sigma, problem = case_problem(spec, args.seed)
        opt = float(get_solver("enum").solve(problem, certify=False).objective)
        setup = _Setup.build(problem)
        cells = _GenericCells(setup.hp)
        total = chambers = pairs = ls = 0
        for _, sums in cells.blocks(0, 1, *setup.deltas()):
            live = setup.trivial_bounds(sums) <= opt
            total += len(sums)
            chambers += int(live.any(axis=1).sum())
            pairs += int(live.sum())
            ls += int((setup.sign_bounds(sums) <= opt).sum())
        print(f"{n:>5} {d:>2} {float(sigma):>5.2f} {total:>9} {chambers / total:>10.1%} "
              f"{pairs / (2 * total):>6.1%} {ls / (2 * total):>8.2%}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
