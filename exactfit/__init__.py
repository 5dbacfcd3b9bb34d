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
from exactfit.result import Limit, Result, Status, stopped_before_start
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
        The choice is recorded in ``result.stats["auto"]``.  When auto picks an MIQP and
        ``certify`` is not given, an OPTIMAL answer is then offered to the exact prover for at
        most as long again as the solve took (``certified.AUTO_MIN_S`` at least): proof
        "exact" if it succeeds, else the answer unchanged with a note.
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
    attempt = _Attempt(solver)
    # One interrupt session for all of it.  A first Ctrl-C that raises (outside the solvers'
    # graceful sections) stops the solve with what it has: before the solver returned (auto's
    # estimate, the backend's import, the solver's set-up) the zero network with bound 0; in
    # the certification the solver's answer.  A Ctrl-C in the solver also skips the
    # certification.  A second Ctrl-C aborts: KeyboardInterrupt.
    with interrupt.session():
        try:
            _run(problem, time_limit, options, attempt)
        except KeyboardInterrupt:
            if interrupt.presses() != 1:
                raise
            if attempt.result is None:
                wall = time.perf_counter() - began
                why = "before the solver had a network"
                attempt.result = stopped_before_start(problem, attempt.solver, wall, why)
    result = attempt.result
    stats = dict(result.stats)
    if attempt.note is not None:
        stats["auto"] = attempt.note
    wall = max(result.wall_s, time.perf_counter() - began)
    return dataclasses.replace(result, stats=stats, wall_s=wall)


@dataclasses.dataclass
class _Attempt:
    """How far a :func:`solve` got: the solver (chosen, for auto), auto's note, the result."""

    solver: str
    note: str | None = None
    result: Result | None = None


def _run(
    problem: FitProblem, time_limit: float | None, options: dict[str, Any], attempt: _Attempt
) -> None:
    """The body of :func:`solve`, recording its progress in ``attempt``."""
    certify = options.get("certify")
    chose = attempt.solver == "auto"
    if chose:
        attempt.solver, why = choose_auto(problem, **options)
        attempt.note = f"auto chose {attempt.solver}: {why}"
        if attempt.solver != "enum":
            # The cell budget only steered the choice; it means nothing to a MIP solver.
            options.pop("max_cells", None)
        from exactfit.solvers import REGISTRY

        for key in ("verbose", "log"):
            # the backend's log: only a solver with a backend has one
            if key not in REGISTRY[attempt.solver].options:
                options.pop(key, None)
    solver = attempt.solver
    if solver != "enum":
        options.pop("certify", None)
    impl = get_solver(solver)
    reason = impl.unsupported(problem)
    if reason is not None:
        raise InvalidInstance(f"solver {solver!r} cannot take this instance: {reason}")
    start = time.time()
    attempt.result = impl.solve(problem, time_limit=time_limit, **options)
    stopped = interrupt.requested() or attempt.result.limit is Limit.INTERRUPT
    if solver == "enum" or stopped:
        return
    # auto's default: an MIQP's OPTIMAL (a float bound) is also offered to the exact prover, for
    # at most as long again as the solve took (AUTO_MIN_S at least), so a small instance gets
    # proof "exact" and a large one costs at most twice; certify=False skips it.
    auto_certify = chose and certify is None and attempt.result.status is Status.OPTIMAL
    if certify or auto_certify:
        from exactfit.solvers.certified import AUTO_MIN_S, certify_result

        deadline = None if time_limit is None else start + time_limit
        if auto_certify:
            own = time.time() + max(AUTO_MIN_S, time.time() - start)
            deadline = own if deadline is None else min(deadline, own)
        attempt.result = certify_result(problem, attempt.result, deadline)
