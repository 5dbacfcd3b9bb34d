"""Fraction-free solves of integer normal equations: closed forms and exactness on random
rank-deficient systems (the value gᵀx is compared with Gauss–Jordan over Q)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from exactfit.exact.cells import ls_value
from exactfit.exact.psd import psd_solve


@pytest.mark.parametrize(
    ("H", "g", "x"),
    [
        ([[2, 1], [1, 2]], [3, 3], [1, 1]),
        ([[4, 0], [0, 9]], [2, 3], [Fraction(1, 2), Fraction(1, 3)]),
        # singular: the first diagonal pivot is taken, the free unknown is 0
        ([[1, 1], [1, 1]], [2, 2], [2, 0]),
        # a zero row and column in the middle is skipped
        ([[1, 0, 1], [0, 0, 0], [1, 0, 2]], [1, 0, 3], [-1, 0, 2]),
        ([[0]], [0], [0]),
        ([], [], []),
    ],
)
def test_closed_forms(H, g, x):
    num, den = psd_solve(H, g)
    assert den > 0
    assert [Fraction(v, den) for v in num] == x


def test_a_right_hand_side_outside_the_range_is_refused():
    with pytest.raises(ArithmeticError, match="not in the range"):
        psd_solve([[1, 1], [1, 1]], [1, 2])


@pytest.mark.parametrize("seed", range(40))
def test_normal_equations_are_solved_exactly(seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 8)), int(rng.integers(1, 7))
    M = rng.integers(-(10**12), 10**12, size=(n, m)).astype(object)
    if m > 1 and seed % 3 == 0:
        M[:, -1] = 3 * M[:, 0] - M[:, 1 % m]  # rank deficient
    c = rng.integers(1, 10**6, size=n).astype(object)
    y = rng.integers(-(10**9), 10**9, size=n).astype(object)
    H = [[int(sum(c * M[:, a] * M[:, b])) for b in range(m)] for a in range(m)]
    g = [int(sum(c * y * M[:, a])) for a in range(m)]
    num, den = psd_solve(H, g)
    assert den > 0
    assert all(sum(H[a][b] * num[b] for b in range(m)) == den * g[a] for a in range(m))
    # gᵀx = gᵀH⁺g for every solution x: the least-squares value, computed over Q independently
    frac = [[Fraction(v) for v in row] for row in H]
    assert Fraction(sum(a * b for a, b in zip(g, num, strict=True)), den) == ls_value(
        frac, [Fraction(v) for v in g]
    )
