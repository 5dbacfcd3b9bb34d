"""Two exact helpers of the checker (:mod:`.check`), common denominators and the minimum of a
PSD quadratic, and its rejection.  Rationals by python-flint; no solver code."""

from __future__ import annotations

import math

import flint

__all__ = ["_Reject", "_integral", "_quadratic_min_term"]


class _Reject(Exception):
    """Raised inside the walk: the certificate does not prove its claim (with the reason)."""


def _integral(values: list[flint.fmpq]) -> tuple[list[int], int]:
    """``(numerators over d, d)`` for the least common denominator ``d`` of ``values``."""
    d = math.lcm(*(int(v.q) for v in values))
    return [int(v.p) * (d // int(v.q)) for v in values], d


def _quadratic_min_term(M: flint.fmpq_mat, g: list[flint.fmpq]) -> flint.fmpq:
    """``gᵀu`` for a solution of ``Mu = g`` (``M`` symmetric PSD, so ``min θᵀMθ − 2gᵀθ =
    −gᵀu``; every solution gives the same value); rejects when ``g ∉ range(M)``."""
    K = len(g)
    col = flint.fmpq_mat(K, 1, g)
    try:
        u = M.solve(col)
        return sum((g[a] * u[a, 0] for a in range(K)), flint.fmpq(0))
    except ZeroDivisionError:
        pass
    aug = flint.fmpq_mat(K, K + 1, [v for a in range(K) for v in (*M.table()[a], g[a])])
    R, rank = aug.rref()
    total = flint.fmpq(0)
    for r in range(rank):
        pivot = next(b for b in range(K + 1) if R[r, b] != 0)
        if pivot == K:
            raise _Reject("leaf multipliers leave the quadratic unbounded below")
        total += g[pivot] * R[r, K]  # free variables 0, pivot variable = R[r, K]
    return total
