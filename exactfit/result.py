"""Solver results that tell the truth.

A :class:`Result` carries the status of a solve, the returned network, its loss *recomputed by
exactfit* (never a backend's internal number), and a proven lower bound on the optimum.

Status rules
------------
* ``OPTIMAL``: the solver proved optimality and the proven bound meets the recomputed objective,
  ``objective − bound ≤ OPT_ATOL + OPT_RTOL·|objective|``.
* ``FEASIBLE``: a network is returned but optimality is not proven, usually because a limit
  stopped the search (``limit`` says which); ``bound`` is the best proven bound, if any.
* ``NO_SOLUTION``: stopped by a limit before any network was found.
* ``INFEASIBLE``: the class is empty (cannot happen for the fitting problem, kept for sources).
* ``ERROR``: the backend failed or answered with a status we do not know (kept in ``message``).

A limit is never reported as OPTIMAL.

Proof levels
------------
Every OPTIMAL says how its bound was proven (:class:`Proof`):

* ``EXACT``: exactfit checked in rational arithmetic a lower bound that meets the exact loss of
  the returned network within the tolerance above;
* ``TOLERANCE``: the bound is a floating-point number (a backend's dual bound at its
  tolerances, or float pruning); ``proof_detail`` names the solver and its tolerances.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from exactfit.problem import FitProblem, ReluNetwork, Unit, exact_loss, network_violations

__all__ = [
    "OPT_ATOL",
    "OPT_RTOL",
    "Limit",
    "Proof",
    "Result",
    "Status",
    "bound_meets",
    "finalize",
    "relative_gap",
    "stopped_before_start",
]

#: Relative tolerance within which a proven bound "meets" the objective.  Chosen above the
#: ~5e-10 relative error of SCIP at feasibility tolerance 1e-9 and at the 1e-7 agreement the
#: solvers are tested to.
OPT_RTOL = 1e-7
#: Absolute tolerance (matters only when the optimum is 0, e.g. realizable data).
OPT_ATOL = 1e-9


def relative_gap(incumbent: float | None, bound: float | None) -> float | None:
    """``(incumbent − bound) / max(|incumbent|, |bound|)``, 0 when the difference is within
    ``OPT_ATOL`` (so also when both are 0); ``None`` without both or with a non-finite bound."""
    if incumbent is None or bound is None or not math.isfinite(bound):
        return None
    diff = max(incumbent - bound, 0.0)
    if diff <= OPT_ATOL:
        return 0.0
    return diff / max(abs(incumbent), abs(bound))


class Status(enum.Enum):
    """Outcome of a solve."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    NO_SOLUTION = "no_solution"
    INFEASIBLE = "infeasible"
    ERROR = "error"


class Limit(enum.Enum):
    """What stopped a solve early."""

    TIME = "time"
    NODES = "nodes"
    BUDGET = "budget"
    INTERRUPT = "interrupt"


class Proof(enum.Enum):
    """How the bound of an OPTIMAL result was proven (see the module docstring)."""

    EXACT = "exact"
    TOLERANCE = "tolerance"


def bound_meets(objective: float, bound: float | None) -> bool:
    """Whether a proven lower ``bound`` certifies ``objective`` as optimal (see module doc)."""
    if bound is None or not math.isfinite(bound):
        return False
    return objective - bound <= OPT_ATOL + OPT_RTOL * abs(objective)


@dataclass(frozen=True)
class Result:
    """What a solver returns.

    Attributes
    ----------
    status : Status
    objective : float or None
        Loss of ``network`` recomputed by exactfit (exactly, then rounded to float).
    bound : float or None
        A proven lower bound on the optimum (``None`` when nothing is proven).
    network : ReluNetwork or None
    solver : str
        Registry name of the solver.
    wall_s : float
        Wall-clock seconds.
    limit : Limit or None
        What stopped the solve when it stopped early.
    stats : mapping
        Solver-specific counters (nodes, cells, QPs, ...), JSON-serialisable.
    message : str
        A human-readable note (why the status is what it is, a backend's raw status, ...).
    objective_exact : Fraction or None
        The exact rational loss of ``network``.
    proof : Proof or None
        How the bound of an OPTIMAL result was proven; ``None`` for every other status.
    proof_detail : str
        What proved it: the method, and for ``TOLERANCE`` the backend and its tolerances.
    certificate : exactfit.certificate.Certificate or None
        The checked optimality certificate of an OPTIMAL result with ``proof`` EXACT, when the
        solver built one (write it with :func:`exactfit.certificate.write_certificate`).
    """

    status: Status
    objective: float | None
    bound: float | None
    network: ReluNetwork | None
    solver: str
    wall_s: float
    limit: Limit | None = None
    stats: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    message: str = ""
    objective_exact: Fraction | None = None
    proof: Proof | None = None
    proof_detail: str = ""
    certificate: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "stats", MappingProxyType(dict(self.stats)))
        if self.status is Status.OPTIMAL:
            if self.network is None or self.objective is None:
                raise ValueError("an OPTIMAL result needs a network and its objective")
            if not bound_meets(self.objective, self.bound):
                raise ValueError(
                    f"refusing OPTIMAL: bound {self.bound!r} does not meet objective "
                    f"{self.objective!r} within the documented tolerance"
                )
            if self.limit is not None:
                raise ValueError("a result stopped by a limit cannot be OPTIMAL")
            if self.proof is None:
                raise ValueError("an OPTIMAL result must say how it was proven (proof)")
        elif self.proof is not None:
            raise ValueError(f"a {self.status.value} result has no proof of optimality")
        if self.status is Status.FEASIBLE and (self.network is None or self.objective is None):
            raise ValueError("a FEASIBLE result needs a network and its objective")
        if self.status in (Status.NO_SOLUTION, Status.INFEASIBLE) and self.network is not None:
            raise ValueError(f"a {self.status.value} result cannot carry a network")

    @property
    def gap(self) -> float | None:
        """:func:`relative_gap` of the objective and the bound."""
        return relative_gap(self.objective, self.bound)

    @property
    def is_optimal(self) -> bool:
        return self.status is Status.OPTIMAL


