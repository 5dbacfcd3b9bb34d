"""Solving the target side exactly: the optimum of a fitting instance (or of a source-side
target) as a proven bracket and, where possible, an exact rational value."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import exactfit
from exactfit.exact.refit import rational_refit
from exactfit.network import ReluNetwork
from exactfit.problem import FitProblem, exact_loss, network_violations
from exactfit.result import OPT_ATOL, OPT_RTOL, Limit, Result, Status, bound_meets
from exactfit.solvers import REGISTRY, choose_auto

__all__ = ["TargetOptimum", "solve_fit"]


@dataclass(frozen=True)
class TargetOptimum:
    """The target optimum as solved: a proven bracket [lower, upper] and, when known, the exact
    rational value; ``certificate`` is the optimal network / source certificate.

    ``lower`` is a Fraction when the solver proved it in exact arithmetic (an exact certificate's
    ``bound_exact``), a float when it is a backend's bound; ``upper`` is the exact loss of the
    network found.  An exact certificate whose bound does not meet the loss exactly leaves
    ``exact`` unset: the optimum is only known to lie in [lower, upper].
    """

    lower: float | Fraction | None
    upper: float | Fraction | None
    exact: Fraction | None
    certificate: Any
    proven: bool
    method: str
    wall_s: float
    note: str = ""
    result: Result | None = field(default=None, compare=False, repr=False)

    @property
    def proof(self) -> str | None:
        """How the optimum was proven: "exact" (rational arithmetic) or "tolerance" (a
        floating-point bound), ``None`` when it was not proven."""
        if not self.proven:
            return None
        level = getattr(self.result, "proof", None)
        return level.value if level is not None else "tolerance"

    @property
    def bound_proof(self) -> str | None:
        """How ``lower`` is proven, also for an unfinished solve: "exact" (a rational bound
        proved in exact arithmetic, or the exact optimum) or "tolerance" (a backend's float
        bound); ``None`` without a bound."""
        if self.lower is None:
            return None
        if self.result is None or isinstance(self.lower, Fraction):
            # source-side targets are solved in integers; a Fraction bound is an exact proof's
            return "exact"
        return "tolerance"

    @property
    def value(self) -> Fraction | float | None:
        """Exact optimum when known, else the solver's objective."""
        return self.exact if self.exact is not None else self.upper


def _tol(x: float) -> float:
    return OPT_ATOL + OPT_RTOL * abs(x)


