"""exactfit: globally optimal square-loss fits of small ReLU networks, with certificates.

Public API: :class:`FitProblem`, :class:`ReluNetwork`, :class:`Unit`, :func:`solve`,
:func:`verify`, :class:`Result`, :class:`Status`, :class:`Limit`, and the solver registry
(:func:`available_solvers`, :func:`get_solver`).
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from exactfit import interrupt
from exactfit.problem import (
    FitProblem,
    InvalidInstance,
    ReluNetwork,
    Unit,
    exact_loss,
    loss,
)
from exactfit.result import Limit, Result, Status
from exactfit.solvers import available as available_solvers
from exactfit.solvers import choose_auto, get_solver
from exactfit.verify import Verdict, verify

__all__ = [
    "FitProblem",
    "InvalidInstance",
    "Limit",
    "ReluNetwork",
    "Result",
    "Status",
    "Unit",
    "Verdict",
    "available_solvers",
    "exact_loss",
    "get_solver",
    "loss",
    "solve",
    "verify",
]

__version__ = "0.1.0"


def solve(
    problem: FitProblem, solver: str = "auto", *, time_limit: float | None = None, **options: Any
) -> Result:
    """Fit ``problem`` to global optimality (or as far as ``time_limit`` allows).

    Parameters
    ----------
    problem : FitProblem
    solver : str
        A registry name (``"enum"``, ``"scip"``, ``"ortools"``, ``"brute"``) or ``"auto"``:
        enumeration when the estimated number of activation cells is within budget, else SCIP.
        The choice is recorded in ``result.stats["auto"]``.
    time_limit : float, optional
        Seconds; when reached the result is FEASIBLE (or NO_SOLUTION), never OPTIMAL.
    **options
        Passed to the solver (e.g. ``max_cells`` for enumeration).  ``certify``: prove the
        answer with an exact certificate (:mod:`exactfit.certificate`); enumeration does so by
        default (``certify=False`` skips it), any other solver's network is then certified
        afterwards (:func:`exactfit.solvers.certified.certify_result`).
    """
    # wall_s covers the whole solve: auto's estimate, the solver and the certification.
    began = time.perf_counter()
    note = None
    certify = options.get("certify")
    if solver == "auto":
        solver, why = choose_auto(problem, **options)
        note = f"auto chose {solver}: {why}"
        if solver != "enum":
            # The cell budget only steered the choice; it means nothing to a MIP solver.
            options.pop("max_cells", None)
        from exactfit.solvers import REGISTRY

        for key in ("verbose", "log"):
            # the backend's log: only a solver with a backend has one
            if key not in REGISTRY[solver].options:
                options.pop(key, None)
    if solver != "enum":
        options.pop("certify", None)
    impl = get_solver(solver)
    reason = impl.unsupported(problem)
    if reason is not None:
        raise InvalidInstance(f"solver {solver!r} cannot take this instance: {reason}")
    # One interrupt session for the solve and its certification: a Ctrl-C in the solver
    # also skips the certification (which would otherwise run to its own end).
    with interrupt.session():
        start = time.time()
        result = impl.solve(problem, time_limit=time_limit, **options)
        stopped = interrupt.requested() or result.limit is Limit.INTERRUPT
        if certify and solver != "enum" and not stopped:
            from exactfit.solvers.certified import certify_result

            deadline = None if time_limit is None else start + time_limit
            result = certify_result(problem, result, deadline)
    stats = dict(result.stats)
    if note is not None:
        stats["auto"] = note
    wall = max(result.wall_s, time.perf_counter() - began)
    return dataclasses.replace(result, stats=stats, wall_s=wall)
