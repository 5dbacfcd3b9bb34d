"""A first incumbent for the k = 2 pair search: alternating least squares from the best pairs.

The pair search (:mod:`.pairs`) prunes against its incumbent, and until that is close to the
optimum every pair whose point bound is below the incumbent gets the full strong bound
(eigendecomposition, rows, aggregated rows).  Best-first order finds the optimum late on
noisy data: the least point bounds are weak.  This module guesses good pairs cheaply: from
the activity patterns of the pairs with the least strong bounds, fit the joint least squares
on the patterns, take the patterns of the fitted network, and repeat a few times (all starts
at once, batched).  The chambers of the best network met are returned; the search solves that
pair's cone QP like any other visit.  Nothing here is a bound: a guessed pair only adds one
visit (its QP value is the loss of a real network), so the search stays complete and its
proof unchanged.
"""

from __future__ import annotations

import numpy as np

from exactfit.solvers.enumeration.algebra import _Setup
from exactfit.solvers.enumeration.multi import _joint_system

__all__ = ["guess_pairs"]

#: Starting pairs (the least strong bounds) and alternating steps per start.
STARTS = 64
STEPS = 12


def _walks(
    setup: _Setup, a: tuple[int, ...], acts: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Alternating least squares from the activity patterns ``acts`` (per unit, (S, n)), all
    starts at once: (loss (S,), θ (S, 2, D)) of the best network each start met."""
    S, D = len(acts[0]), setup.D
    av = np.asarray(a, dtype=float)
    y = np.broadcast_to(setup.problem.yf, acts[0].shape)
    best = np.full(S, np.inf)
    best_theta = np.zeros((S, 2, D))
    for _ in range(STEPS):
        G, lin = _joint_system(setup, acts, av, [y])
        # a tiny ridge makes every G solvable (a guess needs no accuracy: its network's loss
        # is evaluated directly)
        ridge = 1e-9 * np.einsum("sii->s", G)[:, None, None] * np.eye(2 * D) + 1e-300
        theta = np.linalg.solve(G + ridge, lin[:, 0, :, None])[..., 0].reshape(S, 2, D)
        z = np.einsum("nd,sjd->sjn", setup.Z, theta)  # (S, 2, n)
        r = setup.problem.yf - np.einsum("sjn,j->sn", np.maximum(z, 0.0), av)
        loss = (r * r) @ setup.problem.cf
        better = loss < best
        best = np.where(better, loss, best)
        best_theta[better] = theta[better]
        acts = [z[:, 0] > 0.0, z[:, 1] > 0.0]  # each unit's pattern at the fit
    return best, best_theta


def guess_pairs(
    setup: _Setup,
    table: np.ndarray,
    svs: list[tuple[int, ...]],
    starts: list[tuple[int, int, int]],
    below: float = np.inf,
) -> list[tuple[int, int, int]]:
    """Pairs ``(sign-vector index, c₁, c₂)`` (canonical: ``c₁ ≤ c₂`` for equal signs) of the
    best network the alternating least squares reaches from ``starts`` (at most one pair;
    none when that network's loss is not below ``below``, the incumbent, or its chambers are
    not rows of ``table``, e.g. a weight exactly on a hyperplane)."""
    if setup.problem.weight_bound is not None or not starts:
        return []
    acts_all = setup.hp.active(table)
    starts = starts[:STARTS]
    best, found = np.inf, None
    for v in sorted({e[0] for e in starts}):
        c = np.array([e[1:] for e in starts if e[0] == v], dtype=np.int64)
        loss, theta = _walks(setup, svs[v], [acts_all[c[:, 0]], acts_all[c[:, 1]]])
        i = int(np.argmin(loss))
        if loss[i] < best:
            best, found = float(loss[i]), (v, theta[i])
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
