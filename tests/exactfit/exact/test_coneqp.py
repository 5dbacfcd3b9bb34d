"""The per-cell cone QP: closed forms, rank-deficient Hessians, float vs exact agreement."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from exactfit.exact.coneqp import exact_cone_qp
from exactfit.solvers.enumeration.cellqp import solve_cone_qp


def test_closed_form_with_one_tight_constraint():
    # min |θ|² − 2(−1, 2)·θ  s.t. θ₁ ≥ 0  →  θ = (0, 2), value −4, multiplier 2
    G = np.eye(2)
    h = np.array([-1.0, 2.0])
    A = np.array([[1.0, 0.0]])
    qp = solve_cone_qp(G, h, A)
    np.testing.assert_allclose(qp.theta, [0.0, 2.0], atol=1e-14)
    assert qp.value == pytest.approx(-4.0, abs=1e-14)
    assert qp.working == (0,)
    assert qp.multipliers[0] == pytest.approx(2.0)
    ex = exact_cone_qp([[1, 0], [0, 1]], [-1, 2], [[1, 0]])
    assert ex.certified
    assert ex.theta == (0, 2) and ex.value == -4 and ex.multipliers == (2,)


def test_rank_deficient_hessian_on_the_boundary():
    # G = z zᵀ vanishes on the hyperplane z·θ = 0; h = −z/2 pushes θ out of the cell, so the
    # optimum is any point of the hyperplane (value 0); the minimum-norm one is θ = 0.
    z = np.array([0.5, 1.0])
    qp = solve_cone_qp(np.outer(z, z), -0.5 * z, (z / np.linalg.norm(z))[None, :])
    assert qp.value == pytest.approx(0.0, abs=1e-15)
    assert np.linalg.norm(qp.theta) < 1e-12
    half = Fraction(1, 2)
    ex = exact_cone_qp([[half * half, half], [half, 1]], [-half * half, -half], [[half, 1]])
    assert ex.certified and ex.value == 0


def test_float_and_exact_agree_on_random_cones():
    rng = np.random.default_rng(0)
    for _ in range(25):
        D, n = int(rng.integers(2, 5)), int(rng.integers(1, 7))
        Z = rng.integers(-3, 4, (n + 2, D))
        S = rng.random(n + 2) < 0.6
        G = (Z[S].T @ Z[S]).astype(float)
        h = (Z[S].T @ rng.integers(-3, 4, S.sum())).astype(float)
        A = rng.integers(-2, 3, (n, D)).astype(float)
        A = A[np.linalg.norm(A, axis=1) > 0]
        if len(A) == 0:
            continue
        qp = solve_cone_qp(G, h, A / np.linalg.norm(A, axis=1, keepdims=True))
        ex = exact_cone_qp(G.astype(int).tolist(), h.astype(int).tolist(), A.astype(int).tolist())
        assert ex.certified
        Ai = A.astype(int).tolist()
        assert all(sum(a * t for a, t in zip(row, ex.theta, strict=True)) >= 0 for row in Ai)
        assert qp.value == pytest.approx(float(ex.value), rel=1e-9, abs=1e-9)
