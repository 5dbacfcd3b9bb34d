"""The comparison table and the Dolan–Moré performance profile.

Table (one row per solver): runs, solved (OPTIMAL and not WRONG), exact (solved with a bound
proven in rational arithmetic, record field ``proof``), stopped at a limit with a
network (feasible), without one (no solution), errors, instances the solver declined
(unsupported), WRONG runs, and the shifted geometric mean of the times,

    sgm = exp( (1/N) Σ_p ln(t_p + s) ) − s,     s = 1 second,

over the N instances every solver ran, where an unsolved run (limit, error, unsupported or
WRONG) counts at its time limit.  This is the measure of Mittelmann's benchmarks and SCIP's
check scripts: the shift keeps sub-second runs from dominating.

``--plot`` draws the profile and, beside it, a cactus plot (per solver, the number of
instances solved within t seconds against t; dashed: those with an exact proof).

Performance profile (Dolan and Moré, Math. Program. 91, 2002): with t_{p,s} the time of solver
s on instance p (∞ if unsolved) and r_{p,s} = t_{p,s} / min_s t_{p,s}, each solver's curve is

    ρ_s(τ) = |{p : r_{p,s} ≤ τ}| / N,

the fraction of instances it solves within a factor τ of the best solver.  Times below 10 ms
count as 10 ms, so that timer and start-up noise on trivial instances does not create ratios.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from exactfit.bench.results import Wrong, check_records
from exactfit.bench.solu import SoluEntry

__all__ = [
    "PROFILE_FLOOR_S",
    "SGM_SHIFT_S",
    "SolverRow",
    "Summary",
    "cactus",
    "format_summary",
    "latest",
    "performance_profile",
    "plot_profile",
    "shifted_geometric_mean",
    "summarize",
]

SGM_SHIFT_S = 1.0
PROFILE_FLOOR_S = 0.01


def shifted_geometric_mean(values: Sequence[float], shift: float = SGM_SHIFT_S) -> float:
    """``exp(mean(ln(v + shift))) − shift``; NaN for no values."""
    if not values:
        return math.nan
    return math.exp(sum(math.log(v + shift) for v in values) / len(values)) - shift


def latest(records: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """One record per (instance, solver): the last one (files read later win)."""
    keep: dict[tuple[str, str], Mapping[str, Any]] = {}
    for r in records:
        keep[(r["instance"], r["solver"])] = r
    return list(keep.values())


@dataclass(frozen=True)
class SolverRow:
    solver: str
    runs: int
    solved: int
    exact: int  # of the solved, those whose bound exactfit proved in rational arithmetic
    feasible: int
    no_solution: int
    errors: int
    unsupported: int
    wrong: int
    sgm_s: float


@dataclass(frozen=True)
class Summary:
    """What the table shows.  ``common`` is the number of instances in the time mean."""

    rows: tuple[SolverRow, ...]
    wrongs: tuple[Wrong, ...]
    instances: int
    common: int
    time_limits: tuple[float, ...]
    solu_entries: int


def _time(r: Mapping[str, Any], wrong: bool) -> float:
    limit = float(r["time_limit"])
    if r["status"] == "optimal" and not wrong and r.get("wall_s") is not None:
        return float(r["wall_s"])
    return limit


def _solved(r: Mapping[str, Any], wrong_keys: set[tuple[str, str]]) -> bool:
    return r["status"] == "optimal" and (r["instance"], r["solver"]) not in wrong_keys


def _common(records: Sequence[Mapping[str, Any]], solvers: Sequence[str]) -> list[str]:
    have: dict[str, set[str]] = {}
    for r in records:
        have.setdefault(r["instance"], set()).add(r["solver"])
    return sorted(p for p, s in have.items() if set(solvers) <= s)


def summarize(
    records: Sequence[Mapping[str, Any]], solu: Mapping[str, SoluEntry] | None = None
) -> Summary:
    """Check ``records`` (against ``solu`` and each other) and tabulate them per solver."""
    records = latest(records)
    wrongs = check_records(records, solu)
    wrong_keys = {(w.instance, w.solver) for w in wrongs}
    solvers = sorted({r["solver"] for r in records})
    common = set(_common(records, solvers))
    rows = []
    for s in solvers:
        mine = [r for r in records if r["solver"] == s]
        count = {
            k: sum(r["status"] == k for r in mine)
            for k in ("feasible", "no_solution", "error", "unsupported")
        }
        times = [
            _time(r, (r["instance"], s) in wrong_keys) for r in mine if r["instance"] in common
        ]
        rows.append(
            SolverRow(
                solver=s,
                runs=len(mine),
                solved=sum(_solved(r, wrong_keys) for r in mine),
                exact=sum(_solved(r, wrong_keys) and r.get("proof") == "exact" for r in mine),
                feasible=count["feasible"],
                no_solution=count["no_solution"],
                errors=count["error"],
                unsupported=count["unsupported"],
                wrong=len({w.instance for w in wrongs if w.solver == s}),
                sgm_s=shifted_geometric_mean(times),
            )
        )
    return Summary(
        rows=tuple(rows),
        wrongs=tuple(wrongs),
        instances=len({r["instance"] for r in records}),
        common=len(common),
        time_limits=tuple(sorted({float(r["time_limit"]) for r in records})),
        solu_entries=len(solu or {}),
    )


def format_summary(summary: Summary) -> str:
    """The table as text, followed by one line per WRONG finding (or "WRONG: none")."""
    limits = ", ".join(f"{t:g}" for t in summary.time_limits) or "-"
    head = (
        f"{summary.instances} instances, time limit {limits} s, "
        f"{summary.solu_entries} index.solu entries; "
        f"sgm = shifted geometric mean time (shift {SGM_SHIFT_S:g} s, unsolved at the limit) "
        f"over the {summary.common} instances every solver ran"
    )
    cols = (
        "solver",
        "runs",
        "solved",
        "exact",
        "feasible",
        "no-sol",
        "error",
        "unsup",
        "WRONG",
        "sgm s",
    )
    body = [
        (
            r.solver,
            str(r.runs),
            str(r.solved),
            str(r.exact),
            str(r.feasible),
            str(r.no_solution),
            str(r.errors),
            str(r.unsupported),
            str(r.wrong),
            "-" if math.isnan(r.sgm_s) else f"{r.sgm_s:.3f}",
        )
        for r in summary.rows
    ]
    widths = [
        max(len(c), *(len(row[i]) for row in body)) if body else len(c) for i, c in enumerate(cols)
    ]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest])

    out = [head, "", line(cols), line(["-" * w for w in widths])]
    out.extend(line(row) for row in body)
    out.append("")
    if summary.wrongs:
        out.append(f"WRONG: {len(summary.wrongs)} finding(s)")
        out.extend(f"  WRONG {w.instance} {w.solver}: {w.reason}" for w in summary.wrongs)
    else:
        out.append("WRONG: none")
    return "\n".join(out)


def performance_profile(
    records: Sequence[Mapping[str, Any]], solu: Mapping[str, SoluEntry] | None = None
) -> tuple[list[str], dict[str, list[float]]]:
    """Per solver, the sorted ratios ``r_{p,s}`` over the common instances (∞ if unsolved).

    ``ρ_s(τ)`` is the fraction of a solver's ratios that are ``≤ τ``.  Returns
    ``(instances, {solver: ratios})``.
    """
    records = latest(records)
    wrong_keys = {(w.instance, w.solver) for w in check_records(records, solu)}
    solvers = sorted({r["solver"] for r in records})
    common = _common(records, solvers)
    t: dict[tuple[str, str], float] = {}
    for r in records:
        if r["instance"] in common:
            solved = _solved(r, wrong_keys) and r.get("wall_s") is not None
            t[(r["instance"], r["solver"])] = (
                max(float(r["wall_s"]), PROFILE_FLOOR_S) if solved else math.inf
            )
    ratios: dict[str, list[float]] = {s: [] for s in solvers}
    for p in common:
        best = min(t[(p, s)] for s in solvers)
        for s in solvers:
            ratios[s].append(t[(p, s)] / best if math.isfinite(best) else math.inf)
    for s in solvers:
        ratios[s].sort()
    return common, ratios


def cactus(
    records: Sequence[Mapping[str, Any]], solu: Mapping[str, SoluEntry] | None = None
) -> dict[str, tuple[list[float], list[float]]]:
    """Per solver, the sorted times of its solved runs and of those with an exact proof.

    A run counts when it is OPTIMAL, not WRONG and has a time; every instance a solver ran
    counts (not only the common ones: a cactus compares how many, not which).
    """
    records = latest(records)
    wrong_keys = {(w.instance, w.solver) for w in check_records(records, solu)}
    out: dict[str, tuple[list[float], list[float]]] = {}
    for s in sorted({r["solver"] for r in records}):
        solved = [
            r
            for r in records
            if r["solver"] == s and _solved(r, wrong_keys) and r.get("wall_s") is not None
        ]
        out[s] = (
            sorted(float(r["wall_s"]) for r in solved),
            sorted(float(r["wall_s"]) for r in solved if r.get("proof") == "exact"),
        )
    return out


def plot_profile(
    records: Sequence[Mapping[str, Any]],
    path: str,
    solu: Mapping[str, SoluEntry] | None = None,
    *,
    title: str | None = None,
) -> None:
    """Draw the performance profile (left) and the cactus plot (right) to ``path``.

    One two-panel figure, PNG, SVG or PDF by extension, written atomically (see
    :mod:`exactfit.plot.profile` and :mod:`exactfit.plot.cactus`).
    """
    from exactfit.plot.cactus import draw_cactus
    from exactfit.plot.figure import new_figure, save_figure
    from exactfit.plot.profile import draw_profile

    common, ratios = performance_profile(records, solu)
    limits = sorted({float(r["time_limit"]) for r in records})
    limit = limits[-1] if limits else None
    fig = new_figure(11.5, 4.4)
    left, right = fig.subplots(1, 2)
    draw_profile(left, ratios, len(common), limit)
    instances = len({r["instance"] for r in records})
    draw_cactus(right, cactus(records, solu), instances, limit)
    if title is not None:
        fig.suptitle(title)
    save_figure(fig, path)
