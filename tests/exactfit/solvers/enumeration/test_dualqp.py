"""The dual active-set cone QP against the exact rational cone QP (and the primal method)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from cellcases import PROBLEMS, chambers

from exactfit.exact.coneqp import exact_cone_qp
from exactfit.solvers.enumeration import cellqp
from exactfit.solvers.enumeration.dualqp import dual_cone_qp
from exactfit.solvers.enumeration.optima import _cell_system


def _float_system(setup, signs, a):
    G, h = setup.unpack(setup.hp.active(signs).astype(float) @ setup.F)
    return G, a * h, setup.constraint_rows(signs)


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_dual_method_meets_the_exact_cell_optimum(name: str) -> None:
    """Where the dual method answers, its value is the exact cell optimum up to rounding
    (relative to Σcy², the scale of every bound), its point is feasible and its multipliers
    are nonnegative and stationary; on the well-conditioned data it answers most cells."""
    setup, signs = chambers(PROBLEMS[name](), 12, 3)
    Y = float(setup.Y)
    answered = 0
    for s in signs:
        for a in (1, -1):
            G, h, A = _float_system(setup, s, a)
            got = dual_cone_qp(G, h, A)
            if got is None:
                continue
            answered += 1
            theta, W, mu, _ = got
            Ge, he, Ae = _cell_system(setup, [s], (a,))
            exact = exact_cone_qp(Ge, he, Ae).value
            value = float(theta @ G @ theta - 2 * h @ theta)
            assert abs(Fraction(value) - exact) <= Fraction(1e-9) * Fraction(Y)
            assert (A @ theta).min(initial=0.0) >= -1e-10 * (1 + np.abs(theta).max())
            assert mu.min(initial=0.0) >= 0.0
            resid = 2 * (G @ theta - h) - (A[W].T @ mu if W else 0.0)
            assert np.abs(resid).max() <= 1e-8 * (1 + np.abs(G).max() + np.abs(h).max())
    if name.startswith(("noisy", "planted")):
        assert answered >= len(signs)


@pytest.mark.parametrize("name", ["noisy-20x2", "noisy-14x3", "near-duplicates"])
def test_solve_cone_qp_agrees_with_the_primal_method(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup, signs = chambers(PROBLEMS[name](), 16, 5)
    problems = [_float_system(setup, s, a) for s in signs for a in (1, -1)]
    fast = [cellqp.solve_cone_qp(*p) for p in problems]
    monkeypatch.setattr(cellqp, "dual_cone_qp", lambda *args: None)
    slow = [cellqp.solve_cone_qp(*p) for p in problems]
    for f, s in zip(fast, slow, strict=True):
        assert f.value == pytest.approx(s.value, rel=1e-9, abs=1e-9 * setup.Y)


def test_singular_gram_defers_to_the_primal_method() -> None:
    G = np.diag([1.0, 0.0])
    assert dual_cone_qp(G, np.array([1.0, 0.0]), np.array([[0.0, 1.0]])) is None
    qp = cellqp.solve_cone_qp(G, np.array([1.0, 0.0]), np.array([[0.0, 1.0]]))
    assert qp.value == pytest.approx(-1.0)


def test_dual_method_on_a_closed_form_cone() -> None:
    """min |θ − (1, −2)|² on θ₂ ≥ 0 and θ₁ + θ₂ ≥ 0: optimum (1, 0), value 4 − 5 = −1."""
    A = np.array([[0.0, 1.0], [1.0, 1.0]]) / np.array([[1.0], [np.sqrt(2.0)]])
    theta, W, mu, _ = dual_cone_qp(np.eye(2), np.array([1.0, -2.0]), A)
    np.testing.assert_allclose(theta, [1.0, 0.0], atol=1e-15)
    assert W == [0]
    np.testing.assert_allclose(mu, [4.0])
