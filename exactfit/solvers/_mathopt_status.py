"""How a MathOpt solve ended, in exactfit's terms: :func:`classify` maps a ``Termination`` to a
kind and a :class:`~exactfit.result.Limit`, :func:`mathopt_error_message` digs the real message
out of a failed solve.  Split from :mod:`exactfit.solvers.ortools_mathopt`, which re-exports both.
"""

from __future__ import annotations

from typing import Any

from exactfit.result import Limit

__all__ = ["classify", "mathopt_error_message"]


def mathopt_error_message(exc: BaseException) -> tuple[str, str] | None:
    """The real ``(status code name, message)`` behind a MathOpt solve failure, or ``None``.

    MathOpt (ortools 9.15) converts the C++ ``StatusNotOk`` with a helper that reads a
    non-existent ``canonical_code`` attribute, so what escapes is ``AttributeError:
    'StatusNotOk' object has no attribute 'canonical_code'``; the original exception, with the
    message that explains the failure, is its ``__context__``.  A ``StatusNotOk`` passed
    directly (a fixed MathOpt, or a caller catching it first) is handled too.
    """
    inner: BaseException | None = exc
    if isinstance(exc, AttributeError) and "canonical_code" in str(exc):
        inner = exc.__context__
    if inner is None or type(inner).__name__ != "StatusNotOk":
        return None
    message = str(getattr(inner, "message", "") or inner)
    code = "UNKNOWN"
    status = getattr(inner, "status", None)
    if status is not None:
        try:
            code = status.code().name
        except Exception:  # an unfamiliar status object: keep the text, lose only the code
            code = "UNKNOWN"
    return code, message


def classify(termination: Any, *, objective_limit: bool) -> tuple[str, Limit | None, str]:
    """Map a MathOpt ``Termination`` to ``(kind, limit, raw)``.

    ``kind`` is ``"optimal"`` (this sign model is solved to optimality), ``"limit"`` (stopped
    by ``limit``, with or without a solution), ``"cutoff"`` (infeasible under the objective
    limit: every solution of this model is no better than the limit) or ``"error"``.  ``raw``
    is the termination as MathOpt printed it, kept for messages and statistics.
    """
    from ortools.math_opt.python import mathopt

    reason = termination.reason
    raw = f"{reason.name}" + (f"/{termination.limit.name}" if termination.limit else "")
    if termination.detail:
        raw += f" ({termination.detail})"
    TR, L = mathopt.TerminationReason, mathopt.Limit
    limits = {L.TIME: Limit.TIME, L.NODE: Limit.NODES, L.INTERRUPTED: Limit.INTERRUPT}
    if reason == TR.OPTIMAL:
        return "optimal", None, raw
    if reason in (TR.FEASIBLE, TR.NO_SOLUTION_FOUND):
        if termination.limit in limits:
            return "limit", limits[termination.limit], raw
        # ITERATION, SOLUTION, MEMORY, OBJECTIVE, NORM, SLOW_PROGRESS, OTHER, UNDETERMINED:
        # none of them is requested by this solver, so their appearance is unexplained.
        return "error", None, raw
    if reason == TR.INFEASIBLE and objective_limit:
        return "cutoff", None, raw
    # INFEASIBLE without a cut-off (the zero network is always feasible), UNBOUNDED and
    # INFEASIBLE_OR_UNBOUNDED (the loss is ≥ 0), IMPRECISE, NUMERICAL_ERROR, OTHER_ERROR, and
    # any reason a future MathOpt adds.
    return "error", None, raw