def solve_fit(
    problem: FitProblem,
    solver: str = "auto",
    *,
    time_limit: float | None = None,
    options: dict[str, Any] | None = None,
    start: ReluNetwork | None = None,
    bound_target: float | None = None,
) -> TargetOptimum:
    """Solve a fitting instance to proven optimality with an exact value where possible.

    ``auto`` is resolved here (so that ``certify=True`` goes only to the enumeration solver,
    whose certificate gives the exact rational optimum in ``stats["objective_exact"]``).  For
    other solvers (and no weight bound) the exact value is the loss of the rational refit on the
    solver's activation cell (:func:`~exactfit.exact.refit.rational_refit`), accepted only when
    it is no worse than the solver's network and meets the solver's proven bound: exact up to
    the solver's optimality tolerance.  A result stopped at a node or time limit counts as
    proven only if its proven bound already meets the recomputed objective within that
    tolerance, ``OPT_ATOL + OPT_RTOL·|objective|`` (:func:`exactfit.result.bound_meets`); the
    note says so.  SCIP itself stops once its gap is below half of it (``limits/gap`` is
    ``OPT_RTOL/2`` and ``limits/absgap`` is ``OPT_ATOL/2`` in :mod:`exactfit.solvers.scip`).

    ``start`` (e.g. a reduction's lifted network) is handed to the solver as its first
    incumbent when the solver takes one (the MIQP backends, option ``start``), and ignored
    otherwise; the bound is still the solver's own proof.  ``bound_target`` likewise goes to
    a solver that takes it (it stops once its bound reaches it).
    """
    opts = dict(options or {})
    name = solver
    note = ""
    if solver == "auto":
        name, _ = choose_auto(problem, **{k: v for k, v in opts.items() if k == "max_cells"})
        note = f"auto chose {name}"
    if name == "enum":
        opts.setdefault("certify", True)
    note = _hand_over(problem, name, opts, start, bound_target, note)
    start = time.perf_counter()
    result = exactfit.solve(problem, name, time_limit=time_limit, **opts)
    wall = time.perf_counter() - start
    exact, lower, exact_bound, note = _exact_reading(result, note)
    proven = result.status is Status.OPTIMAL
    if (
        not proven
        and result.status is Status.FEASIBLE
        and result.limit in (Limit.NODES, Limit.TIME)
        and bound_meets(result.objective, result.bound)
    ):
        proven = True
        note = f"{note}; stopped at a {result.limit.value} limit with the gap closed to tolerance"
    network = result.network
    upper = result.objective_exact if result.objective_exact is not None else result.objective
    if (
        exact is None
        and not exact_bound
        and proven
        and network is not None
        and problem.weight_bound is None
    ):
        # Exact rational value from the KKT system of the solver's activation cell; its loss is
        # recomputed with σ, so it is a genuine upper bound, and it must meet the proven bound.
        refit = rational_refit(problem, network)
        if refit is not None and not network_violations(problem, refit):
            value = exact_loss(problem, refit)
            if value <= upper and bound_meets(float(value), result.bound):
                exact, network, upper = value, refit, value
                note = f"{note}; exact value from the KKT system of the solver's cell"
    return TargetOptimum(
        lower=lower,
        upper=upper,
        exact=exact,
        certificate=network,
        proven=proven,
        method=name,
        wall_s=wall,
        note=note.strip("; "),
        result=result,
    )


def _hand_over(
    problem: FitProblem,
    name: str,
    opts: dict[str, Any],
    start: ReluNetwork | None,
    bound_target: float | None,
    note: str,
) -> str:
    """Put ``start`` and ``bound_target`` into ``opts`` when solver ``name`` takes them; the
    note says what was handed over."""
    takes = REGISTRY[name].options if name in REGISTRY else ()
    if start is not None and "start" in takes:
        opts.setdefault("start", start)
        loss = float(exact_loss(problem, start))
        note = f"{note}; seeded with a start network of loss {loss:.10g}"
    if bound_target is not None and "bound_target" in takes:
        opts.setdefault("bound_target", bound_target)
        note = f"{note}; asked to stop at bound {bound_target:.10g}"
    return note.strip("; ")


def _exact_reading(result: Result, note: str) -> tuple[Fraction | None, Any, bool, str]:
    """``(exact optimum or None, lower bound, whether it is an exact certificate's bound,
    note)`` from an exact certificate's ``objective_exact`` / ``bound_exact`` stats."""
    exact = None
    lower: float | Fraction | None = result.bound
    raw_bound = result.stats.get("bound_exact")
    if raw_bound is not None:
        # the exact certificate's proven bound, also when it does not meet the loss exactly
        # (then the optimum lies in [bound_exact, loss], an interval, not a point)
        lower = Fraction(raw_bound)
    raw = result.stats.get("objective_exact")
    if raw is not None and result.status is Status.OPTIMAL:
        exact = Fraction(raw)
        # the certificate's value is an exact loss of a network; it must sit in the bracket
        if result.objective is not None and abs(float(exact) - result.objective) > _tol(
            result.objective
        ):
            note = f"{note}; certificate {exact} disagrees with objective {result.objective}"
            exact = None
        else:
            lower = exact
    return exact, lower, raw_bound is not None, note


def _solve_source_side(problem: Any, instance: Any, method: str) -> TargetOptimum:
    sol = problem.solve(instance, method)
    v = Fraction(sol.value)
    return TargetOptimum(
        lower=v,
        upper=v if sol.optimal else (None if sol.bound is None else Fraction(sol.bound)),
        exact=v if sol.optimal else None,
        certificate=sol.certificate,
        proven=bool(sol.optimal),
        method=sol.method,
        wall_s=sol.wall_s,
    )
