"""The per-cell problem in floating point: a convex quadratic over a polyhedral cone.

On the closure of an activation cell the loss is ``q(θ) = θᵀGθ − 2hᵀθ + Y`` (``Y = Σ c_i y_i²``)
and the cell is ``K = {θ : Aθ ≥ 0}``.  The cell optimum ``min_K q`` is attained and equals
``q(θ_T)`` for the tight set ``T`` of any KKT point: ``θ_T`` minimises ``q`` on the subspace
``{A_T θ = 0}``, is feasible, and ``2(Gθ_T − h) = A_Tᵀμ`` with ``μ ≥ 0``.  Both cone solvers
are the primal active-set method started at the apex ``θ = 0`` (always feasible): on the current
working set take the minimum-norm minimiser on its subspace, step until a constraint blocks,
drop a constraint with a negative multiplier at subspace optima.  :func:`solve_cone_qp` runs it
in floats (tolerances documented there); :func:`exactfit.exact.coneqp.exact_cone_qp` runs it in
rationals with Bland's rule, which gives the exact rational optimum and its KKT certificate.

With a norm bound ``‖w‖ ≤ B`` (bias excluded) the cell problem stays convex;
:func:`ball_cone_qp` solves it through the Lagrangian ``q + ν(‖w‖² − B²)``: for every ν ≥ 0 its
cone minimum minus ``νB²`` is a lower bound (weak duality) and ``‖w(ν)‖`` is non-increasing in ν,
so bisection on ν meets primal and dual values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from exactfit.solvers.enumeration.dualqp import dual_cone_qp

__all__ = ["ConeQP", "ball_cone_qp", "balls_cone_qp", "ls_values", "solve_cone_qp"]

#: Float tolerances of the active-set method, relative to unit constraint rows and to the
#: scale of the gradient: a step shorter than STEP_TOL·(1 + ‖θ‖) counts as zero, a multiplier
#: above −MULT_TOL·scale as nonnegative.
STEP_TOL = 1e-12
MULT_TOL = 1e-10
#: Eigenvalues of the reduced Hessian below EIG_CUT·‖G‖₂ are treated as zero (pseudo-inverse).
EIG_CUT = 1e-12
#: The dual method's answer is accepted when its KKT residual is below KKT_TOL·scale.
KKT_TOL = 1e-9
#: Stacks of matrices up to this size take the vectorised LDLᵀ in :func:`ls_values`.
LDL_MAX_DIM = 8


@dataclass(frozen=True)
class ConeQP:
    """A float cell optimum: point ``theta``, value ``q(θ) − Y`` as ``value`` (add ``Y``),
    tight set ``working`` (row indices), multipliers and KKT residual."""

    theta: np.ndarray
    value: float
    working: tuple[int, ...]
    multipliers: np.ndarray
    kkt_residual: float
    iterations: int


def ls_values(G: np.ndarray, h: np.ndarray, trace_inv: bool = False) -> Any:
    """``hᵀG⁺h`` for a stack of PSD matrices (…, D, D) and vectors (…, D) or (…, R, D).

    ``min_θ θᵀGθ − 2hᵀθ = −hᵀG⁺h`` (``h`` lies in the range of ``G`` for least-squares data).
    With ``R`` right-hand sides per matrix the result is (…, R), from one factorisation.
    Uses a batched solve and falls back to an eigendecomposition (pseudo-inverse, relative
    eigenvalue cut 1e-12) for singular or ill-conditioned members.  ``trace_inv``: also return
    ``tr(G⁻¹)`` per member (from the ``LDLᵀ`` factors; ``inf`` where there are none), an upper
    bound on ``1/λ_min`` for error allowances.
    """
    G = np.asarray(G, dtype=float)
    h = np.asarray(h, dtype=float)
    multi = h.ndim == G.ndim
    H = h if multi else h[..., None, :]  # (…, R, D)
    diag = np.einsum("...ii->...i", G)
    scale = np.maximum(diag.max(axis=-1), 1e-300)
    tinv = np.full(G.shape[:-2], np.inf)
    if G.ndim == 3 and G.shape[-1] <= LDL_MAX_DIM:
        out, good, tr = _ldl_values(G / scale[:, None, None], H)
        out = out / scale[:, None]
        tinv = np.where(good, tr / scale, np.inf)
    else:
        out = np.empty(H.shape[:-1])
        det = np.linalg.det(G / scale[..., None, None])
        good = np.abs(det) > 1e-9
        if np.any(good):
            try:
                Hg = H[good]
                x = np.linalg.solve(G[good], np.swapaxes(Hg, -1, -2))  # (…, D, R)
                out[good] = np.einsum("...ri,...ir->...r", Hg, x)
            except np.linalg.LinAlgError:
                good[:] = False
    bad = ~good
    if np.any(bad):
        w, V = np.linalg.eigh(G[bad])
        cut = 1e-12 * np.maximum(w[..., -1:], 1e-300)
        proj = np.einsum("...ji,...rj->...ri", V, H[bad])
        inv = np.where(w > cut, 1.0 / np.where(w > cut, w, 1.0), 0.0)
        out[bad] = np.einsum("...ri,...i->...r", proj * proj, inv)
    out = out if multi else out[..., 0]
    return (out, tinv) if trace_inv else out


def _ldl_values(S: np.ndarray, H: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(hᵀS⁻¹h (B, R), good (B,), tr S⁻¹ (B,))`` for a stack of small symmetric ``S``
    (B, D, D), by an ``LDLᵀ`` factorisation vectorised over the stack (one array operation per
    entry: for ``D ≤ 8`` several times faster than a batched LAPACK solve).  ``good``: every
    pivot positive and their product ``det S > 1e-9`` (the rule of :func:`ls_values`); the
    other members' values are meaningless.  ``tr S⁻¹ = Σ_j ‖row j of L⁻¹‖²/d_j``."""
    B, D = S.shape[0], S.shape[-1]
    L = np.zeros((D, D, B))
    d = np.empty((D, B))
    for j in range(D):
        dj = S[:, j, j] - sum(L[j, k] * L[j, k] * d[k] for k in range(j))
        d[j] = dj
        safe = np.where(dj > 0, dj, 1.0)
        for i in range(j + 1, D):
            L[i, j] = (S[:, i, j] - sum(L[i, k] * L[j, k] * d[k] for k in range(j))) / safe
    good = np.all(d > 0, axis=0) & (np.prod(d, axis=0) > 1e-9)
    safe = np.where(d > 0, d, 1.0)
    u = np.empty((D, B, H.shape[1]))
    for j in range(D):
        u[j] = H[:, :, j] - sum(L[j, k][:, None] * u[k] for k in range(j))
    out = sum(u[j] * u[j] / safe[j][:, None] for j in range(D))
    X = np.zeros((D, D, B))  # L⁻¹, unit lower triangular
    for j in range(D):
        X[j, j] = 1.0
        for i in range(j):
            X[j, i] = -sum(L[j, k] * X[k, i] for k in range(i, j))
    tr = sum((X[j] * X[j]).sum(axis=0) / safe[j] for j in range(D))
    return np.asarray(out, dtype=float), good, np.asarray(tr, dtype=float)


