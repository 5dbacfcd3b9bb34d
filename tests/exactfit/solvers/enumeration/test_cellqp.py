"""The float per-cell cone QP: the pseudo-inverse least-squares values and the ball bisection."""

from __future__ import annotations

import numpy as np
import pytest

from exactfit.solvers.enumeration.cellqp import ball_cone_qp, ls_values


def test_ls_values_is_the_pseudo_inverse_form():
    rng = np.random.default_rng(1)
    Z = rng.standard_normal((5, 3))
    y = rng.standard_normal(5)
    G = np.stack([Z.T @ Z, np.outer(Z[0], Z[0]), np.zeros((3, 3))])
    h = np.stack([Z.T @ y, Z[0] * y[0], np.zeros(3)])
    got = ls_values(G, h)
    want = [h[i] @ np.linalg.pinv(G[i]) @ h[i] for i in range(3)]
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    assert got[1] == pytest.approx(y[0] ** 2)


def test_ball_constraint_bisection_meets_its_dual_bound():
    # min |θ − (3, 0)|² over θ₂ ≥ 0 and |θ| ≤ 1 (no bias): optimum θ = (1, 0), value 4
    G = np.eye(2)
    h = np.array([3.0, 0.0])
    A = np.array([[0.0, 1.0]])
    qp, low, nu = ball_cone_qp(G, h, A, np.eye(2), 1.0)
    assert qp.value + 9 == pytest.approx(4.0, rel=1e-9)
    assert low + 9 <= qp.value + 9 + 1e-12
    assert low + 9 == pytest.approx(4.0, rel=1e-9)
    assert nu == pytest.approx(2.0, rel=1e-6)
