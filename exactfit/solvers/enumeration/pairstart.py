"""A first incumbent for the k = 2 pair search: alternating least squares from the best pairs.

The pair search (:mod:`.pairs`) prunes against its incumbent, and until that is close to the
optimum every pair whose point bound is below the incumbent gets the full strong bound
(eigendecomposition, rows, aggregated rows).  Best-first order finds the optimum late on
noisy data: the least point bounds are weak.  This module guesses good pairs cheaply: from
the activity patterns of the pairs with the least strong bounds, fit the joint least squares
on the patterns, take the patterns of the fitted network, and repeat while the network's
loss decreases.  The chambers of the best network found are returned; the search solves that
pair's cone QP like any other visit.  Nothing here is a bound: a guessed pair only adds one
visit (its QP value is the loss of a real network), so the search stays complete and its
proof unchanged.
"""

from __future__ import annotations

import numpy as np

from exactfit.solvers.enumeration.algebra import _Setup
from exactfit.solvers.enumeration.optima import _joint_system

__all__ = ["guess_pairs"]

#: Starting pairs (the least strong bounds) and alternating steps per start.
STARTS = 64
STEPS = 12


def _loss(setup: _Setup, a: tuple[int, ...], theta: np.ndarray) -> float:
    """The loss of the network ``Σ_j a_j relu(z·θ_j)``."""
    p = np.maximum(setup.Z @ theta.T, 0.0) @ np.asarray(a, dtype=float)
    r = setup.problem.yf - p
    return float(setup.problem.cf @ (r * r))


def _walk(setup: _Setup, a: tuple[int, ...], acts: list[np.ndarray]) -> tuple[float, np.ndarray]:
    """Alternating least squares from the activity patterns ``acts``: (loss, θ) of the best
    network met."""
    best, best_theta = np.inf, None
    seen: set[bytes] = set()
    for _ in range(STEPS):
        key = b"".join(np.packbits(x).tobytes() for x in acts)
        if key in seen:
            break
        seen.add(key)
        G, h = _joint_system(setup, a, acts)
        theta = np.linalg.lstsq(G, h, rcond=None)[0].reshape(len(a), setup.D)
        loss = _loss(setup, a, theta)
        if not loss < best:
            break
        best, best_theta = loss, theta
        acts = list((setup.Z @ theta.T > 0.0).T)  # each unit's pattern at the fit
    return best, best_theta


def guess_pairs(
    setup: _Setup,
    table: np.ndarray,
    svs: list[tuple[int, ...]],
    starts: list[tuple[int, int, int]],
    below: float = np.inf,
) -> list[tuple[int, int, int]]:
    """Pairs ``(sign-vector index, c₁, c₂)`` (canonical: ``c₁ ≤ c₂`` for equal signs) of the
    best networks the alternating least squares reaches from ``starts`` (at most one pair,
    or none when the network's chambers are not rows of ``table``, e.g. a weight exactly on a
    hyperplane)."""
    if setup.problem.weight_bound is not None or not starts:
        return []
    acts_all = setup.hp.active(table)
    best, found = np.inf, None
    for v, c1, c2 in starts[:STARTS]:
        loss, theta = _walk(setup, svs[v], [acts_all[c1], acts_all[c2]])
        if theta is not None and loss < best:
            best, found = loss, (v, theta)
    if found is None or not best < below:
        return []
    v, theta = found
    index = {row.tobytes(): c for c, row in enumerate(np.asarray(table, dtype=bool))}
    proj = theta @ setup.hp.normals.T  # (2, m)
    if np.any(proj == 0.0):
        return []
    cells = [index.get((proj[j] > 0).tobytes()) for j in range(2)]
    if None in cells:
        return []
    c1, c2 = cells
    if svs[v][0] == svs[v][1] and c1 > c2:
        c1, c2 = c2, c1
    return [(v, int(c1), int(c2))]
