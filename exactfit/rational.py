"""Exact linear algebra over the rationals, shared by every exact certificate in the project."""

from __future__ import annotations

from fractions import Fraction

__all__ = ["rref"]


def rref(M: list[list[Fraction]]) -> tuple[list[list[Fraction]], list[int]]:
    """Reduced row echelon form of ``M`` over Q: its nonzero rows and their pivot columns.

    Gauss–Jordan elimination in ``Fraction`` arithmetic, so the result is exact: row ``i`` has
    a 1 in column ``pivots[i]`` and zeros in every other pivot column.
    """
    R = [row[:] for row in M]
    pivots: list[int] = []
    r = 0
    cols = len(R[0]) if R else 0
    for c in range(cols):
        piv = next((i for i in range(r, len(R)) if R[i][c] != 0), None)
        if piv is None:
            continue
        R[r], R[piv] = R[piv], R[r]
        inv = 1 / R[r][c]
        R[r] = [v * inv for v in R[r]]
        for i in range(len(R)):
            if i != r and R[i][c] != 0:
                f = R[i][c]
                R[i] = [a - f * b for a, b in zip(R[i], R[r], strict=True)]
        pivots.append(c)
        r += 1
        if r == len(R):
            break
    return R[:r], pivots
