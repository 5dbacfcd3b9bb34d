"""The aggregated-row bound: the halfspace bound of a nonnegative combination of cone rows.

In the whitened coordinates of :mod:`.halfspace` (``u = Λ^{1/2}Vᵀθ``, so that the relaxed loss
is ``Y − ‖t‖² + ‖u − t‖²``) a cell's cone is ``K = {u : w̄_r·u ≥ 0 for every row r}``.  For any
multipliers ``μ ≥ 0`` the row ``r_μ = Σ_r μ_r r_r`` is valid for ``K`` too, so Lemma H with
``w_μ = Σ_r μ_r w̄_r`` gives the lower bound ``Y − ‖t‖² + ((w_μ·t)⁻)²/‖w_μ‖²``.  A single row is
``μ = e_r``; the best ``μ`` is the nonnegative least-squares solution of
``min_{μ ≥ 0} ‖t + Σ_r μ_r w̄_r‖²`` (then ``−w_μ`` is the projection of ``t`` on the polar cone
and the bound is the exact minimum over ``K``, by Moreau's decomposition).  Any ``μ ≥ 0`` is
valid, so a few passes of coordinate descent from the best single row suffice; only the
evaluation needs care, and :func:`aggregated_increments` returns its own explicit allowance
(``docs/solvers/enumeration.md``, "Aggregated rows").
"""

from __future__ import annotations

import numpy as np

from exactfit.solvers.enumeration.halfspace import UNIT_ROUNDOFF, _gamma

__all__ = ["aggregated_increments"]

#: Coordinate-descent passes over the rows (each only raises the bound).
PASSES = 12


def aggregated_increments(
    t: np.ndarray, W: np.ndarray, kappa: np.ndarray, block: int, passes: int = PASSES
) -> tuple[np.ndarray, np.ndarray]:
    """``(increments (b, R), allowance (b, R))`` of the aggregated-row bound, both as a
    fraction-free value to add to ``Y − ‖t‖²`` and to subtract (in units of ``Y``).

    ``t`` (b, R, p): the whitened linear terms of ``R`` label sets; ``W`` (b, M, p): the
    whitened oriented rows ``w̄_r = Λ^{-1/2}Vᵀr_r`` (cone ``{w̄_r·u ≥ 0}``), each computed as
    ``λ^{-1/2} ⊙ (Vᵀr)`` with ``Vᵀr`` sums of at most ``block`` products; ``kappa`` (b,) the
    certified condition bounds of :func:`.halfspace.condition_bound`.  The allowance is
    ``4ρ(ε_w + γ_{M+1})`` with ``ε_w = γ_{block+1}·(p·κ)^{1/2} + 3u`` the relative error of
    each computed row and ``ρ = 2·Σμ_r‖w̄_r‖ / ‖w_μ‖``; where ``ρ(ε_w + γ_{M+1}) > 1/4`` the
    increment is 0 (the single rows then stand alone)."""
    b, R, p = t.shape
    M = W.shape[1]
    rn2 = np.einsum("bmi,bmi->bm", W, W)  # (b, M)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(rn2 > 0, 1.0 / rn2, 0.0)
    dots = np.einsum("bri,bmi->brm", t, W)  # w̄_r·t
    # start from the best single row: μ_r = −(w̄_r·t)/‖w̄_r‖² there
    score = np.where(dots < 0, dots * dots * inv[:, None, :], 0.0)
    first = score.argmax(axis=-1)  # (b, R)
    mu = np.zeros((b, R, M))
    bi, ri = np.indices((b, R))
    mu[bi, ri, first] = np.maximum(-dots[bi, ri, first] * inv[bi, first], 0.0)
    v = t + np.einsum("brm,bmi->bri", mu, W)  # t + Σ μ_r w̄_r
    for _ in range(passes):
        for r in range(M):
            w = W[:, None, r, :]  # (b, 1, p)
            g = (v * w).sum(axis=-1)  # (b, R)
            new = np.maximum(mu[:, :, r] - g * inv[:, None, r], 0.0)
            v += (new - mu[:, :, r])[..., None] * w
            mu[:, :, r] = new
    # the bound is evaluated afresh from μ (the running v only chose it)
    wmu = np.einsum("brm,bmi->bri", mu, W)
    wn2 = np.einsum("bri,bri->br", wmu, wmu)
    proj = np.einsum("bri,bri->br", wmu, t)
    S = np.einsum("brm,bm->br", mu, np.sqrt(rn2))
    eps_w = _gamma(block + 1) * np.sqrt(p * kappa) + 3.0 * UNIT_ROUNDOFF  # (b,)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = 2.0 * S / np.sqrt(wn2)
        theta = rho * (eps_w[:, None] + _gamma(M + 1))
        inc = np.where(proj < 0, proj * proj / wn2, 0.0)
    usable = (wn2 > 0) & (theta <= 0.25)
    return np.where(usable, inc, 0.0), np.where(usable, 4.0 * theta, 0.0)
