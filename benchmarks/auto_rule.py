"""Benchmark: which exact route is fastest, to derive the rule of ``solver="auto"``.

Each row is one instance: planted data from :func:`exactfit.generate.planted_fit` on a grid of
``(n, d, k, σ)`` (free output signs, with bias), and library instances from ``instances/fit``
and ``instances/reductions``.  Each solver (``enum`` with its exact certificate, ``scip``,
``ortools``) runs once in-process with ``--time-limit`` seconds after a warm-up solve; a run
that is not OPTIMAL is shown as ``>T`` (stopped) or ``refused`` (enum over its cell budget).
Columns: the features the rule reads (k, lifted dimension D, sign models, enum's estimated
cells of the whole arrangement, cells inside the incumbent regions for k = 1), the three times,
the fastest solver, and what ``choose_auto`` picks with the reason's rule name, marked ``ok``
when it picks the fastest or one within ``--slack`` (default 1.5×) of it.

Times are single runs on a shared machine: noisy, read them as such.  ``--save FILE`` keeps
the measured times (JSON); ``--load FILE`` prints the table again from them with the current
``choose_auto``, without solving: how a changed threshold is checked against the measurement
it must agree with.  Re-measure when the enumeration kernel or the MIQPs change.

Usage::

    PYTHONPATH=$PWD python benchmarks/auto_rule.py --save times.json  # grid and library
    PYTHONPATH=$PWD python benchmarks/auto_rule.py --load times.json  # the rule on saved times
    PYTHONPATH=$PWD python benchmarks/auto_rule.py --only grid --time-limit 10
    PYTHONPATH=$PWD python benchmarks/auto_rule.py --quick            # tiny smoke run
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from exactfit import FitProblem, get_solver, io
from exactfit.errors import BudgetExceeded
from exactfit.generate import planted_fit
from exactfit.result import Status
from exactfit.solvers import choose_auto

ROOT = Path(__file__).resolve().parents[1]
SOLVERS = ("enum", "scip", "ortools")
#: (n, d, k, σ) of the planted grid.
GRID = (
    [(n, d, 1, s) for n, d in ((40, 1), (200, 1), (40, 2), (80, 2), (200, 2)) for s in (0.05, 1.0)]
    + [(n, d, 1, s) for n, d in ((20, 3), (40, 3), (80, 3), (20, 4), (40, 4)) for s in (0.05, 1.0)]
    + [(12, 1, 2, 0.2), (20, 1, 2, 0.2), (10, 2, 2, 0.2), (20, 2, 2, 0.2), (12, 3, 2, 0.2)]
    + [(8, 1, 3, 0.2), (10, 2, 3, 0.2)]
)
#: Library instances (paths under instances/): every reduction instance and the fit ones with
#: k ≥ 2 or d ≥ 3, where the choice is not obvious.
LIBRARY_GLOBS = ("reductions/*/*.json", "fit/*k2*.json", "fit/*d3*.json")
QUICK = ([(12, 1, 1, 0.05), (8, 1, 2, 0.2)], ("fit/k2_n6_d1.json",))


@dataclass(frozen=True)
class Row:
    """One instance: its features, the seconds per solver (None: not OPTIMAL), notes, and
    auto's pick with its reason."""

    name: str
    k: int
    D: int
    models: int
    cells: int
    regions: int | None
    seconds: dict[str, float | None]
    notes: dict[str, str]
    pick: str
    why: str


def run_one(name: str, problem: FitProblem, time_limit: float) -> tuple[float | None, str]:
    """Seconds to OPTIMAL, or None and a note (``>T``, ``refused``, the status)."""
    solver = get_solver(name)
    if solver.unsupported(problem) is not None:
        return None, "unsupported"
    began = time.perf_counter()
    try:
        r = solver.solve(problem, time_limit=time_limit)
    except BudgetExceeded:
        return None, "refused"
    seconds = time.perf_counter() - began
    if r.status is Status.OPTIMAL:
        return seconds, ""
    return None, f">{time_limit:g}" if r.limit is not None else r.status.value


def measure(name: str, problem: FitProblem, time_limit: float) -> Row:
    seconds, notes = {}, {}
    for s in SOLVERS:
        seconds[s], notes[s] = run_one(s, problem, time_limit)
    return evaluate(name, problem, seconds, notes)


