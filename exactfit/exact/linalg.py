"""Exact linear algebra over Q and Z, shared by every exact certificate in the project.

The arithmetic is FLINT's (through python-flint): ``fmpq_mat`` and ``fmpz_mat`` are exact
matrices over Q and Z whose elimination runs in C, 4–20 times faster than the same Gauss–Jordan
elimination on :class:`~fractions.Fraction` objects at the sizes this project meets, conversions
included (``benchmarks/exact_linalg.py``, ``docs/exact.md``).  The rest of the project speaks
``Fraction``: the functions here take and return ``Fraction``\\ s (or ints), and the ``*_q``
variants work on ``fmpq_mat`` for callers that keep their data in FLINT across many steps
(:mod:`exactfit.exact.coneqp`).  Rationals are unique, so the results are the very numbers the
plain ``Fraction`` algorithms of :mod:`exactfit.exact.reference` give; the tests check that.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from numbers import Rational

import flint

__all__ = [
    "fractions",
    "int_det",
    "nullspace_q",
    "qmat",
    "rref",
    "rref_q",
    "solve",
    "to_fmpq",
    "to_fraction",
]


def to_fmpq(v: object) -> flint.fmpq:
    """A rational (``int``, ``Fraction``, NumPy integer) or a float, exactly, as an ``fmpq``."""
    t = type(v)
    if t is Fraction:  # the common case first: the abstract-class check below is slow
        return flint.fmpq(v.numerator, v.denominator)
    if t is int or t is flint.fmpq:
        return flint.fmpq(v)
    if not isinstance(v, Rational):
        v = Fraction(v)  # floats and decimals exactly, as everywhere in the project
    return flint.fmpq(int(v.numerator), int(v.denominator))


def to_fraction(q: flint.fmpq) -> Fraction:
    """The ``Fraction`` equal to an ``fmpq`` (or to an ``fmpz``)."""
    if isinstance(q, flint.fmpz):
        return Fraction(int(q))
    return Fraction(int(q.p), int(q.q))


def qmat(M: Sequence[Sequence[object]], cols: int | None = None) -> flint.fmpq_mat:
    """The ``fmpq_mat`` of a list of rows; ``cols`` gives the width of a matrix with no rows."""
    rows = len(M)
    width = len(M[0]) if rows else (cols or 0)
    return flint.fmpq_mat(rows, width, [to_fmpq(v) for row in M for v in row])


def fractions(M: flint.fmpq_mat) -> list[list[Fraction]]:
    """The rows of an ``fmpq_mat`` as lists of ``Fraction``\\ s."""
    return [[to_fraction(v) for v in row] for row in M.tolist()]


def rref_q(M: flint.fmpq_mat) -> tuple[flint.fmpq_mat, list[int]]:
    """Reduced row echelon form over Q: the ``rank × cols`` nonzero rows and the pivots."""
    R, rank = M.rref()
    cols = M.ncols()
    pivots = []
    c = 0
    for i in range(rank):
        while R[i, c] == 0:  # the pivot of row i is its first nonzero entry
            c += 1
        pivots.append(c)
    out = flint.fmpq_mat(rank, cols, [R[i, j] for i in range(rank) for j in range(cols)])
    return out, pivots


def rref(M: Sequence[Sequence[object]]) -> tuple[list[list[Fraction]], list[int]]:
    """Reduced row echelon form of ``M`` over Q: its nonzero rows and their pivot columns.

    Row ``i`` of the result has a 1 in column ``pivots[i]`` and zeros in every other pivot
    column; the form is unique, so it is the one Gauss–Jordan elimination in ``Fraction``
    arithmetic gives (:func:`exactfit.exact.reference.rref`), computed by FLINT.
    """
    if not M:
        return [], []
    R, pivots = rref_q(qmat(M))
    return fractions(R), pivots


def nullspace_q(M: flint.fmpq_mat) -> flint.fmpq_mat:
    """A basis of ``{x : Mx = 0}`` as the columns of a ``cols × nullity`` matrix.

    The basis read off the reduced row echelon form: one vector per free column ``f``, with a 1
    in ``f``, zeros in the other free columns and ``−R[i, f]`` in pivot column ``pivots[i]``.
    """
    D = M.ncols()
    if M.nrows() == 0:
        return flint.fmpq_mat(D, D, [int(i == j) for i in range(D) for j in range(D)])
    R, pivots = rref_q(M)
    free = [c for c in range(D) if c not in set(pivots)]
    N = flint.fmpq_mat(D, len(free))
    for b, f in enumerate(free):
        N[f, b] = 1
        for i, pc in enumerate(pivots):
            N[pc, b] = -R[i, f]
    return N


def solve(M: Sequence[Sequence[object]], v: Sequence[object]) -> list[Fraction]:
    """The solution ``x`` of the square nonsingular system ``Mx = v``.

    Raises
    ------
    ZeroDivisionError
        If ``M`` is singular.
    """
    n = len(M)
    if n == 0:
        return []
    x = qmat(M).solve(flint.fmpq_mat(n, 1, [to_fmpq(b) for b in v]))
    return [to_fraction(x[i, 0]) for i in range(n)]


def int_det(M: Sequence[Sequence[int]]) -> int:
    """Exact determinant of a square integer matrix.

    FLINT's ``fmpz_mat_det`` (cofactor expansion below 5 × 5, Bareiss below 25 × 25,
    multimodular above, in C); the plain Bareiss elimination it replaced is
    :func:`exactfit.exact.reference.int_det`.
    """
    n = len(M)
    if any(len(row) != n for row in M):
        raise ValueError(
            f"int_det: expected a square matrix, found {n} rows of lengths "
            f"{sorted({len(r) for r in M})}"
        )
    if n == 0:
        return 1
    return int(flint.fmpz_mat(n, n, [int(v) for row in M for v in row]).det())
