"""Benchmark: the enumeration solver against SCIP and (when installed) Gurobi, on noisy data.

Data (issue 12's model): x_i ~ N(0, I_d); k planted units with weights w_j ~ N(0, I_d), bias
0.2 and output signs +1, −1, +1, ...; labels y_i = Σ_j a_j σ(w_j·x_i + 0.2) + σ·N(0, 1).  The
class is the planted one with free output signs.  Each case (n, d, k, σ) is run on
``--seeds`` instances (seeded from the case, so a row's instances never change) and the table
gives, per solver, the minimum and the median wall time over them (in-process, after a
warm-up solve, so imports are not timed).  Times are noisy on a shared machine: read them as
such, and take ``--repeats R`` (the minimum of R runs per instance) for figures to quote.

Columns: the cells enum enumerated (median; unit-cell combinations for k ≥ 2), the
whole-arrangement throughput (k = 1: enum with regions off and no certificate, cells per
second, median), enum (with its exact certificate unless ``--no-certify``), SCIP (exactfit's
``scip`` solver), Gurobi (``benchmarks/gurobi_miqp.py``, the same SOS1 model; skipped with a
note when gurobipy is missing or the model exceeds its size-limited licence), enum's median
against the faster MIQP's median, and whether the optima agree: every finished solver's loss
within 1e-7 relative of enum's on every seed (``3/3``); a solver stopped at ``--time-limit`` is
shown as ``>S`` and its seed counted unchecked.  ``docs/solvers/enumeration.md`` says how the
README's speed claims come from this table.

Usage::

    PYTHONPATH=$PWD python benchmarks/enumeration.py                       # the full table
    PYTHONPATH=$PWD python benchmarks/enumeration.py --sizes 80x2 80x3 --sigmas 1.0
    PYTHONPATH=$PWD python benchmarks/enumeration.py --time-limit 30 --solvers enum,scip
    PYTHONPATH=$PWD python benchmarks/enumeration.py --quick               # tiny smoke run
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from exactfit import FitProblem, get_solver
from exactfit.result import Status

#: (n, d, k) of issue 12's table; k = 1 runs at every σ of SIGMAS, k ≥ 2 at K2_SIGMA.
SIZES = [
    (80, 2, 1),
    (40, 3, 1),
    (80, 3, 1),
    (97, 3, 1),
    (200, 3, 1),
    (1000, 2, 1),
    (2000, 2, 1),
    (20, 2, 2),
    (30, 2, 2),
    (16, 3, 2),
]
SIGMAS = (0.05, 0.4, 1.0)
K2_SIGMA = 0.2
QUICK = ([(12, 1, 1), (10, 2, 1), (6, 1, 2)], (0.05, 1.0), 2)
SOLVERS = ("enum", "scip", "gurobi")
AGREE_RTOL = 1e-7


@dataclass(frozen=True)
class Case:
    """One row: ``n`` points in ``d`` dimensions, ``k`` units, label noise ``sigma``."""

    n: int
    d: int
    k: int
    sigma: float

    def __post_init__(self) -> None:
        if min(self.n, self.d, self.k) < 1 or not self.sigma >= 0:
            raise ValueError(f"expected n, d, k ≥ 1 and σ ≥ 0, found {self}")

    def problem(self, seed: int) -> FitProblem:
        """Instance ``seed`` of this case (the data model of the module docstring)."""
        rng = np.random.default_rng([self.n, self.d, self.k, round(self.sigma * 1000), seed])
        X = rng.standard_normal((self.n, self.d))
        W = rng.standard_normal((self.k, self.d))
        a = np.where(np.arange(self.k) % 2 == 0, 1.0, -1.0)
        y = np.maximum(X @ W.T + 0.2, 0.0) @ a + self.sigma * rng.standard_normal(self.n)
        meta = {"case": f"{self.n}x{self.d}x{self.k} sigma={self.sigma}", "seed": seed}
        return FitProblem(X.tolist(), y.tolist(), units=self.k, bias=True, meta=meta)


@dataclass(frozen=True)
class Run:
    """One solver on one instance: wall seconds (min over repeats), the recomputed loss of
    its network (None: none), whether it finished (OPTIMAL), and a note ("" or why not)."""

    seconds: float
    objective: float | None
    finished: bool
    note: str = ""


@dataclass(frozen=True)
class Row:
    """One case over its seeds: the runs per solver (one per seed), enum's cells and the
    whole-arrangement throughput per seed (cells/s; empty for k ≥ 2 or when not measured)."""

    case: Case
    runs: dict[str, list[Run]]
    cells: list[int]
    throughput: list[float]

    def agreement(self) -> tuple[int, int, float]:
        """(seeds where every finished solver agrees with enum, seeds checked, worst relative
        difference seen).  A seed is checked when enum and at least one peer finished."""
        agree = checked = 0
        worst = 0.0
        for i, mine in enumerate(self.runs["enum"]):
            peers = [r[i] for s, r in self.runs.items() if s != "enum" and r[i].finished]
            if not mine.finished or mine.objective is None or not peers:
                continue
            checked += 1
            rel = max(
                abs(p.objective - mine.objective) / max(abs(mine.objective), 1e-12) for p in peers
            )
            worst = max(worst, rel)
            agree += rel <= AGREE_RTOL
        return agree, checked, worst


def solve_enum(problem: FitProblem, time_limit: float | None, **options: Any) -> tuple[Run, int]:
    """enum on ``problem``: the run and the cells it enumerated."""
    began = time.perf_counter()
    r = get_solver("enum").solve(problem, time_limit=time_limit, progress=False, **options)
    seconds = time.perf_counter() - began
    cells = int(r.stats.get("combinations", r.stats.get("cells", 0)))
    finished = r.status is Status.OPTIMAL
    return Run(seconds, r.objective, finished, "" if finished else r.status.value), cells


def solve_scip(problem: FitProblem, time_limit: float | None) -> Run:
    began = time.perf_counter()
    r = get_solver("scip").solve(problem, time_limit=time_limit)
    seconds = time.perf_counter() - began
    finished = r.status is Status.OPTIMAL
    return Run(seconds, r.objective, finished, "" if finished else r.status.value)


class Gurobi:
    """The Gurobi peer with one started environment (its licence check is not timed)."""

    def __init__(self) -> None:
        import gurobipy as gp

        # the sibling module, by path: this script is run from anywhere and loaded by tests
        path = Path(__file__).resolve().with_name("gurobi_miqp.py")
        spec = importlib.util.spec_from_file_location("gurobi_miqp", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
        self._env = gp.Env(params={"OutputFlag": 0})
        self._solve = module.solve_gurobi

    def __call__(self, problem: FitProblem, time_limit: float | None) -> Run:
        r = self._solve(problem, self._env, time_limit)
        return Run(r.seconds, r.objective, r.optimal, r.note)


def gurobi_or_note() -> Gurobi | str:
    """The Gurobi peer, or why there is none."""
    try:
        return Gurobi()
    except ImportError:
        return "gurobipy is not installed"
    except Exception as exc:  # gurobipy.GurobiError: no licence at all
        return f"Gurobi did not start: {exc}"


def run_case(
    case: Case,
    solvers: tuple[str, ...],
    *,
    seeds: int,
    repeats: int = 1,
    time_limit: float | None = None,
    certify: bool = True,
    whole: bool = True,
    gurobi: Gurobi | None = None,
) -> Row:
    """Run ``solvers`` on ``seeds`` instances of ``case``; each run is the fastest of
    ``repeats`` (the answers of repeats are the same: only the time differs)."""
    runs: dict[str, list[Run]] = {s: [] for s in solvers}
    cells: list[int] = []
    throughput: list[float] = []
    for seed in range(seeds):
        problem = case.problem(seed)
        for solver in solvers:
            tries = []
            for _ in range(repeats):
                if solver == "enum":
                    run, n_cells = solve_enum(problem, time_limit, certify=certify)
                elif solver == "scip":
                    run = solve_scip(problem, time_limit)
                else:
                    run = gurobi(problem, time_limit)
                tries.append(run)
            runs[solver].append(min(tries, key=lambda r: r.seconds))
            if solver == "enum":
                cells.append(n_cells)
        if whole and case.k == 1:
            opts = {"regions": False, "certify": False}
            best = min((solve_enum(problem, time_limit, **opts) for _ in range(repeats)),
                       key=lambda rc: rc[0].seconds)  # fmt: skip
            throughput.append(best[1] / best[0].seconds)
    return Row(case, runs, cells, throughput)


def _times(runs: list[Run], time_limit: float | None) -> str:
    if not runs or all(r.note.startswith("skipped") for r in runs):
        return f"{'-':>15}"
    ts = [r.seconds if r.finished else math.inf for r in runs]
    shown = [f"{t:.3f}" if math.isfinite(t) else f">{time_limit or 0:g}" for t in
             (min(ts), statistics.median(ts))]  # fmt: skip
    return f"{shown[0]:>7} {shown[1]:>7}"


def _ratio(row: Row) -> str:
    """enum's median time against the faster MIQP's median."""
    enum = statistics.median(r.seconds if r.finished else math.inf for r in row.runs["enum"])
    peers = [
        statistics.median(r.seconds if r.finished else math.inf for r in runs)
        for s, runs in row.runs.items()
        if s != "enum" and not any(r.note.startswith("skipped") for r in runs)
    ]
    best = min(peers, default=math.nan)
    if not (math.isfinite(enum) and math.isfinite(best)):
        return "-"
    return f"{best / enum:.1f}x faster" if enum <= best else f"{enum / best:.1f}x SLOWER"


HEAD = (
    f"{'n':>5} {'d':>2} {'k':>2} {'sigma':>5} {'cells':>9} {'whole c/s':>10}  "
    f"{'enum min/med':>15}  {'scip min/med':>15}  {'gurobi min/med':>15}  {'enum vs MIQP':>13}"
    "  agree"
)


def format_row(row: Row, time_limit: float | None) -> str:
    c = row.case
    cells = f"{statistics.median(row.cells):.0f}" if row.cells else "-"
    rate = f"{statistics.median(row.throughput):.3g}" if row.throughput else "-"
    agree, checked, worst = row.agreement()
    seeds = len(row.runs["enum"]) if "enum" in row.runs else 0
    verdict = "-" if checked == 0 else "yes" if agree == checked else f"NO (worst {worst:.1e})"
    times = "  ".join(_times(row.runs.get(s, []), time_limit) for s in SOLVERS)
    ratio = _ratio(row) if "enum" in row.runs else "-"
    return (
        f"{c.n:>5} {c.d:>2} {c.k:>2} {c.sigma:>5g} {cells:>9} {rate:>10}  {times}  "
        f"{ratio:>13}  {verdict} {checked}/{seeds}"
    )


def cases_from(sizes: list[str] | None, sigmas: list[float] | None) -> list[Case]:
    """The cases of ``--sizes NxD[xK]`` and ``--sigmas`` (default: the issue's table)."""
    chosen = SIZES
    if sizes:
        chosen = []
        for text in sizes:
            parts = [int(v) for v in text.lower().split("x")]
            if len(parts) not in (2, 3):
                raise SystemExit(f"--sizes: expected NxD or NxDxK, found {text!r}")
            chosen.append((parts[0], parts[1], parts[2] if len(parts) == 3 else 1))
    out = []
    for n, d, k in chosen:
        for sigma in sigmas or (SIGMAS if k == 1 else (K2_SIGMA,)):
            out.append(Case(n, d, k, sigma))
    return out


def _warm_up(solvers: tuple[str, ...], gurobi: Gurobi | None) -> None:
    """One tiny solve per solver, so that lazy imports are not timed."""
    problem = Case(8, 1, 1, 0.1).problem(0)
    solve_enum(problem, None)
    if "scip" in solvers:
        solve_scip(problem, None)
    if gurobi is not None:
        gurobi(problem, None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", nargs="*", metavar="NxD[xK]", help="sizes (default: the issue's)")
    ap.add_argument("--sigmas", nargs="*", type=float, help="noise levels (default 0.05 0.4 1)")
    ap.add_argument("--solvers", default=",".join(SOLVERS), help="enum,scip,gurobi (all)")
    ap.add_argument("--seeds", type=int, default=3, help="instances per case (3)")
    ap.add_argument("--repeats", type=int, default=1, help="runs per instance, min taken (1)")
    ap.add_argument("--time-limit", type=float, help="seconds per solve, per solver (none)")
    ap.add_argument("--no-certify", action="store_true", help="enum without its certificate")
    ap.add_argument("--no-whole", action="store_true", help="skip the whole-arrangement pass")
    ap.add_argument("--quick", action="store_true", help="tiny sizes: the smoke test's run")
    args = ap.parse_args(argv)
    solvers = tuple(s for s in args.solvers.split(",") if s)
    if "enum" not in solvers or not set(solvers) <= set(SOLVERS):
        raise SystemExit(f"--solvers: expected enum and any of scip, gurobi, found {args.solvers}")
    seeds = args.seeds
    cases = cases_from(args.sizes, args.sigmas)
    if args.quick:
        sizes, sigmas, seeds = QUICK
        cases = [Case(n, d, k, s) for n, d, k in sizes for s in sigmas]
    gurobi = None
    if "gurobi" in solvers:
        peer = gurobi_or_note()
        if isinstance(peer, str):
            print(f"no Gurobi column: {peer}")
            solvers = tuple(s for s in solvers if s != "gurobi")
        else:
            gurobi = peer
    _warm_up(solvers, gurobi)
    print(HEAD)
    print("-" * len(HEAD))
    notes = set()
    for case in cases:
        row = run_case(
            case,
            solvers,
            seeds=seeds,
            repeats=args.repeats,
            time_limit=args.time_limit,
            certify=not args.no_certify,
            whole=not args.no_whole,
            gurobi=gurobi,
        )
        print(format_row(row, args.time_limit), flush=True)
        notes.update(f"{s}: {r.note}" for s, rs in row.runs.items() for r in rs if r.note)
    for note in sorted(notes):
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