def evaluate(
    name: str, problem: FitProblem, seconds: dict[str, float | None], notes: dict[str, str]
) -> Row:
    """The row of measured ``seconds`` and ``notes``, with the features and auto's pick."""
    enum = get_solver("enum")
    pick, why = choose_auto(problem)
    return Row(
        name,
        problem.units,
        problem.lifted_dim,
        len(problem.sign_vectors()),
        enum.estimate_cells(problem),
        enum.region_cells(problem),
        seconds,
        notes,
        pick,
        why,
    )


def fmt_time(row: Row, s: str) -> str:
    t = row.seconds[s]
    return f"{t:.3g}" if t is not None else row.notes[s]


def verdict(row: Row, slack: float) -> str:
    done = {s: t for s, t in row.seconds.items() if t is not None}
    if not done:
        return "none finished"
    best = min(done.values())
    mine = row.seconds[row.pick]
    if mine is None:
        return "WRONG (refused/stopped)"
    return "ok" if mine <= slack * best + 0.05 else f"slow ({mine / best:.1f}x)"


def print_row(row: Row, slack: float) -> None:
    done = {s: t for s, t in row.seconds.items() if t is not None}
    fastest = min(done, key=lambda s: done[s]) if done else "-"
    regions = "" if row.regions is None else f"{row.regions:,}"
    rule = row.why.split(":", 1)[0]
    cols = [row.name, str(row.k), str(row.D), str(row.models), f"{row.cells:,}", regions]
    cols += [fmt_time(row, s) for s in SOLVERS]
    cols += [fastest, f"{row.pick} ({rule})", verdict(row, slack)]
    print("| " + " | ".join(cols) + " |", flush=True)


def instances(only: str, quick: bool) -> list[tuple[str, FitProblem]]:
    grid, library = (QUICK[0], QUICK[1]) if quick else (GRID, None)
    out: list[tuple[str, FitProblem]] = []
    if only in ("all", "grid"):
        for n, d, k, s in grid:
            out.append((f"planted {n}x{d} k{k} σ{s}", planted_fit(n, d, units=k, noise=s, seed=7)))
    if only in ("all", "library"):
        paths = (
            [ROOT / "instances" / p for p in library]
            if library is not None
            else sorted({p for g in LIBRARY_GLOBS for p in (ROOT / "instances").glob(g)})
        )
        for p in paths:
            out.append((p.stem, io.read_instance(p)))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--only", choices=("all", "grid", "library"), default="all")
    ap.add_argument("--slack", type=float, default=1.5)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--match", default="", help="only instances whose name contains this")
    ap.add_argument("--save", type=Path, help="write the measured times here (JSON)")
    ap.add_argument("--load", type=Path, help="print the table from saved times, no solving")
    args = ap.parse_args(argv)
    saved = json.loads(args.load.read_text()) if args.load else None
    if saved is None:
        warm = planted_fit(8, 1, seed=1)
        for s in SOLVERS:  # imports and first-call costs outside the clock
            get_solver(s).solve(warm, time_limit=5)
    head = ["instance", "k", "D", "models", "cells", "in regions", *SOLVERS]
    head += ["fastest", "auto picks (rule)", "auto"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    rows = []
    for name, problem in instances(args.only, args.quick):
        if args.match not in name:
            continue
        if saved is None:
            rows.append(measure(name, problem, args.time_limit))
        elif name in saved:
            rows.append(evaluate(name, problem, saved[name]["seconds"], saved[name]["notes"]))
        else:
            continue
        print_row(rows[-1], args.slack)
    if args.save is not None:
        times = {r.name: {"seconds": r.seconds, "notes": r.notes} for r in rows}
        args.save.write_text(json.dumps(times, indent=1, ensure_ascii=False) + "\n")
    ok = sum(verdict(r, args.slack) == "ok" for r in rows)
    wrong = sum(verdict(r, args.slack).startswith("WRONG") for r in rows)
    print(
        f"\nauto within {args.slack:g}x of the fastest on {ok}/{len(rows)} rows; "
        f"refused or stopped on {wrong}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
