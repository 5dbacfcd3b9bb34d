"""Exact solutions of integer positive semidefinite systems (normal equations), fraction-free.

Least squares over rational data reduces, after clearing denominators, to the normal equations
``Hx = g`` with ``H = MᵀCM`` an integer symmetric positive semidefinite matrix and ``g = MᵀCy``
in its range.  :func:`psd_solve` returns one exact solution as integers ``(num, den)``,
``x = num/den``, without a single ``Fraction`` (no gcd per operation), which makes it several
times faster than Gauss–Jordan over Q on the small systems of the brute-force reference.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["psd_solve"]


def psd_solve(H: Sequence[Sequence[int]], g: Sequence[int]) -> tuple[list[int], int]:
    """One exact solution ``x = num/den`` of ``Hx = g``, ``H`` integer symmetric PSD.

    Parameters
    ----------
    H : (m, m) integers
        Symmetric positive semidefinite (not checked; a normal matrix ``MᵀCM`` is).
    g : (m,) integers
        In the range of ``H`` (``g = MᵀCy`` is).

    Returns
    -------
    num : list of m ints
    den : int, positive
        ``H·num = den·g``.  The solution is the one with ``x_i = 0`` off the pivot set ``B``,
        the greedy set of indices whose principal submatrix ``H_BB`` is nonsingular; it
        minimises ``xᵀHx − 2gᵀx``.

    Raises
    ------
    ArithmeticError
        If ``g`` is not in the range of ``H`` (impossible for normal equations).

    Notes
    -----
    Fraction-free (Bareiss) Gauss–Jordan elimination with diagonal pivots.  Invariant: after
    pivots ``B`` with ``δ = det H_BB``, row ``i ∉ B`` of the augmented matrix ``[H | g]`` is
    ``δ`` times the row of the Schur complement ``H/H_BB`` (each entry the minor
    ``det [H | g][B ∪ i, B ∪ j]``) and pivot rows are ``δ`` times the rows of ``H_BB⁻¹[H | g]_B``
    (Cramer numerators); all are integers.  A pivot step on ``p`` with Schur diagonal entry
    ``δ' = A_pp`` turns the scale ``δ`` into ``δ'``, and the rational Gauss–Jordan update scaled
    by ``δ'`` is ``(A_pp·A_i − A_ip·A_p)/δ`` for every row ``i ≠ p``: an integer, so ``//`` is
    exact.  A PSD matrix has a zero row wherever its diagonal is zero, so when every remaining
    Schur diagonal entry is 0 the Schur complement vanishes and its right-hand side is 0 exactly
    when ``g`` is in the range.  Each pivot row then reads ``δ·x_p = A_p,m`` with the free
    unknowns at 0.
    """
    m = len(g)
    A = [[int(v) for v in H[i]] + [int(g[i])] for i in range(m)]
    prev = 1
    remaining = list(range(m))
    pivots: list[int] = []
    while True:
        p = next((i for i in remaining if A[i][i] != 0), None)
        if p is None:
            break
        row_p, app = A[p], A[p][p]
        for i in range(m):
            if i == p:
                continue
            row_i, aip = A[i], A[i][p]
            if aip == 0:
                A[i] = [app * v // prev for v in row_i]
            else:
                A[i] = [(app * v - aip * w) // prev for v, w in zip(row_i, row_p, strict=True)]
        prev = app
        remaining.remove(p)
        pivots.append(p)
    if any(A[i][m] != 0 for i in remaining):
        raise ArithmeticError("psd_solve: the right-hand side is not in the range of H")
    num = [0] * m
    for p in pivots:
        num[p] = A[p][m]
    if prev < 0:  # cannot happen for PSD H (δ is a principal minor); kept so den > 0 always
        num, prev = [-v for v in num], -prev
    return num, prev