def finalize(
    problem: FitProblem,
    network: ReluNetwork | None,
    *,
    bound: float | None,
    solver: str,
    wall_s: float,
    proven: bool,
    limit: Limit | None = None,
    stats: Mapping[str, Any] | None = None,
    message: str = "",
    proof: Proof = Proof.TOLERANCE,
    proof_detail: str = "",
    bound_exact: Fraction | None = None,
    certificate: Any = None,
) -> Result:
    """Build a truthful :class:`Result` from a solver's raw outcome.

    The objective is recomputed exactly from ``network``.  ``proven`` says the solver finished
    its proof; the status is OPTIMAL only if, in addition, ``bound`` meets the recomputed
    objective.  A network outside the problem's class is an internal error and raises.

    ``proof`` is the level the solver claims for its bound.  ``Proof.EXACT`` needs
    ``bound_exact``, a rational lower bound that the solver proved in exact arithmetic; it is
    kept only if it meets the exact loss within the tolerance (compared in rationals), else
    the result falls back to ``Proof.TOLERANCE`` and says why.  ``proof_detail`` says what
    proved the bound (kept on OPTIMAL results only); ``certificate`` is kept with an exact
    proof only.
    """
    stats = dict(stats or {})
    if network is None:
        status = Status.NO_SOLUTION
        return Result(status, None, bound, None, solver, wall_s, limit, stats, message)
    bad = network_violations(problem, network)
    if bad:
        raise RuntimeError(f"solver {solver} returned a network outside the class: {bad[0]}")
    exact = exact_loss(problem, network)
    objective = float(exact)
    if bound is not None and math.isfinite(bound) and bound > objective:
        # A proven lower bound can exceed the true loss of a feasible point only by the
        # backend's tolerances; clip it to stay a valid statement, and say so.
        if bound - objective > OPT_ATOL + OPT_RTOL * abs(objective):
            note = f"backend bound {bound!r} exceeded the recomputed loss {objective!r}; clipped"
            message = f"{message}; {note}" if message else note
        bound = objective
    if proven and limit is None and bound_meets(objective, bound):
        proof, note = _proof_level(proof, bound_exact, exact)
        if note:
            message = f"{message}; {note}" if message else note
        return Result(
            Status.OPTIMAL,
            objective,
            bound,
            network,
            solver,
            wall_s,
            limit,
            stats,
            message,
            exact,
            proof,
            proof_detail,
            certificate if proof is Proof.EXACT else None,
        )
    if proven and limit is None:
        note = (
            f"solver claimed optimality but its bound {bound!r} does not meet the "
            f"recomputed loss {objective!r}"
        )
        message = f"{message}; {note}" if message else note
    feasible = Status.FEASIBLE
    return Result(feasible, objective, bound, network, solver, wall_s, limit, stats, message, exact)


def _proof_level(
    claimed: Proof, bound_exact: Fraction | None, exact: Fraction
) -> tuple[Proof, str]:
    """The proof level an OPTIMAL result keeps, and a note when a claim was not kept."""
    if claimed is not Proof.EXACT:
        return claimed, ""
    if bound_exact is None:
        return Proof.TOLERANCE, "exact proof claimed without an exact bound; kept as tolerance"
    slack = Fraction(OPT_ATOL) + Fraction(OPT_RTOL) * abs(exact)
    if exact - bound_exact <= slack:
        return Proof.EXACT, ""
    return Proof.TOLERANCE, (
        f"exact bound {float(bound_exact)!r} does not meet the exact loss {float(exact)!r}; "
        "kept as tolerance"
    )


def stopped_before_start(problem: FitProblem, solver: str, wall_s: float, why: str) -> Result:
    """The answer to a stop that came before a solver had a network: the zero network
    (every unit ``a_j·σ(0·x + 0)``, in every class: any output signs, any norm bound) with
    the bound 0, which a sum of squares with nonnegative weights always has.  FEASIBLE,
    limit ``interrupt``; ``why`` says where the stop came."""
    signs = problem.sign_vectors()[0]
    zero = ReluNetwork(tuple(Unit(a, (Fraction(0),) * problem.d, Fraction(0)) for a in signs))
    return finalize(
        problem,
        zero,
        bound=0.0,
        solver=solver,
        wall_s=wall_s,
        proven=False,
        limit=Limit.INTERRUPT,
        message=f"interrupted {why}: the zero network, with the bound 0",
    )
