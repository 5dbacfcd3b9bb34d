"""The dual active-set method (Goldfarb–Idnani) for a strictly convex cone QP, in floats.

Minimise ``θᵀGθ − 2hᵀθ`` on ``{Aθ ≥ 0}`` with ``G ≻ 0``.  Start at the unconstrained minimiser
``θ = G⁻¹h`` with no active constraint (dual feasible: no multipliers); while some constraint
is violated, add the most violated one, ``p``: move along the direction ``z`` that raises
``a_p·θ`` while keeping the working rows tight and stationarity ``2(Gθ − h) = A_Wᵀμ``, with
``μ_p`` growing from 0; a working multiplier that would turn negative first drops its row
(partial step), otherwise ``p`` joins the working set once ``a_p·θ = 0`` (full step).  After
every full step ``θ`` is the optimum of the problem whose constraints are the working rows (an
"S-pair"), and the objective increases strictly at every full step, so no working set repeats
and the method ends at the optimum (Goldfarb and Idnani 1983, their theorem); on
well-conditioned cells after a few iterations.

Compared with the primal method of :func:`.cellqp.solve_cone_qp`, which starts at the apex
where *every* row is tight and adds rows through degenerate zero steps, this needs about one
iteration per row of the final working set.  It returns ``None`` when ``G`` is not safely
positive definite or a step is degenerate (a new row dependent on the working rows), and the
caller runs the primal method instead, so it only ever changes how fast a cell is solved.
"""

from __future__ import annotations

import numpy as np

__all__ = ["dual_cone_qp"]

#: ``G`` must have condition number at most this (from its computed eigenvalues); worse
#: conditioned cells are left to the primal method, as before this method existed.
DUAL_COND = 1e8
#: A row is violated when ``a·θ < −VIOL_TOL·(1 + ‖θ‖)`` (rows have unit length).
VIOL_TOL = 1e-12


def dual_cone_qp(
    G: np.ndarray, h: np.ndarray, A: np.ndarray
) -> tuple[np.ndarray, list[int], np.ndarray, int] | None:
    """``(θ, working rows, multipliers, iterations)`` of ``min θᵀGθ − 2hᵀθ`` on ``Aθ ≥ 0``,
    with ``2(Gθ − h) = A_Wᵀμ`` and ``μ ≥ 0``; ``None`` to defer to the primal method."""
    D = len(h)
    try:
        lam = np.linalg.eigvalsh(G)
        if not lam[0] > 0 or lam[-1] > DUAL_COND * lam[0]:
            return None
        theta = np.linalg.solve(G, h)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(theta)):
        return None
    W: list[int] = []
    mu = np.zeros(0)
    Q = 2.0 * G
    iters = 0
    limit = 4 * (len(A) + D) + 20
    while True:
        s = A @ theta
        tol = VIOL_TOL * (1.0 + float(np.linalg.norm(theta)))
        p = int(np.argmin(s)) if len(s) else -1
        if p < 0 or s[p] >= -tol:
            return theta, W, mu, iters
        if p in W:  # a working row cannot be violated beyond rounding
            return None
        mu_p = 0.0
        while True:
            iters += 1
            if iters > limit:
                return None
            k = len(W)
            K = np.zeros((D + k, D + k))
            K[:D, :D] = Q
            if k:
                K[:D, D:] = -A[W].T
                K[D:, :D] = A[W]
            rhs = np.zeros(D + k)
            rhs[:D] = A[p]
            try:
                sol = np.linalg.solve(K, rhs)
            except np.linalg.LinAlgError:
                return None
            z, r = sol[:D], sol[D:]
            curv = float(A[p] @ z)  # = zᵀQz > 0 unless a_p depends on the working rows
            if curv <= 1e-14 * float(A[p] @ A[p]) / max(float(np.abs(Q).max()), 1e-300):
                return None
            full = -float(A[p] @ theta) / curv
            part, drop = np.inf, -1
            for j in range(k):
                if r[j] < 0:
                    ratio = mu[j] / -r[j]
                    if ratio < part:
                        part, drop = ratio, j
            t = min(full, part)
            theta = theta + t * z
            mu = mu + t * r
            mu_p += t
            if full <= part:
                W.append(p)
                mu = np.append(mu, mu_p)
                break
            W.pop(drop)
            mu = np.delete(mu, drop)
