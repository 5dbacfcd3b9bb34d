"""Exact linear algebra over Q and Z, shared by every exact certificate in the project."""

from __future__ import annotations

from fractions import Fraction

__all__ = ["int_det", "rref"]


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


def int_det(M: list[list[int]]) -> int:
    """Exact determinant of a square integer matrix (Bareiss fraction-free elimination).

    Every intermediate entry is a minor of ``M``, so the divisions are exact and the integers
    stay as small as the minors themselves; O(n^3) integer operations.
    """
    A = [[int(v) for v in row] for row in M]
    n = len(A)
    if any(len(row) != n for row in A):
        raise ValueError(
            f"int_det: expected a square matrix, found {n} rows of lengths "
            f"{sorted({len(r) for r in A})}"
        )
    sign, prev = 1, 1
    for k in range(n - 1):
        if A[k][k] == 0:
            piv = next((i for i in range(k + 1, n) if A[i][k] != 0), None)
            if piv is None:
                return 0
            A[k], A[piv] = A[piv], A[k]
            sign = -sign
        akk = A[k][k]
        for i in range(k + 1, n):
            aik = A[i][k]
            row_i, row_k = A[i], A[k]
            for j in range(k + 1, n):
                row_i[j] = (row_i[j] * akk - aik * row_k[j]) // prev
        prev = akk
    return sign * A[n - 1][n - 1] if n else 1
