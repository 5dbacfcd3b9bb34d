"""Every network whose units are points of the net: the exhaustive search of the ``net`` solver.

A candidate is an allowed output-sign vector ``a`` and one net point per unit.  Units of
equal sign are interchangeable, so each sign group takes a *multiset* of points:
``Π_groups C(N + g − 1, g)`` candidates per sign vector (:func:`candidate_count`).  The last
unit is vectorised: with ``r = Σ_{other units} a_j σ(Z g_j) − y`` and the activations
``A = σ(Z Gᵀ)`` (n × N),

    L(last = l) − L(0) = Σ_i c_i (r_i² − y_i²) + 2 a_last (c ∘ r)ᵀ A_{:, l} + Σ_i c_i A_{il}²,

one matrix-vector product per choice of the other units.  Losses are floats; the winner's loss
is recomputed exactly by :func:`exactfit.result.finalize`.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from exactfit import progress
from exactfit.errors import LimitReached
from exactfit.result import Limit

__all__ = ["SearchOutcome", "candidate_count", "search"]


@dataclass(frozen=True)
class SearchOutcome:
    """The best candidate found.

    Attributes
    ----------
    loss : float
        Its float loss less the zero network's, ``Σ c_i ((f(x_i) − y_i)² − y_i²)``.
    signs, points : tuple of int
        Its output signs and, per unit, the index of its net point.
    evaluated, total : int
        Candidates evaluated, and all of them.
    limit : Limit or None
        What stopped the search before the end (then the guarantee does not hold).
    """

    loss: float
    signs: tuple[int, ...]
    points: tuple[int, ...]
    evaluated: int
    total: int
    limit: Limit | None


def _groups(signs: Sequence[int]) -> tuple[int, int]:
    p = sum(1 for s in signs if s > 0)
    return p, len(signs) - p


def _by_position(signs: Sequence[int], pts: Sequence[int]) -> tuple[int, ...]:
    """Points listed positive group first (as searched) put back at their units' positions.

    Fixed output signs need not be sorted (``(−1, +1)`` is a class of its own), and the
    answer's unit ``j`` must carry sign ``a_j``.
    """
    order = [j for j, s in enumerate(signs) if s > 0] + [j for j, s in enumerate(signs) if s < 0]
    placed = [0] * len(signs)
    for slot, j in enumerate(order):
        placed[j] = pts[slot]
    return tuple(placed)


def candidate_count(N: int, sign_vectors: Sequence[Sequence[int]]) -> int:
    """``Σ_a Π_groups C(N + g − 1, g)``: the candidates over all sign vectors ``a``."""
    return sum(
        math.comb(N + p - 1, p) * math.comb(N + q - 1, q)
        for p, q in (_groups(s) for s in sign_vectors)
    )


# long: one loop carries the incumbent, the deadline, the progress and the interrupt
def search(
    A: np.ndarray,
    y: np.ndarray,
    c: np.ndarray,
    sign_vectors: Sequence[tuple[int, ...]],
    deadline: float | None = None,
) -> SearchOutcome:
    """The least-loss candidate (first found on ties), or the best before a limit."""
    N = A.shape[1]
    total = candidate_count(N, sign_vectors)
    cA2 = c @ (A * A)
    k = len(sign_vectors[0])
    # the zero network (point 0 in every unit) is a candidate of every sign vector
    best = (0.0, tuple(sign_vectors[0]), (0,) * k)
    evaluated = 0
    limit = None
    throttle = progress.Throttle()
    watching = progress.active()
    try:
        for signs in sign_vectors:
            p, q = _groups(signs)
            last = -1 if q else 1
            pos_n, neg_n = (p, q - 1) if q else (p - 1, 0)
            for pos in itertools.combinations_with_replacement(range(N), pos_n):
                for neg in itertools.combinations_with_replacement(range(N), neg_n):
                    if deadline is not None and time.perf_counter() > deadline:
                        raise LimitReached
                    group = neg if q else pos
                    lo = group[-1] if group else 0
                    P = A[:, list(pos)].sum(axis=1) - A[:, list(neg)].sum(axis=1)
                    cr = c * (P - y)
                    # L − L(0), not L: its float error scales with the outputs, not with
                    # Σ c y² (which drowns ε when the units can change the loss only a little)
                    base = float(c @ (P * (P - 2 * y)))
                    losses = base + 2 * last * (cr @ A[:, lo:]) + cA2[lo:]
                    i = int(np.argmin(losses))
                    evaluated += N - lo
                    if losses[i] < best[0]:
                        pts = (*pos, *neg, lo + i) if q else (*pos, lo + i)
                        best = (float(losses[i]), tuple(signs), _by_position(signs, pts))
                    if watching and throttle.ready():
                        progress.publish(
                            progress.Snapshot(
                                solver="net",
                                phase="search",
                                incumbent=best[0],
                                bound=0.0,
                                done=evaluated,
                                total=total,
                                unit="networks",
                            )
                        )
    except LimitReached:
        limit = Limit.TIME
    except KeyboardInterrupt:
        limit = Limit.INTERRUPT
    return SearchOutcome(best[0], best[1], best[2], evaluated, total, limit)
