"""The halfspace bound: a cell's least-squares bound raised by its most violated constraint.

On a cell with Gram matrix ``G ≻ 0``, linear term ``g`` and cone ``K = {Aθ ≥ 0}`` the loss
bound ``φ(θ) = θᵀGθ − 2gᵀθ + Y`` satisfies, for every row ``a`` of ``A``,

    min_K φ ≥ min_{a·θ ≥ 0} φ = Y − gᵀG⁻¹g + ((a·θ̂)⁻)² / (aᵀG⁻¹a),   θ̂ = G⁻¹g,

because ``K`` lies in each halfspace and the minimum of a quadratic over a halfspace its
unconstrained minimiser violates is attained on the boundary.  In the coordinates of an
eigendecomposition ``G = VΛVᵀ`` with ``t = Λ^{-1/2}Vᵀg`` and ``w = Λ^{-1/2}Vᵀa`` this is
``Y − ‖t‖² + ((wᵀt)⁻)²/‖w‖²``.  ``g`` is either linear term of :meth:`.algebra._Setup.
sign_bounds` (the loss itself, ``a_out·h``, or the sign-aware ``h₊`` / ``h₋``), so the bound is
below the cell optimum.  From every computed value an explicit a-priori allowance for the
float error (data rounding, sums, eigensolver, evaluation) is subtracted, which makes the
result a lower bound whatever the rounding; the proof and the error analysis are in
``docs/solvers/enumeration.md`` ("The halfspace bound").  Cells whose ``G`` is singular or too
ill-conditioned for the allowance to be small get ``−∞`` (the caller keeps its other bound).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exactfit.solvers.enumeration.algebra import _Setup

__all__ = ["halfspace_allowance", "halfspace_bounds", "trivial_allowance"]

#: Unit roundoff of IEEE double precision.
UNIT_ROUNDOFF = 2.0**-53
#: Cells whose computed condition number exceeds this get no halfspace bound (their
#: allowance would be a large share of the noise budget anyway).
KAPPA_MAX = 1e8


def _gamma(k: float) -> float:
    """Higham's ``γ_k = k·u / (1 − k·u)``: the relative error of a ``k``-term float sum."""
    ku = k * UNIT_ROUNDOFF
    return ku / (1.0 - ku)


def halfspace_allowance(kappa: np.ndarray, n_terms: int, D: int) -> np.ndarray:
    """The error allowance, as a fraction of ``Y``, for condition numbers ``kappa``.

    ``n_terms`` bounds the number of points summed into ``G`` and ``g``.  See the docs:
    ``(γ_{n+3}·D + p(D)·u)·κ / (1 − η) + 2γ_{n+3}·sqrt(D·κ) + γ_{8D}`` with the eigensolver
    backward-error constant ``p(D) = 10·D²`` and ``η`` the relative perturbation of ``G``.
    """
    gn = _gamma(n_terms + 3)
    eta = (gn * D + 10.0 * D * D * UNIT_ROUNDOFF) * kappa
    with np.errstate(divide="ignore", invalid="ignore"):
        out = eta / (1.0 - eta) + 2.0 * gn * np.sqrt(D * kappa) + _gamma(8 * D)
    return np.where(eta < 0.5, out, np.inf)


def trivial_allowance(n_terms: int, D: int) -> float:
    """The error allowance, as a fraction of ``Y``, of a computed trivial bound
    (:meth:`.algebra._Setup.trivial_bounds`) of a cell of a problem with ``n_terms`` points in
    lifted dimension ``D``: ``16·γ_{3n+D+16}``, whatever the cell and however its active sums
    were formed from the per-point features (prefix sums, running sums, direct sums); the proof
    is in the docs ("The trivial bound")."""
    return 16.0 * _gamma(3 * n_terms + D + 16)


