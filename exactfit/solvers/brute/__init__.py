"""Brute force over every face of the activation arrangement, decided in exact arithmetic.

An independent reference for tiny instances (it shares no search or model code with the MIQP
or the cell enumerator: only the option checks of :mod:`exactfit.solvers._common` and the exact
linear algebra of :mod:`exactfit.exact`), used by the tests to cross-check the other solvers.

Algorithm
---------
Fix output signs ``a`` and, for every unit ``j``, an active set ``S_j``.  On the closed cell
``C = {θ : z_i·θ_j ≥ 0 (i ∈ S_j), z_i·θ_j ≤ 0 (i ∉ S_j)}`` the loss is the convex quadratic
``q(θ) = Σ_i c_i (Σ_j a_j [i ∈ S_j] z_i·θ_j − y_i)²``, and the optimum is the least cell
minimum.  *Minimal-face lemma* (proof in ``docs/solvers/brute.md``): if ``F`` is a minimal face
of the optimal set of ``q`` on ``C`` and ``T`` its tight rows, then *every* minimiser of ``q`` on
``V_T = {z_i·θ_j = 0, (i, j) ∈ T}`` lies in ``C`` and is optimal; moreover each unit's part of
``F`` lies in one face of the arrangement ``{z_i·θ = 0}`` with zero set ``T_j``.  So the optimum
is the least value, over every tuple of arrangement faces (:mod:`.faces`), of any minimiser of
``q`` on the tuple's subspace that is feasible for some allowed sign vector (:mod:`.search`).

Everything is exact: data are scaled to integers, faces come from exact sign vectors, each
least-squares problem is solved by fraction-free elimination, feasibility is a sign test on
integers, and the returned network has ``Fraction`` parameters whose exact loss is the value
found (checked before returning).  The weight bound is not supported: the ball ``‖w_j‖ ≤ B`` is
not polyhedral and its optimum is irrational in general.

Complexity: ``F·#cocircuits`` compositions to find the ``F = O(n^{D−1})`` faces, then at most
``C(F + k − 1, k)`` exact least-squares solves of size ``≤ kD`` (fewer after pruning).
:func:`work_estimate` and :func:`~exactfit.solvers.brute.faces.composition_bound` bound both from
``n, D, k``; the solver refuses instances above :data:`MAX_WORK` or :data:`MAX_COMPOSITIONS`.
"""

from __future__ import annotations

import math
import time
from typing import Any

from exactfit.errors import BudgetExceeded, InputError, LimitReached
from exactfit.problem import FitProblem, exact_loss
from exactfit.result import Limit, Proof, Result, finalize
from exactfit.solvers._common import check_registered_options, check_time_limit
from exactfit.solvers.brute.faces import (
    arrangement_faces,
    composition_bound,
    face_count_bound,
)
from exactfit.solvers.brute.search import IntegerData, search

__all__ = ["MAX_COMPOSITIONS", "MAX_WORK", "BruteSolver", "work_estimate"]

#: Refuse instances whose bound on exact least-squares solves exceeds this (about 15 s at
#: k = 2, D = 3 before pruning, which typically removes 80-90 % of them).
MAX_WORK = 100_000
#: Refuse instances whose bound on face compositions exceeds this (about 2 s).
MAX_COMPOSITIONS = 5_000_000


def work_estimate(problem: FitProblem) -> int:
    """An upper bound on the exact least-squares solves: ``C(F + k − 1, k)`` multisets of ``k``
    faces, ``F`` bounded by :func:`~exactfit.solvers.brute.faces.face_count_bound`."""
    F = face_count_bound(problem.n, problem.lifted_dim)
    return math.comb(F + problem.units - 1, problem.units)


def _check_budget(problem: FitProblem) -> None:
    """Raise :class:`BudgetExceeded` when either bound on the work is above its budget."""
    work = work_estimate(problem)
    if work > MAX_WORK:
        raise BudgetExceeded(
            f"brute: {work:.3g} least-squares solves estimated (limit {MAX_WORK:.3g}); "
            "use --solver enum or --solver scip for this size"
        )
    compositions = composition_bound(problem.n, problem.lifted_dim)
    if compositions > MAX_COMPOSITIONS:
        raise BudgetExceeded(
            f"brute: {compositions:.3g} face compositions estimated (limit "
            f"{MAX_COMPOSITIONS:.3g}); use --solver enum or --solver scip for this size"
        )


class BruteSolver:
    """Exhaustive exact reference solver for tiny instances (see the module docstring)."""

    name = "brute"

    def unsupported(self, problem: FitProblem) -> str | None:
        if problem.weight_bound is not None:
            return "the brute force does not support a weight bound; use enum or scip"
        return None

    def solve(
        self, problem: FitProblem, *, time_limit: float | None = None, **options: Any
    ) -> Result:
        """Solve ``problem`` exhaustively; ``time_limit`` is checked between candidates.

        Takes no options (``progress`` and ``seed`` are accepted and ignored: the search is
        deterministic and fast enough not to need a bar).
        """
        check_registered_options(self.name, options)
        time_limit = check_time_limit(time_limit)
        reason = self.unsupported(problem)
        if reason is not None:
            raise InputError(f"brute: {reason}")
        _check_budget(problem)
        start = time.perf_counter()
        deadline = None if time_limit is None else start + time_limit
        data = IntegerData.of(problem)
        try:
            arrangement = arrangement_faces(data.Z, deadline)
        except LimitReached:
            return finalize(
                problem,
                None,
                bound=None,
                solver=self.name,
                wall_s=time.perf_counter() - start,
                proven=False,
                limit=Limit.TIME,
            )
        out = search(problem, data, arrangement.faces, arrangement.covers, deadline)
        value = data.unscale(out.value)
        stats: dict[str, Any] = {
            "least_squares": out.solves,
            "faces": len(arrangement.faces),
            "pruned": out.pruned,
        }
        if out.network is not None:
            exact = exact_loss(problem, out.network)
            if exact != value:
                raise RuntimeError(f"brute: internal error, network loss {exact} != {value}")
            if not out.stopped:
                stats["objective_exact"] = f"{value.numerator}/{value.denominator}"
        return finalize(
            problem,
            out.network,
            bound=None if out.stopped else float(value),
            solver=self.name,
            wall_s=time.perf_counter() - start,
            proven=not out.stopped,
            limit=Limit.TIME if out.stopped else None,
            stats=stats,
            # the least value over every face tuple, in rationals: the optimum itself
            proof=Proof.EXACT,
            proof_detail=f"exact enumeration of {len(arrangement.faces)} arrangement faces",
            bound_exact=None if out.stopped else value,
        )
