"""Benchmark: every solver on the adversarial instances of ``tests/adversarial.py``.

For each instance the true optimum comes from the exact brute-force reference (``brute``,
rational face enumeration), lowered to the least exact loss of any solver's returned network if
one were better (that would be a brute bug: counted in the ``ref beaten`` line, expected 0).
``brute`` does not take a weight bound: there the column is *not decided* and the reference is
the least exact loss over all returned networks, an upper bound on the optimum (a WRONG there
is proven, a right answer is not).

Printed per kind × solver: runs, OPTIMAL, WRONG (status OPTIMAL and an exact loss — recomputed
with :func:`exactfit.exact_loss`, compared as Fractions — above the optimum by more than 1e-9
relative; for optimum 0, any positive loss), of those how many beyond the documented status
tolerance (``OPT_ATOL + OPT_RTOL·opt``), OPTIMAL with ``proof: "exact"`` and how many of those are
WRONG (must be 0), the worst excess, exceptions, and seconds.  The first
traceback of each exception type is printed at the end.

Usage::

    python benchmarks/adversarial.py                      # 30 seeds per kind, 20 s limit
    python benchmarks/adversarial.py --per-kind 5 --solvers enum brute
    python benchmarks/adversarial.py --legacy-brute 2816103   # add the float brute of a commit
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import traceback
import types
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from adversarial import KINDS, suite  # noqa: E402

import exactfit  # noqa: E402
from exactfit.result import OPT_ATOL, OPT_RTOL, Status  # noqa: E402
from exactfit.solvers import available  # noqa: E402

#: Column name → (registry solver, options).
CONFIGS = {
    "enum": ("enum", {}),
    "enum --no-certify": ("enum", {"certify": False}),
    "scip": ("scip", {}),
    "scip --certify": ("scip", {"certify": True}),
    "ortools": ("ortools", {}),
    "brute": ("brute", {}),
}
REL = Fraction(1, 10**9)


@dataclass
class Cell:
    """One kind × solver entry of the table."""

    runs: int = 0
    optimal: int = 0
    wrong: int = 0
    exact: int = 0  # OPTIMAL with proof "exact"
    wrong_exact: int = 0
    beyond_tol: int = 0
    worst_rel: float = 0.0
    worst_abs: float = 0.0  # worst loss where the optimum is 0
    errors: int = 0
    seconds: float = 0.0
    n_a: int = 0


@dataclass
class Run:
    status: Status | None
    loss: Fraction | None
    seconds: float
    error: str | None = None
    exact_proof: bool = False


@dataclass
class Tally:
    cells: dict = field(default_factory=lambda: defaultdict(Cell))
    tracebacks: dict = field(default_factory=dict)
    beaten: dict = field(default_factory=lambda: defaultdict(int))
    undecided: dict = field(default_factory=lambda: defaultdict(int))


def legacy_brute(rev: str):
    """The brute solver class of git revision ``rev`` (the float implementation before the
    exact one), loaded from ``git show`` into a throwaway module."""
    src = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:exactfit/solvers/brute.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    mod = types.ModuleType("legacy_brute")
    sys.modules[mod.__name__] = mod  # dataclasses look their module up there
    exec(compile(src, f"{rev}:brute.py", "exec"), mod.__dict__)
    return mod.BruteSolver()


def run_one(problem, name, time_limit, tally, legacy) -> Run:
    start = time.perf_counter()
    try:
        if name == "brute (float)":
            result = legacy.solve(problem, time_limit=time_limit)
        else:
            solver, options = CONFIGS[name]
            if solver != "enum" and problem.units > 1:
                # no exact route for a MIQP answer with k ≥ 2 (yet): the plain backend
                options = {k: v for k, v in options.items() if k != "certify"}
            result = exactfit.solve(problem, solver, time_limit=time_limit, **options)
    except Exception as exc:
        kind = f"{name}: {type(exc).__name__}"
        if kind not in tally.tracebacks:
            tally.tracebacks[kind] = traceback.format_exc()
        return Run(None, None, time.perf_counter() - start, kind)
    loss = None if result.network is None else exactfit.exact_loss(problem, result.network)
    proof = getattr(result, "proof", None)  # Result.proof: on main since 4d039bf
    exact_proof = proof is not None and proof.value == "exact"
    return Run(result.status, loss, time.perf_counter() - start, None, exact_proof)


def score(kind, problem, runs: dict[str, Run], tally: Tally) -> None:
    losses = [r.loss for r in runs.values() if r.loss is not None]
    brute = runs.get("brute")
    decided = brute is not None and brute.status is Status.OPTIMAL
    if decided:
        opt = min([brute.loss, *losses])
        if opt < brute.loss:
            tally.beaten[kind] += 1
    else:
        tally.undecided[kind] += 1
        opt = min(losses) if losses else None
    for name, run in runs.items():
        cell = tally.cells[kind, name]
        cell.runs += 1
        cell.seconds += run.seconds
        if run.error is not None:
            cell.errors += 1
            continue
        if run.status is not Status.OPTIMAL:
            continue
        cell.optimal += 1
        cell.exact += run.exact_proof
        if opt is None or run.loss is None or run.loss <= opt * (1 + REL):
            continue
        cell.wrong += 1
        cell.wrong_exact += run.exact_proof
        if run.loss - opt > OPT_ATOL + OPT_RTOL * abs(opt):
            cell.beyond_tol += 1
        if opt > 0:
            cell.worst_rel = max(cell.worst_rel, float((run.loss - opt) / opt))
        else:
            cell.worst_abs = max(cell.worst_abs, float(run.loss))


def _worst(cell: Cell) -> str:
    parts = []
    if cell.worst_rel:
        parts.append(f"+{100 * cell.worst_rel:.3g}%")
    if cell.worst_abs:
        parts.append(f"{cell.worst_abs:.3g} vs 0")
    return ", ".join(parts) or "-"


def print_table(kinds, names, tally: Tally, counts) -> None:
    head = f"{'kind':<22} {'solver':<15} {'runs':>4} {'OPT':>4} {'WRONG':>5} {'>tol':>4} "
    head += f"{'EXACT':>5} {'W/ex':>4} "
    print(head + f"{'worst':>18} {'err':>4} {'sec':>7}")
    for kind in kinds:
        label = f"{kind} ({counts[kind]})"
        if tally.undecided[kind]:
            label += " *"
        for name in names:
            c = tally.cells[kind, name]
            print(
                f"{label:<22} {name:<15} {c.runs:>4} {c.optimal:>4} {c.wrong:>5} "
                f"{c.beyond_tol:>4} {c.exact:>5} {c.wrong_exact:>4} {_worst(c):>18} "
                f"{c.errors:>4} {c.seconds:>7.1f}"
            )
            label = ""
    total = defaultdict(Cell)
    for (_, name), c in tally.cells.items():
        t = total[name]
        for f in (
            "runs",
            "optimal",
            "wrong",
            "beyond_tol",
            "exact",
            "wrong_exact",
            "errors",
            "seconds",
        ):
            setattr(t, f, getattr(t, f) + getattr(c, f))
    label = f"all ({sum(counts.values())})"
    for name in names:
        t = total[name]
        print(
            f"{label:<22} {name:<15} {t.runs:>4} "
            f"{t.optimal:>4} {t.wrong:>5} {t.beyond_tol:>4} {t.exact:>5} {t.wrong_exact:>4} "
            f"{'':>18} {t.errors:>4} "
            f"{t.seconds:>7.1f}"
        )
        label = ""
    print("* optimum not decided (weight bound: brute does not apply); reference = best network")
    print(f"ref beaten (a network below brute's optimum; must be 0): {sum(tally.beaten.values())}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--per-kind", type=int, default=30, help="seeds per kind (default 30)")
    p.add_argument("--time-limit", type=float, default=20.0, help="seconds per run")
    p.add_argument("--solvers", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    p.add_argument("--kinds", nargs="+", default=list(KINDS), choices=list(KINDS))
    p.add_argument("--legacy-brute", metavar="REV", help="also run the float brute of REV")
    args = p.parse_args(argv)
    missing = available()
    names = [n for n in args.solvers if missing[CONFIGS[n][0]] is None]
    for n in sorted(set(args.solvers) - set(names)):
        print(f"skipping {n}: {missing[CONFIGS[n][0]]}", file=sys.stderr)
    legacy = None
    if args.legacy_brute:
        legacy = legacy_brute(args.legacy_brute)
        names.append("brute (float)")
    tally = Tally()
    instances = suite(args.per_kind, tuple(args.kinds))
    counts: dict[str, int] = defaultdict(int)
    start = time.perf_counter()
    for i, (kind, _seed, problem) in enumerate(instances, 1):
        counts[kind] += 1
        runs = {}
        for name in names:
            solver = "brute" if name == "brute (float)" else CONFIGS[name][0]
            if exactfit.get_solver(solver).unsupported(problem) is not None:
                continue
            runs[name] = run_one(problem, name, args.time_limit, tally, legacy)
        score(kind, problem, runs, tally)
        print(f"\r{i}/{len(instances)} {time.perf_counter() - start:.0f}s", end="", file=sys.stderr)
    print(file=sys.stderr)
    print_table(args.kinds, names, tally, counts)
    for kind, text in tally.tracebacks.items():
        print(f"\nfirst {kind}:\n{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