def condition_bound(lam: np.ndarray, n_terms: int, dim: int) -> np.ndarray:
    """An upper bound ``(B,)`` on the condition number of the exact Gram matrices whose
    computed eigenvalues are ``lam`` ``(B, dim)`` (ascending), ``inf`` where the exact one may
    be singular.  The exact ``λ_min`` is at least the computed one less the perturbation of
    ``G``: the sums' rounding (``γ_{n+3}·dim·λ_max``) and the eigensolver's backward error
    (``p(dim)·u·λ_max``)."""
    lo, hi = lam[:, 0], lam[:, -1]
    rel = _gamma(n_terms + 3) * dim + 10.0 * dim * dim * UNIT_ROUNDOFF
    slack = 2.0 * rel * np.maximum(hi, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(lo - slack > 0, (hi + slack) / (lo - slack), np.inf)


def halfspace_bounds(
    setup: _Setup,
    signs: np.ndarray,
    out_signs: np.ndarray,
    jit: Any = None,
    enough: float = np.inf,
) -> np.ndarray:
    """Halfspace lower bounds ``(B,)`` on the optima of cells ``signs`` (B, m) for output
    signs ``out_signs`` (B,) in ``{+1, −1}``: the larger of the bounds for the loss's own
    linear term ``a·h`` and the sign-aware one, ``−∞`` where ``G`` is not well conditioned.
    ``jit``: the compiled kernels (:mod:`.kernels`) for the ``O(mD²)`` part (the same
    formulas; the evaluation allowance does not depend on the order of the sums).  With it,
    ``enough``: a cell may stop scanning its rows once its bound (less its allowance) is at
    least this — the maximum over a subset of the rows is still a lower bound (Lemma H holds
    row by row), so the result stays rigorous and reaches ``enough`` iff the full one does, up
    to the rounding of that one comparison (which can only make the result smaller)."""
    signs = np.asarray(signs, dtype=bool)
    B = len(signs)
    out = np.full(B, -np.inf)
    if B == 0:
        return out
    D = setup.D
    if jit is not None:  # the same n-term sums of the active points, compiled
        hp = setup.hp
        sums = jit.active_sums(np.ascontiguousarray(signs), hp.group, hp.orient, setup.F)
        n_terms = int(sums[:, -1].max(initial=0))
    else:
        act = setup.hp.active(signs)
        sums = act.astype(float) @ setup.F
        n_terms = int(act.sum(axis=1).max(initial=0))
    G, h = setup.unpack(sums)
    nt = len(setup.iu[0])
    hp = sums[:, nt + D : nt + 2 * D]
    a = np.asarray(out_signs, dtype=float)[:, None]
    # two linear terms per cell: the loss's own (a·h) and the sign-aware one (h₊ or h₋)
    lin = np.stack([a * h, np.where(a > 0, hp, hp - h)], axis=1)  # (B, 2, D)
    lam, V = np.linalg.eigh(G)
    kappa = condition_bound(lam, n_terms, D)
    ok = kappa <= KAPPA_MAX
    if not np.any(ok):
        return out
    lam, V, lin, kappa = lam[ok], V[ok], lin[ok], kappa[ok]
    scale = 1.0 / np.sqrt(lam)  # (b, D)
    t = np.einsum("bji,brj->bri", V, lin) * scale[:, None, :]  # (b, 2, D)
    tt = np.einsum("bri,bri->br", t, t)
    allow = halfspace_allowance(kappa, n_terms, D) * setup.Y
    if jit is not None:
        # the raise at which Y − ‖t‖² + inc − allowance reaches ``enough``
        need = enough + allow[:, None] - setup.Y + tt
        inc = jit.halfspace_increase(
            np.ascontiguousarray(V),
            scale,
            t,
            setup.hp.normals,
            np.ascontiguousarray(signs[ok]),
            need,
        )
    else:
        # w_i = Λ^{-1/2} Vᵀ n_i for every hyperplane normal; the row of the cell is ±n_i
        w = np.einsum("bji,mj->bmi", V, setup.hp.normals) * scale[:, None, :]  # (b, m, D)
        wn2 = np.einsum("bmi,bmi->bm", w, w)
        orient = np.where(signs[ok], 1.0, -1.0)  # (b, m)
        viol = np.einsum("bmi,bri->brm", w, t) * orient[:, None, :]  # a·θ̂ per row
        inc = np.where(viol < 0, viol * viol / wn2[:, None, :], 0.0).max(axis=-1, initial=0.0)
    vals = setup.Y - tt + inc  # (b, 2)
    out[ok] = vals.max(axis=1) - allow
    return out