def _null(A: np.ndarray, D: int) -> np.ndarray:
    if len(A) == 0:
        return np.eye(D)
    _, s, vt = np.linalg.svd(A)
    r = int(np.sum(s > 1e-12 * max(s[0], 1e-300)))
    return vt[r:].T


def solve_cone_qp(
    G: np.ndarray, h: np.ndarray, A: np.ndarray, max_iter: int | None = None
) -> ConeQP:
    """Minimise ``θᵀGθ − 2hᵀθ`` subject to ``Aθ ≥ 0`` (float primal active set).

    ``A`` should have unit rows.  Deterministic: the same inputs give bit-identical output.
    A safely positive definite ``G`` is solved by the dual method (:mod:`.dualqp`, a few
    iterations) when its answer passes the KKT check below; otherwise, and for singular
    ``G``, by the primal method from the apex.
    """
    n, D = A.shape
    dual = dual_cone_qp(G, h, A) if D else None
    out = None if dual is None else _kkt_checked(G, h, A, *dual)
    if out is not None:
        return out
    theta = np.zeros(D)
    W: list[int] = []
    max_iter = max_iter or 20 * (n + D) + 50
    it = 0
    bland = False
    gscale = max(float(np.abs(h).max(initial=0.0)), float(np.abs(G).max(initial=0.0)), 1e-300)
    mu = np.zeros(0)
    gnorm = max(float(np.linalg.norm(G, 2)) if G.size else 0.0, 1e-300)
    at_min = False
    while True:
        it += 1
        if it > max_iter:
            if not bland:
                bland, it = True, 0
                continue
            raise RuntimeError("active-set method did not converge")
        N = _null(A[W], D) if W else np.eye(D)
        if at_min or N.shape[1] == 0:
            # After a full step θ is the subspace minimiser by construction; re-solving there
            # would only chase rounding (ill-conditioned G) and could loop.
            p = np.zeros(D)
        else:
            Hr = N.T @ G @ N
            gr = N.T @ (h - G @ theta)
            # Minimum-norm minimiser; eigenvalues are cut relative to ‖G‖ (not to the reduced
            # matrix, whose own scale can be pure rounding when G vanishes on the subspace).
            w, V = np.linalg.eigh(0.5 * (Hr + Hr.T))
            keep = w > EIG_CUT * gnorm
            p = N @ (V[:, keep] @ ((V[:, keep].T @ gr) / w[keep]))
        if np.linalg.norm(p) <= STEP_TOL * (1.0 + np.linalg.norm(theta)):
            grad = 2.0 * (G @ theta - h)
            if not W:
                mu = np.zeros(0)
                break
            mu = np.linalg.lstsq(A[W].T, grad, rcond=None)[0]
            if mu.min() >= -MULT_TOL * gscale:
                break
            drop = int(np.flatnonzero(mu < -MULT_TOL * gscale)[0]) if bland else int(np.argmin(mu))
            W.pop(drop)
            at_min = False
            continue
        Ap = A @ p
        At = np.maximum(A @ theta, 0.0)
        block = Ap < -1e-14 * np.linalg.norm(p)
        if W:
            block[W] = False
        alpha, add = 1.0, -1
        if np.any(block):
            idx = np.flatnonzero(block)
            ratios = At[idx] / -Ap[idx]
            k = int(np.argmin(ratios))
            if ratios[k] < 1.0:
                alpha = float(ratios[k])
                ties = idx[ratios <= ratios[k]]
                add = int(ties.min()) if bland else int(idx[k])
        theta = theta + alpha * p
        if add >= 0:
            W.append(add)
        at_min = add < 0
    grad = 2.0 * (G @ theta - h)
    resid = grad - (A[W].T @ mu if W else 0.0)
    res = float(np.abs(resid).max(initial=0.0))
    viol = float(max(0.0, -(A @ theta).min(initial=0.0)))
    value = float(theta @ G @ theta - 2.0 * h @ theta)
    return ConeQP(theta, value, tuple(W), mu, max(res, viol), it)


