"""The ε-net of one unit's weight ball in the data's own second-moment geometry.

Notation (proofs in ``docs/solvers/net.md``).  Scale the data by the weight bound,
``x̃_i = B·x_i``, so that a unit ``σ(w·x)`` with ``‖w‖₂ ≤ B`` is ``σ(v·x̃)`` with ``‖v‖₂ ≤ 1``.
With ``p_i = c_i / Σ c`` the weighted second moment is ``Σ = Σ_i p_i x̃_i x̃_iᵀ``, with
eigenvalues ``λ_1 ≥ λ_2 ≥ … ≥ 0`` and orthonormal eigenvectors ``e_t``; the seminorm
``‖v‖_Σ = (vᵀΣv)^{1/2}`` is the L²(p) distance of the pre-activations ``v·x̃_i``.

For ``m`` and steps ``h_1..h_m`` the net is

    N = { Σ_{t ≤ m} g_t e_t :  g_t ∈ h_t·ℤ,  |g_t| ≤ 1,  Σ_t g_t² ≤ 1 },

and the lemma of the page: every ``v`` in the unit ball has a point of ``N`` (round each
``v·e_t`` toward zero to the grid) within ``‖·‖_Σ``-distance ``< (Σ_t λ_t h_t² + λ_{m+1})^{1/2}``.
:func:`plan` picks ``m`` and ``h_t = α/√(m λ_t)`` so that this radius is ``η/k``, with the
smallest grid; :func:`net_points` lists ``N``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from exactfit.errors import BudgetExceeded, InputError
from exactfit.limits import MAX_NET_POINTS
from exactfit.problem import FitProblem
from exactfit.solvers.net.floats import BALL_TOL, MARGIN

__all__ = ["NetPlan", "net_points", "plan", "target_radius"]

#: Prefix-by-value entries expanded at once while listing the net (memory bound).
CHUNK = 2_000_000


@dataclass(frozen=True)
class NetPlan:
    """The parameters of the net, and the quantities of the guarantee.

    Attributes
    ----------
    epsilon : float
        The additive error ``ε`` asked for, on the average loss ``L̄ = L / Σ c``.
    zero_loss : float
        ``ρ² = L̄(0) = Σ p_i y_i²``, the average loss of the zero network (``≥ L̄(f*)``).
    eta : float
        The L²(p) radius ``η = √(ρ² + ε) − ρ`` (shrunk by :data:`MARGIN`) within which a net
        network of the optimum must lie: then ``L̄ ≤ L̄(f*) + 2ηρ + η² ≤ L̄(f*) + ε``.
    m : int
        Eigen-directions kept.
    alpha : float
        Radius of the grid part, ``α² = (η/k)² − λ_{m+1}``.
    tail : float
        ``λ_{m+1}`` (0 when ``m`` is the rank), the part the net ignores.
    steps : tuple of float
        ``h_t = α / √(m λ_t)``, ``t = 1..m``.
    basis : (m, d) ndarray
        The eigenvectors ``e_t`` (rows), in the scaled coordinates.
    box_count : int
        ``Π_t (2⌊1/h_t⌋ + 1)``, the grid before the ball test: an upper bound on the net size.
    """

    epsilon: float
    zero_loss: float
    eta: float
    m: int
    alpha: float
    tail: float
    steps: tuple[float, ...]
    basis: np.ndarray
    box_count: int

    def __post_init__(self) -> None:
        if not (self.eta > 0 and self.alpha >= 0 and len(self.steps) == self.m):
            raise InputError(
                f"net plan: expected η > 0, α ≥ 0 and m steps, found η = {self.eta!r}, "
                f"α = {self.alpha!r}, m = {self.m}, {len(self.steps)} steps"
            )


def target_radius(zero_loss: float, epsilon: float) -> float:
    """``η = √(ρ² + ε) − ρ`` with ``ρ² = zero_loss``, computed without cancellation."""
    rho = math.sqrt(zero_loss)
    return epsilon / (math.sqrt(zero_loss + epsilon) + rho)


def _moments(problem: FitProblem) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (descending, clipped at 0) and eigenvectors (rows) of ``Σ``.

    Through the n×n Gram matrix when ``n < d`` (same nonzero spectrum, vectors mapped back).
    """
    p = problem.cf / problem.cf.sum()
    Xs = float(problem.weight_bound) * problem.Xf * np.sqrt(p)[:, None]
    if problem.d <= problem.n:
        lam, vec = np.linalg.eigh(Xs.T @ Xs)
        order = np.argsort(lam)[::-1]
        return np.clip(lam[order], 0.0, None), vec[:, order].T
    lam, vec = np.linalg.eigh(Xs @ Xs.T)
    order = np.argsort(lam)[::-1]
    lam = np.clip(lam[order], 0.0, None)
    keep = lam > 0
    basis = (Xs.T @ vec[:, order][:, keep]) / np.sqrt(lam[keep])
    return lam[keep], basis.T


