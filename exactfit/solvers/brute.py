"""Brute force over every activation pattern, with exact face enumeration per pattern.

An independent reference for tiny instances (it shares no search or model code with the MIQP
or the cell enumerator: only the option checks and the θ → network conversion of
:mod:`exactfit.solvers._common`), used by the tests to cross-check the other solvers.

Algorithm
---------
Fix a sign vector ``a`` and, for every unit ``j``, an active set ``S_j ⊆ {1..n}``.  On the
closed cell ``{θ_j : z_i·θ_j ≥ 0 (i ∈ S_j), z_i·θ_j ≤ 0 (i ∉ S_j)}`` the loss equals the convex
quadratic

    q(θ) = Σ_i c_i (Σ_j a_j [i ∈ S_j] z_i·θ_j − y_i)²,

and the global optimum is the minimum over all patterns of the minimum of ``q`` over the
(product) cell.  For that polyhedral QP we use the following exact characterisation.  Let ``θ*``
be optimal and ``F`` the minimal face of the optimal set; ``F`` is an affine set on which the
tight constraints ``T`` (``z_i·θ_j = 0``) are fixed, and the optimal set is
``{θ ∈ cell : Aθ = Aθ*}`` because ``q`` is strictly convex in ``Aθ``.  Hence ``F`` equals the
whole set of minimisers of ``q`` on the subspace ``V_T = {z_i·θ_j = 0, (i, j) ∈ T}``, so *any*
minimiser of ``q`` on ``V_T`` (we take the minimum-norm one) lies in the cell.  ``V_T`` depends
only on the span of the tight rows, so tight sets of at most ``D`` rows per unit suffice.  The
optimum is therefore the least value of ``q`` at the min-norm minimiser on ``V_T`` over all
``(S, T)`` for which that minimiser is feasible.

Complexity ``O(|signs| · 2^{nk} · (Σ_{t ≤ D} C(n, t))^k)`` least-squares solves, batched over
patterns with numpy; the solver refuses instances above :data:`MAX_WORK`.  The weight bound is
not supported (the ball constraint breaks the polyhedral argument).

The enumeration is exhaustive; candidates are evaluated in floating point with a feasibility
tolerance of 1e-9 (relative), and the returned network's loss is recomputed exactly.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from exactfit.errors import BudgetExceeded, InputError
from exactfit.problem import FitProblem
from exactfit.result import Limit, Result, finalize
from exactfit.solvers._common import (
    check_registered_options,
    check_time_limit,
    network_from_theta,
)

__all__ = ["MAX_WORK", "BruteSolver", "work_estimate"]

#: Refuse instances whose number of least-squares solves exceeds this.
MAX_WORK = 20_000_000


def _tight_sets(n: int, D: int) -> list[tuple[int, ...]]:
    return [T for t in range(D + 1) for T in itertools.combinations(range(n), t)]


def work_estimate(problem: FitProblem) -> int:
    """Number of least-squares solves the brute force would do."""
    n, D, k = problem.n, problem.lifted_dim, problem.units
    tights = sum(math.comb(n, t) for t in range(min(D, n) + 1))
    return len(problem.sign_vectors()) * (2**n * tights) ** k


def _nullspace(rows: np.ndarray, D: int) -> np.ndarray:
    """Orthonormal basis (D × r) of {θ : rows·θ = 0}."""
    if rows.shape[0] == 0:
        return np.eye(D)
    _, s, vt = np.linalg.svd(rows)
    rank = int(np.sum(s > 1e-12 * max(1.0, s[0])))
    return vt[rank:].T


class BruteSolver:
    """Exhaustive reference solver for tiny instances (see the module docstring)."""

    name = "brute"

    def unsupported(self, problem: FitProblem) -> str | None:
        if problem.weight_bound is not None:
            return "the brute force does not support a weight bound; use enum or scip"
        return None

    def solve(
        self, problem: FitProblem, *, time_limit: float | None = None, **options: Any
    ) -> Result:
        """Solve ``problem`` exhaustively; ``time_limit`` is checked between sign vectors.

        Takes no options (``progress`` and ``seed`` are accepted and ignored: the search is
        deterministic and fast enough not to need a bar).
        """
        check_registered_options(self.name, options)
        time_limit = check_time_limit(time_limit)
        reason = self.unsupported(problem)
        if reason is not None:
            raise InputError(f"brute: {reason}")
        work = work_estimate(problem)
        if work > MAX_WORK:
            raise BudgetExceeded(
                f"brute: {work:.3g} least-squares solves estimated (limit {MAX_WORK:.3g}); "
                "use --solver enum or --solver scip for this size"
            )
        start = time.perf_counter()
        faces = _Faces.build(problem)
        best_val, best_theta, best_signs = math.inf, None, None
        solves = 0
        stopped = False
        for signs in problem.sign_vectors():
            if time_limit is not None and time.perf_counter() - start > time_limit:
                stopped = True  # the remaining sign vectors are unexplored
                break
            val, theta, count = _search_signs(problem, faces, signs)
            solves += count
            if val < best_val:
                best_val, best_theta, best_signs = val, theta, signs
        network = None
        if best_theta is not None and best_signs is not None:
            network = network_from_theta(problem, best_signs, best_theta)
        return finalize(
            problem,
            network,
            bound=None if stopped else best_val,
            solver=self.name,
            wall_s=time.perf_counter() - start,
            proven=not stopped,
            limit=Limit.TIME if stopped else None,
            stats={"least_squares": solves},
        )


@dataclass(frozen=True)
class _Faces:
    """What every sign vector's search shares: the lifted points ``Z``, all 2^n active sets of
    one unit (``pats``, patterns × n), and for each tight set its null-space basis ``N``
    (``bases``) and the projected points ``Z·N`` (``projected``)."""

    Z: np.ndarray
    pats: np.ndarray
    bases: list[np.ndarray]
    projected: list[np.ndarray]
    scale: float

    @classmethod
    def build(cls, problem: FitProblem) -> _Faces:
        Z = problem.lifted()
        n, D = problem.n, problem.lifted_dim
        pats = np.array(list(itertools.product((False, True), repeat=n)), dtype=bool)
        scale = max(1.0, float(np.max(np.abs(Z))))
        bases = [_nullspace(Z[list(T)], D) for T in _tight_sets(n, D)]
        # Z·N for each tight set; entries at rounding level are exact zeros (z_i ∈ span of the
        # tight rows) and must not be mistaken for tiny but real directions.
        projected = []
        for N in bases:
            ZN = Z @ N
            ZN[np.abs(ZN) < 1e-12 * scale] = 0.0
            projected.append(ZN)
        return cls(Z, pats, bases, projected, scale)


def _search_signs(
    problem: FitProblem, faces: _Faces, signs: tuple[int, ...]
) -> tuple[float, np.ndarray | None, int]:
    """``(best value, its θ (k, D) or None, least-squares solves)`` over every activation
    pattern and tight set for the output signs ``signs``."""
    Z, pats, scale = faces.Z, faces.pats, faces.scale
    k = problem.units
    sw = np.sqrt(problem.cf)
    y = problem.yf
    # Units of equal sign are interchangeable: keep pattern indices non-decreasing.
    combos = [
        c
        for c in itertools.product(range(len(pats)), repeat=k)
        if all(c[j] <= c[j + 1] for j in range(k - 1) if signs[j] == signs[j + 1])
    ]
    masks = pats[np.array(combos)]  # (P, k, n)
    best_val, best_theta, solves = math.inf, None, 0
    for tset in itertools.product(range(len(faces.bases)), repeat=k):
        Ns = [faces.bases[t] for t in tset]
        ZNs = [faces.projected[t] for t in tset]
        widths = [N.shape[1] for N in Ns]
        if sum(widths) == 0:
            continue
        # Design (P, n, Σ r_j): column block j is a_j [i ∈ S_j] z_i N_j.
        blocks = [signs[j] * masks[:, j, :, None] * ZNs[j][None] for j in range(k)]
        A = np.concatenate(blocks, axis=2) * sw[None, :, None]
        # rcond drops float-noise singular values (a block Z·N that is zero in exact
        # arithmetic shows up as ~1e-17); keeping them yields |θ| ~ 1e15 garbage.
        u = np.linalg.pinv(A, rcond=1e-10) @ (y * sw)  # (P, Σ r)
        solves += len(combos)
        thetas = []
        off = 0
        for j in range(k):
            thetas.append(u[:, off : off + widths[j]] @ Ns[j].T)  # (P, D)
            off += widths[j]
        theta = np.stack(thetas, axis=1)  # (P, k, D)
        pre = np.einsum("nd,pkd->pkn", Z, theta)
        tol = 1e-9 * scale * (1.0 + np.abs(theta).sum(axis=2, keepdims=True))
        ok = np.all(np.where(masks, pre >= -tol, pre <= tol), axis=(1, 2))
        if not ok.any():
            continue
        f = np.einsum("k,pkn->pn", np.array(signs, float), np.maximum(pre[ok], 0.0))
        vals = ((f - y) ** 2) @ problem.cf
        i = int(np.argmin(vals))
        if vals[i] < best_val:
            best_val, best_theta = float(vals[i]), theta[ok][i]
    return best_val, best_theta, solves