def _kkt_checked(
    G: np.ndarray, h: np.ndarray, A: np.ndarray, theta: np.ndarray, W: list, mu: np.ndarray, it: int
) -> ConeQP | None:
    """The dual method's answer as a :class:`ConeQP` when it is a KKT point up to rounding
    (stationarity residual and infeasibility at most ``KKT_TOL`` of the data's scale, every
    multiplier ``≥ −MULT_TOL·scale``), else ``None``."""
    gscale = max(float(np.abs(h).max(initial=0.0)), float(np.abs(G).max(initial=0.0)), 1e-300)
    grad = 2.0 * (G @ theta - h)
    resid = grad - (A[W].T @ mu if W else 0.0)
    res = float(np.abs(resid).max(initial=0.0))
    viol = float(max(0.0, -(A @ theta).min(initial=0.0)))
    size = 1.0 + float(np.abs(theta).max(initial=0.0))
    if max(res, viol) > KKT_TOL * gscale * size or mu.min(initial=0.0) < -MULT_TOL * gscale:
        return None
    value = float(theta @ G @ theta - 2.0 * h @ theta)
    return ConeQP(theta, value, tuple(W), mu, max(res, viol), it)


def ball_cone_qp(
    G: np.ndarray, h: np.ndarray, A: np.ndarray, E: np.ndarray, B2: float
) -> tuple[ConeQP, float, float]:
    """Minimise ``θᵀGθ − 2hᵀθ`` on ``{Aθ ≥ 0, θᵀEθ ≤ B²}`` (E = diag of the weight coordinates).

    Returns ``(qp, lower, nu)``: the solution at the final multiplier ν (its weight part
    satisfies ``‖w‖² ≤ B²`` up to float rounding; callers clip exactly), a lower bound on the
    cell minimum (``min_K q + ν‖w‖² − νB²`` by weak duality) and ν.
    """
    base = solve_cone_qp(G, h, A)
    if base.theta @ E @ base.theta <= B2:
        return base, base.value, 0.0
    scale = max(float(np.abs(G).max(initial=0.0)), 1e-12)
    lo, hi = 0.0, scale
    sol_hi = solve_cone_qp(G + hi * E, h, A)
    while sol_hi.theta @ E @ sol_hi.theta > B2:
        lo, hi = hi, hi * 4.0
        sol_hi = solve_cone_qp(G + hi * E, h, A)
        if hi > 1e30:
            break
    best_low = -np.inf
    best = sol_hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        sol = solve_cone_qp(G + mid * E, h, A)
        low = sol.value - mid * B2
        best_low = max(best_low, low)
        if sol.theta @ E @ sol.theta > B2:
            lo = mid
        else:
            hi, best = mid, sol
        primal = float(best.theta @ G @ best.theta - 2.0 * h @ best.theta)
        if hi - lo <= 1e-15 * hi or primal - best_low <= 1e-13 * (abs(primal) + scale):
            break
    primal = float(best.theta @ G @ best.theta - 2.0 * h @ best.theta)
    low_hi = best.value - hi * B2
    best_low = max(best_low, low_hi)
    out = ConeQP(
        best.theta, primal, best.working, best.multipliers, best.kkt_residual, best.iterations
    )
    return out, min(best_low, primal), hi


