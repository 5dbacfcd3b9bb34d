"""Reductions at research sizes (issue 13): per reduction and source, each solver's wall time
and the check's verdict, one `check` per cell with a time limit per fitting solve.
(Not ``benchmarks/reductions.py``: run as a script, that name would shadow the package.)

    PYTHONPATH=. python benchmarks/reduction_sizes.py --time-limit 60 [--solvers enum,scip]
        [--stop-when-decided]

Timings are wall clock on whatever machine runs it (noisy on shared cores: repeat and take the
minimum).  A cell reads "PASS 12.3 s", "INCONCLUSIVE 60.4 s" (limit reached) or "refused" (the
solver does not take the instance, e.g. enumeration over its cell budget).
"""

from __future__ import annotations

import argparse
import time

from exactfit.errors import InputError
from reductions.check import check
from reductions.registry import get_reduction
from reductions.sources import CNF, Graph
from reductions.sources import generators as gen


def _wheel(n: int) -> Graph:
    """The wheel on ``n`` vertices: a hub joined to the cycle C_{n−1}; χ = 4 for even n."""
    rim = tuple((i, i % (n - 1) + 1) for i in range(1, n))
    return Graph(n, tuple((0, i) for i in range(1, n)) + rim, None, f"wheel{n}")


#: (label, reduction, parameters, source): the sizes issue 13 asks to finish within 60 s
CASES = [
    ("maxcut G(14,.5) s1", "maxcut_to_relu", {}, lambda: gen.gnp(14, 0.5, 1)),
    ("maxcut petersen", "maxcut_to_relu", {}, gen.petersen),
    ("dks G(14,.5) s1 k7", "dks_to_relu", {"kappa": 7}, lambda: gen.gnp(14, 0.5, 1)),
    ("coloring wheel W8 k3", "coloring_to_relus", {"units": 3}, lambda: _wheel(8)),
    ("coloring mycielski4 k3", "coloring_to_relus", {"units": 3}, lambda: gen.mycielski(4)),
    ("gapmaxcut G(10,.5) s1", "gapmaxcut_to_unit_relu", {}, lambda: gen.gnp(10, 0.5, 1)),
    ("gapmaxcut petersen", "gapmaxcut_to_unit_relu", {}, gen.petersen),
    (
        "sat3 chain 3 clauses",
        "sat3_to_relu",
        {},
        lambda: CNF(3, ((1, 2, 3), (-1, 2, -3), (1, -2, 3)), name="three"),
    ),
]


def _cell(name: str, params: dict, source, solver: str, limit: float, stop: bool) -> str:
    began = time.perf_counter()
    try:
        red = get_reduction(name, **params)
        report = check(red, source, solver=solver, time_limit=limit, stop_when_decided=stop)
    except InputError as exc:
        return f"refused ({str(exc)[:40]})"
    how = f" ({report.decided_by})" if report.decided_by == "bound" else ""
    proof = report.discrimination.proof if report.discrimination is not None else "-"
    return f"{report.verdict}{how} {time.perf_counter() - began:.1f} s, bound {proof}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per fitting solve")
    ap.add_argument("--solvers", default="enum,scip", help="comma-separated fitting solvers")
    ap.add_argument("--only", default="", help="run only the cases whose label contains this")
    ap.add_argument(
        "--stop-when-decided",
        action="store_true",
        help="check(..., stop_when_decided=True): MIQPs stop once their bound decides",
    )
    args = ap.parse_args()
    solvers = args.solvers.split(",")
    stopping = "; MIQPs stop once their bound decides" if args.stop_when_decided else ""
    print(f"time limit {args.time_limit:g} s for the fitting side; MIQPs seeded with the lift"
          f"{stopping}")  # fmt: skip
    print("| case | " + " | ".join(solvers) + " |")
    print("|---|" + "---|" * len(solvers))
    for label, name, params, make in CASES:
        if args.only not in label:
            continue
        stop = args.stop_when_decided
        cells = [_cell(name, params, make(), s, args.time_limit, stop) for s in solvers]
        print(f"| {label} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
