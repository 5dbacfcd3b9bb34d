"""Print when the YES and NO intervals of ``gapmaxcut_to_unit_relu`` separate (no solver).

For random Δ-regular graphs (``networkx.random_regular_graph``) with n up to ``--n-max``, the
closed-form YES interval (MC ≥ c·m) and NO interval (MC ≤ s·m) of the reduction's value map,
for the default α = max(Δ, 1) and for the allowed α that separates earliest, and the first n
at which they separate (see :mod:`reductions.gap`).  The intervals depend on the graph only
through n, m and Δ; the graphs are built to show that such graphs exist at every size listed.

    PYTHONPATH=. python benchmarks/gap_visibility.py --delta 3 --c 1 --s 1/2 --n-max 10000
"""

from __future__ import annotations

import argparse
import time
from fractions import Fraction

import networkx as nx

from reductions.gap import alpha_floor, best_alpha, first_separating_n, gap_row
from reductions.sources.types import Graph

SIZES = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)


def _interval(iv) -> str:
    return f"[{float(iv.lo):.6g}, {float(iv.hi):.6g}]"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--delta", type=int, default=3, help="degree Δ (3)")
    p.add_argument("--c", type=Fraction, default=Fraction(1), help="YES cut fraction c (1)")
    p.add_argument("--s", type=Fraction, default=Fraction(1, 2), help="NO cut fraction s (1/2)")
    p.add_argument("--n-max", type=int, default=10_000, help="largest n (10000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random regular graphs (0)")
    a = p.parse_args()
    start = time.perf_counter()
    best, n_best = best_alpha(a.delta, a.c, a.s, a.n_max)
    n_default = first_separating_n(a.delta, a.c, a.s, None, a.n_max)
    print(
        f"Δ = {a.delta}, c = {a.c}, s = {a.s}; the gap argument needs "
        f"α > Δ/(2√2(c − s)) = {alpha_floor(a.delta, a.c, a.s):.4f}"
    )
    print(f"default α = {max(a.delta, 1)}: first separating n = {n_default}")
    print(f"best α = {best} (≈{float(best):.4g}): first separating n = {n_best}")
    print()
    head = f"{'n':>6} {'m':>6} | {'YES (default α)':>24} {'NO (default α)':>24} sep"
    print(f"{head} | {'YES (best α)':>24} {'NO (best α)':>24} sep")
    for n in (k for k in SIZES if k <= a.n_max):
        if n * a.delta % 2:
            n += 1  # a Δ-regular graph needs nΔ even
        g = Graph.from_networkx(nx.random_regular_graph(a.delta, n, seed=a.seed + n))
        if g.max_degree != a.delta or 2 * g.m != a.delta * g.n:
            raise RuntimeError(f"networkx returned a non-{a.delta}-regular graph on {n} vertices")
        rows = [gap_row(g.n, g.m, g.max_degree, a.c, a.s, alpha) for alpha in (None, best)]
        cells = [
            f"{_interval(r.yes):>24} {_interval(r.no):>24} {'yes' if r.separated else 'no':>3}"
            for r in rows
        ]
        print(f"{g.n:>6} {g.m:>6} | {cells[0]} | {cells[1]}")
    print(f"\n({time.perf_counter() - start:.1f} s, exact rationals, √ rounded outward)")


if __name__ == "__main__":
    main()
