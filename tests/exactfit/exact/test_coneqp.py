"""The per-cell cone QP: closed forms, rank-deficient Hessians, float vs exact agreement, and
the FLINT-backed active set against the plain Fraction one (equal results, not close ones)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exactfit.exact import reference
from exactfit.exact.cells import cell_system, lifted_points
from exactfit.exact.coneqp import exact_cone_qp
from exactfit.generate import planted_fit
from exactfit.solvers.enumeration.algebra import _Setup
from exactfit.solvers.enumeration.cellqp import solve_cone_qp
from exactfit.solvers.enumeration.cells import _ExactCells


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


coef = st.one_of(
    st.integers(-3, 3),
    st.fractions(min_value=-2, max_value=2, max_denominator=5),
    st.builds(Fraction, st.integers(-(10**30), 10**30), st.integers(1, 10**30)),
)


@st.composite
def cone_qps(draw):
    """PSD ``G = ZᵀCZ`` (often singular), ``h`` in or out of its range, and a cone with zero,
    repeated and opposite rows (a subspace), in dimension 1..6."""
    D = draw(st.integers(1, 6))
    n = draw(st.integers(0, D + 2))
    Z = [[draw(coef) for _ in range(D)] for _ in range(n)]
    G = [[sum((z[a] * z[b] for z in Z), Fraction(0)) for b in range(D)] for a in range(D)]
    h = [draw(coef) for _ in range(D)] if n == 0 or draw(st.booleans()) else [
        sum((z[a] * draw(coef) for z in Z), Fraction(0)) for a in range(D)
    ]  # fmt: skip
    A = [[draw(st.integers(-3, 3)) for _ in range(D)] for _ in range(draw(st.integers(0, 6)))]
    if A and draw(st.booleans()):
        A.append([-v for v in A[0]])  # θ confined to a hyperplane
    if A and draw(st.booleans()):
        A.append(list(A[-1]))  # a repeated row
    return G, h, A


@settings(max_examples=150, deadline=None)
@given(cone_qps())
def test_flint_active_set_equals_the_fraction_one(system):
    G, h, A = system
    try:
        want = reference.exact_cone_qp(G, h, A)
    except (RuntimeError, ValueError) as exc:  # unbounded below: both refuse alike
        with pytest.raises(type(exc)):
            exact_cone_qp(G, h, A)
        return
    got = exact_cone_qp(G, h, A)
    assert got == want
    assert all(type(v) is Fraction for v in (*got.theta, got.value, *got.multipliers))


def test_real_chambers_of_a_planted_instance_agree_with_the_reference():
    problem = planted_fit(12, 2, units=2, seed=4, scale=10**6)
    setup = _Setup.build(problem)
    table = _ExactCells(setup.hp, None).table
    pts = lifted_points(problem)
    for r in range(0, len(table), 7):
        pats = [table[r], table[(3 * r + 1) % len(table)]]
        args = (pts, problem.sample_weight, problem.y, setup.hp.exact, pats,
                [setup.hp.active(p) for p in pats], (1, -1))  # fmt: skip
        system = cell_system(*args)
        assert exact_cone_qp(*system) == reference.exact_cone_qp(*reference.cell_system(*args))


def test_check_is_polled_and_may_abandon_the_solve():
    calls = []

    def check():
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        exact_cone_qp([[1, 0], [0, 1]], [-1, 2], [[1, 0]], check=check)
    assert len(calls) == 2
