"""Which exact model proves source optima faster: CP-SAT or SCIP (and brute force where tiny).

Prints one table row per (problem, instance, method): the value, whether optimality was proven,
and the wall-clock seconds.  The winner per problem decides ``AUTO_MODEL`` in
``reductions/sources/solvers/common.py``.

    python benchmarks/sources.py                    # all problems, 60 s limit per solve
    python benchmarks/sources.py --time-limit 20 --problems dks maxcut
    python benchmarks/sources.py --cpsat-variants   # CP-SAT parameter settings on DkS / Max-Cut
"""

from __future__ import annotations

import argparse
import math
import statistics
from collections.abc import Callable

from exactfit.errors import InputError
from reductions.sources import generators as gen
from reductions.sources import solvers as S


def _instances() -> dict[str, list[tuple[str, Callable[[str, float], S.SourceSolution]]]]:
    karate = gen.karate()
    out: dict[str, list] = {"maxcut": [], "dks": [], "maxsat": [], "colour": []}
    mc = [
        ("petersen", gen.petersen()),
        ("gnp:20:0.5:s1", gen.gnp(20, 0.5, 1)),
        ("wgnp:24:0.4:w9:s2", gen.random_weighted_graph(24, 0.4, 9, 2)),
        ("gnp:30:0.3:s3", gen.gnp(30, 0.3, 3)),
        ("karate", karate),
    ]
    for name, g in mc:
        out["maxcut"].append((name, lambda m, t, g=g: S.max_cut(g, method=m, time_limit=t)))
    dks = [(f"karate k={k}", karate, k) for k in (5, 6, 7, 8, 9, 10)]
    dks += [
        ("gnp:40:0.2:s4 k=8", gen.gnp(40, 0.2, 4), 8),
        ("johnson:7:3 k=5", gen.johnson(7, 3), 5),
        ("wgnp:30:0.3:w9:s5 k=7", gen.random_weighted_graph(30, 0.3, 9, 5), 7),
    ]
    for name, g, k in dks:
        out["dks"].append(
            (name, lambda m, t, g=g, k=k: S.densest_subgraph(g, k, method=m, time_limit=t))
        )
    sat = [
        ("random3sat:20:200:s1", gen.random_3sat(20, 200, 1)),
        ("random3sat:30:300:s2", gen.random_3sat(30, 300, 2)),
        ("planted3sat:40:170:s3", gen.planted_3sat(40, 170, 3)),
        ("random2sat-w:30:120:s4", _weighted_2sat(30, 120, 4)),
    ]
    for name, f in sat:
        out["maxsat"].append((name, lambda m, t, f=f: S.max_sat(f, method=m, time_limit=t)))
    col = [
        ("petersen k=3", gen.petersen(), 3),
        ("petersen k=2", gen.petersen(), 2),
        ("mycielski:4 k=3", gen.mycielski(4), 3),
        ("mycielski:5 k=4", gen.mycielski(5), 4),
        ("fano k=2", gen.fano(), 2),
        ("hyper:14:60:3:s1 k=2", gen.random_hypergraph(14, 60, 3, 1), 2),
        ("gnp:30:0.3:s3 k=4", gen.gnp(30, 0.3, 3), 4),
    ]
    for name, h, k in col:
        out["colour"].append(
            (name, lambda m, t, h=h, k=k: S.colourable(h, k, method=m, time_limit=t))
        )
    return out


def _weighted_2sat(n: int, m: int, seed: int):
    import random

    from reductions.sources.types import CNF

    rng = random.Random(seed)
    clauses, weights = [], []
    for _ in range(m):
        a, b = rng.sample(range(1, n + 1), 2)
        clauses.append((a if rng.random() < 0.5 else -a, b if rng.random() < 0.5 else -b))
        weights.append(rng.randint(1, 5))
    return CNF(n, tuple(clauses), tuple(weights))


def run(problems: list[str], time_limit: float, repeat: int) -> None:
    table = _instances()
    print(f"{'problem':<8} {'instance':<24} {'method':<6} {'value':>7} {'proven':>6} {'wall_s':>9}")
    totals: dict[tuple[str, str], list[float]] = {}
    for problem in problems:
        for name, solve in table[problem]:
            for method in ("cpsat", "scip", "brute"):
                times, sol = [], None
                try:
                    for _ in range(repeat):
                        sol = solve(method, time_limit)
                        times.append(sol.wall_s)
                except InputError:
                    continue  # brute force refused: too large
                assert sol is not None
                t = statistics.median(times)
                totals.setdefault((problem, method), []).append(t if sol.optimal else math.inf)
                print(
                    f"{problem:<8} {name:<24} {method:<6} {sol.value:>7} "
                    f"{'yes' if sol.optimal else 'NO':>6} {t:>9.3f}"
                )
    print()
    print("total seconds to prove all optima per problem (inf = some instance hit the limit):")
    for problem in problems:
        row = [
            f"{m}={sum(totals[(problem, m)]):.3f}"
            for m in ("cpsat", "scip")
            if (problem, m) in totals
        ]
        print(f"  {problem:<8} " + "  ".join(row))


def cpsat_variants(time_limit: float) -> None:
    variants = {
        "workers=1 lin=2 (used)": {"num_workers": 1, "linearization_level": 2},
        "workers=1 lin=1": {"num_workers": 1, "linearization_level": 1},
        "workers=2 lin=2": {"num_workers": 2, "linearization_level": 2},
        "workers=2 lin=1": {"num_workers": 2, "linearization_level": 1},
    }
    cases = [
        ("dks karate k=8", lambda t: S.densest_subgraph(gen.karate(), 8, method="cpsat",
                                                        time_limit=t)),
        ("dks gnp:40:0.2:s4 k=8", lambda t: S.densest_subgraph(gen.gnp(40, 0.2, 4), 8,
                                                               method="cpsat", time_limit=t)),
        ("maxcut gnp:30:0.3:s3", lambda t: S.max_cut(gen.gnp(30, 0.3, 3), method="cpsat",
                                                     time_limit=t)),
        ("colour mycielski:5 k=4", lambda t: S.colourable(gen.mycielski(5), 4, method="cpsat",
                                                          time_limit=t)),
    ]  # fmt: skip
    saved = dict(S.CPSAT_PARAMETERS)
    print(f"{'CP-SAT setting':<24} {'case':<24} {'value':>6} {'proven':>6} {'wall_s':>9}")
    try:
        for label, params in variants.items():
            S.CPSAT_PARAMETERS.clear()
            S.CPSAT_PARAMETERS.update(params)
            for name, solve in cases:
                sol = solve(time_limit)
                print(
                    f"{label:<24} {name:<24} {sol.value:>6} "
                    f"{'yes' if sol.optimal else 'NO':>6} {sol.wall_s:>9.3f}"
                )
    finally:
        S.CPSAT_PARAMETERS.clear()
        S.CPSAT_PARAMETERS.update(saved)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve (60)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per cell; the median is shown")
    ap.add_argument(
        "--problems", nargs="+", default=["maxcut", "dks", "maxsat", "colour"],
        choices=["maxcut", "dks", "maxsat", "colour"],
    )  # fmt: skip
    ap.add_argument("--cpsat-variants", action="store_true", help="compare CP-SAT settings")
    args = ap.parse_args()
    if args.cpsat_variants:
        cpsat_variants(args.time_limit)
    else:
        run(args.problems, args.time_limit, args.repeat)


if __name__ == "__main__":
    main()
