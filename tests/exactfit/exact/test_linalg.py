"""The FLINT-backed linear algebra returns exactly the numbers of the plain Fraction algorithms.

Rationals are unique, so equality (not closeness) is the test: random matrices, rank-deficient
and zero rows, empty ones, huge numerators and denominators, and the conversions themselves.
"""

from __future__ import annotations

from fractions import Fraction

import flint
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exactfit.exact import linalg, reference

#: Small rationals (many zeros and repeats, so pivots vanish and rows depend) and huge ones.
small = st.fractions(min_value=-3, max_value=3, max_denominator=4)
huge = st.builds(
    Fraction, st.integers(-(10**60), 10**60), st.integers(1, 10**60)
)  # fmt: skip
entries = st.one_of(st.just(Fraction(0)), small, huge)


@st.composite
def matrices(draw, max_rows: int = 7, max_cols: int = 8, elements=entries):
    """A matrix with random entries, then some rows made zero or combinations of others."""
    r = draw(st.integers(1, max_rows))
    c = draw(st.integers(1, max_cols))
    M = [[draw(elements) for _ in range(c)] for _ in range(r)]
    for i in range(r):
        kind = draw(st.sampled_from(["keep", "keep", "zero", "combo"]))
        if kind == "zero":
            M[i] = [Fraction(0)] * c
        elif kind == "combo" and i >= 2:
            a, b = draw(small), draw(small)
            M[i] = [a * x + b * y for x, y in zip(M[0], M[1], strict=True)]
    return M


@settings(max_examples=200, deadline=None)
@given(matrices())
def test_rref_equals_the_fraction_gauss_jordan(M):
    rows, pivots = linalg.rref(M)
    assert (rows, pivots) == reference.rref(M)
    assert all(type(v) is Fraction for row in rows for v in row)


@settings(max_examples=100, deadline=None)
@given(matrices(elements=small))
def test_nullspace_spans_the_kernel(M):
    Q = linalg.qmat(M)
    N = linalg.nullspace_q(Q)
    rank = len(reference.rref(M)[1])
    assert N.ncols() == len(M[0]) - rank
    assert all(v == 0 for v in (Q * N).entries())
    if N.ncols():  # independent columns: the kernel basis has full column rank
        assert N.rank() == N.ncols()


@settings(max_examples=150, deadline=None)
@given(matrices(max_rows=6, max_cols=6, elements=st.one_of(small, huge)), st.data())
def test_solve_matches_the_reference_or_refuses_singular(M, data):
    n = min(len(M), len(M[0]))
    S = [row[:n] for row in M[:n]]
    v = [data.draw(entries) for _ in range(n)]
    aug = [[*S[i], v[i]] for i in range(n)]
    R, piv = reference.rref(aug)
    if len(piv) == n and piv[-1] < n:
        assert linalg.solve(S, v) == [R[i][n] for i in range(n)]
    elif len(reference.rref(S)[1]) < n:
        with pytest.raises(ZeroDivisionError):
            linalg.solve(S, v)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 7), st.sampled_from([3, 40, 200]), st.data())
def test_int_det_equals_bareiss(n, bits, data):
    ints = st.integers(-(2**bits), 2**bits)
    M = [[data.draw(ints) for _ in range(n)] for _ in range(n)]
    if n >= 2 and data.draw(st.booleans()):
        M[-1] = [a - 3 * b for a, b in zip(M[0], M[1], strict=True)]  # singular
    assert linalg.int_det(M) == reference.int_det(M)


def test_int_det_takes_numpy_rows_and_refuses_non_square():
    assert linalg.int_det(np.array([[2, 1], [1, 3]], dtype=np.int64)) == 5
    assert linalg.int_det([]) == 1
    with pytest.raises(ValueError, match="square"):
        linalg.int_det([[1, 2, 3], [4, 5, 6]])


def test_degenerate_shapes():
    assert linalg.rref([]) == ([], [])
    assert linalg.rref([[0, 0], [0, 0]]) == ([], [])
    assert linalg.rref([[Fraction(0)], [Fraction(5)]]) == ([[Fraction(1)]], [0])
    assert linalg.solve([], []) == []
    N = linalg.nullspace_q(flint.fmpq_mat(0, 3))
    assert (N.nrows(), N.ncols(), N.entries()) == (3, 3, [1, 0, 0, 0, 1, 0, 0, 0, 1])
    assert linalg.qmat([], 4).ncols() == 4


@pytest.mark.parametrize(
    "value",
    [0, -7, 10**80, Fraction(-3, 7), Fraction(10**50 + 1, 10**49), 0.1, np.int64(-5), True],
)
def test_conversions_are_exact_both_ways(value):
    q = linalg.to_fmpq(value)
    assert linalg.to_fraction(q) == Fraction(value)
    assert type(linalg.to_fraction(q)) is Fraction
    assert linalg.to_fraction(flint.fmpz(12)) == 12