def balls_cone_qp(
    G: np.ndarray,
    h: np.ndarray,
    A: np.ndarray,
    Es: list[np.ndarray],
    B2: float,
    target: float | None = None,
) -> tuple[ConeQP, float, np.ndarray]:
    """Minimise ``θᵀGθ − 2hᵀθ`` on ``{Aθ ≥ 0, θᵀE_jθ ≤ B² for every j}`` (one ball per unit).

    The dual function ``g(ρ) = min_K q + Σ_j ρ_j(θᵀE_jθ − B²)`` is concave in ``ρ ≥ 0`` and
    every value of it is a lower bound (weak duality); it is maximised by coordinate ascent,
    each coordinate by bisection on ``‖w_j(ρ)‖² = B²`` (:func:`ball_cone_qp`'s rule with the
    other multipliers fixed).  Returns ``(qp, lower, ρ)`` as :func:`ball_cone_qp` does: the
    solution at the final ``ρ`` (callers clip it into the balls), the best lower bound met.
    With a ``target`` the ascent stops as soon as the bound reaches it, or as soon as a point
    of the feasible set is below it (then no multiplier can reach it): the solution scaled
    into the balls unit by unit, which keeps it in the cone ``Aθ ≥ 0`` because each row
    involves one unit's parameters and the cone is homogeneous.
    """
    if len(Es) == 1:
        qp, low, nu = ball_cone_qp(G, h, A, Es[0], B2)
        return qp, low, np.array([nu])
    k = len(Es)
    rho = np.zeros(k)

    def at(r: np.ndarray) -> tuple[ConeQP, float]:
        sol = solve_cone_qp(G + sum(rj * E for rj, E in zip(r, Es, strict=True)), h, A)
        return sol, sol.value - float(r.sum()) * B2

    sol, best_low = at(rho)
    scale = max(float(np.abs(G).max(initial=0.0)), 1e-12)
    for _ in range(30):  # sweeps; each one raises g, and the loop stops when it stalls
        if target is not None and (best_low >= target or _inside(sol, G, h, Es, B2) < target):
            break
        start = best_low
        for j, E in enumerate(Es):
            trial = rho.copy()
            trial[j] = 0.0
            s0, _ = at(trial)
            if s0.theta @ E @ s0.theta <= B2:
                rho = trial
                continue
            lo, hi = 0.0, max(2.0 * rho[j], scale)
            while True:
                trial[j] = hi
                s, _ = at(trial)
                if s.theta @ E @ s.theta <= B2 or hi > 1e30:
                    break
                lo, hi = hi, 4.0 * hi
            for _ in range(200):
                trial[j] = 0.5 * (lo + hi)
                s, _ = at(trial)
                if s.theta @ E @ s.theta > B2:
                    lo = trial[j]
                else:
                    hi = trial[j]
                if hi - lo <= 1e-15 * hi:
                    break
            rho[j] = hi
        sol, low = at(rho)
        best_low = max(best_low, low)
        if best_low - start <= 1e-14 * (abs(best_low) + scale):
            break
    primal = float(sol.theta @ G @ sol.theta - 2.0 * h @ sol.theta)
    out = ConeQP(sol.theta, primal, sol.working, sol.multipliers, sol.kkt_residual, sol.iterations)
    return out, min(best_low, primal), rho


def _inside(sol: ConeQP, G: np.ndarray, h: np.ndarray, Es: list[np.ndarray], B2: float) -> float:
    """``q(θ') − Y`` at ``θ'``: ``sol.theta`` (the stacked unit blocks, all of one size) with
    each unit's block scaled into its ball."""
    theta = sol.theta.copy()
    D = len(theta) // len(Es)
    for j, E in enumerate(Es):
        w2 = float(theta @ E @ theta)
        if w2 > B2:
            theta[j * D : (j + 1) * D] *= np.sqrt(B2 / w2) * (1 - 1e-15)
    return float(theta @ G @ theta - 2.0 * h @ theta)