def plan(problem: FitProblem, epsilon: float) -> NetPlan:
    """The net with the fewest grid boxes among all ``m`` that reach radius ``η/k``."""
    zero_loss = float(problem.null_loss()) / float(sum(problem.sample_weight))
    eta = target_radius(zero_loss, epsilon) * (1 - MARGIN)
    lam, vectors = _moments(problem)
    radius2 = (eta / problem.units) ** 2
    best: tuple[float, int, float, float, tuple[float, ...]] | None = None
    for m in range(len(lam) + 1):
        tail = float(lam[m]) if m < len(lam) else 0.0
        if tail >= radius2:
            continue
        if m and lam[m - 1] <= 0:
            break  # the tail was already 0: more directions add nothing
        alpha = math.sqrt(radius2 - tail)
        steps = tuple(alpha / math.sqrt(m * float(lam[t])) for t in range(m))
        log_boxes = sum(math.log(2 * math.floor(1 / h) + 1) for h in steps)
        if best is None or log_boxes < best[0]:
            best = (log_boxes, m, alpha, tail, steps)
    if best is None:  # m = rank always qualifies (tail 0); kept for a clear failure
        raise InputError(f"net: no grid reaches radius {eta / problem.units!r}")
    _, m, alpha, tail, steps = best
    boxes = math.prod(2 * math.floor(1 / h) + 1 for h in steps)
    basis = vectors[:m].copy()
    basis.setflags(write=False)
    return NetPlan(epsilon, zero_loss, eta, m, alpha, tail, steps, basis, boxes)


def net_points(net: NetPlan, cap: int = MAX_NET_POINTS) -> np.ndarray:
    """The net's grid coordinates ``g`` (one row per point, ``m`` columns), zero first.

    Listed coordinate by coordinate, keeping prefixes with ``Σ g_t² ≤ 1``; every such prefix
    extends (by zeros) to a point, so the prefixes never outnumber the points, and the count
    is checked against ``cap`` at every stage before anything larger is allocated.
    """
    pts = np.zeros((1, 0))
    sq = np.zeros(1)
    for t, h in enumerate(net.steps):
        J = math.floor(1 / h)
        # zero first, then ±h, ±2h, ...: the zero network stays point 0
        j = np.concatenate([[0], np.repeat(np.arange(1, J + 1), 2) * np.tile([1, -1], J)])
        vals = h * j
        parts_p, parts_v = [], []
        rows = max(1, CHUNK // len(vals))
        total = 0
        for lo in range(0, len(pts), rows):
            new_sq = sq[lo : lo + rows, None] + vals[None, :] ** 2
            # exact-ball points may round above 1 by an ulp: the lifted unit is clipped later
            ip, iv = np.nonzero(new_sq <= 1 + BALL_TOL)
            total += len(ip)
            if total > cap:
                raise BudgetExceeded(
                    f"net: the ε-net of one unit has more than {cap:,} points (a grid of "
                    f"{net.box_count:.3g} boxes in m = {net.m} dimensions, stopped at "
                    f"dimension {t + 1}) for ε = {net.epsilon:g}; use a larger --epsilon"
                )
            parts_p.append(ip + lo)
            parts_v.append(iv)
        ip = np.concatenate(parts_p)
        iv = np.concatenate(parts_v)
        # keep zero-first order overall: sort by (prefix, value index) is already the order
        pts = np.hstack([pts[ip], vals[iv, None]])
        sq = sq[ip] + vals[iv] ** 2
    return pts
