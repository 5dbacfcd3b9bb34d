"""The halfspace bound against exact rational cell optima (the oracle shares no floats)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from cellcases import PROBLEMS, chambers, noisy

from exactfit.exact.cells import lifted_points
from exactfit.exact.coneqp import exact_cone_qp
from exactfit.solvers.enumeration.algebra import _Setup
from exactfit.solvers.enumeration.halfspace import halfspace_allowance, halfspace_bounds
from exactfit.solvers.enumeration.optima import _cell_system


def _exact_halfspace(setup: _Setup, signs: np.ndarray, a: int) -> tuple[Fraction, Fraction]:
    """``(cell optimum, max over rows and both linear terms of the halfspace minimum)``,
    exactly: the cell's cone QP and one exact one-row cone QP per constraint."""
    problem = setup.problem
    G, h, A = _cell_system(setup, [signs], (a,))
    Y = problem.null_loss()
    cell = Y + exact_cone_qp(G, h, A).value
    act = setup.hp.active(signs)
    Z = lifted_points(problem)
    D = len(Z[0])
    clip = [max(a * y, Fraction(0)) for y in problem.y]  # y⁺ for a = +1, y⁻ for a = −1
    rows = [
        (c, t, z) for c, t, z, on in zip(problem.sample_weight, clip, Z, act, strict=True) if on
    ]
    hs = [sum((c * t * z[j] for c, t, z in rows), Fraction(0)) for j in range(D)]
    best = max(Y + exact_cone_qp(G, g, [row]).value for g in (h, hs) for row in A)
    return cell, best


@pytest.mark.parametrize("name", sorted(PROBLEMS))
@pytest.mark.parametrize("a", [1, -1])
def test_halfspace_bound_is_below_the_exact_cell_optimum(name: str, a: int) -> None:
    setup, signs = chambers(PROBLEMS[name](), 12, 7)
    bounds = halfspace_bounds(setup, signs, np.full(len(signs), a))
    for s, bound in zip(signs, bounds, strict=True):
        cell, halfspace = _exact_halfspace(setup, s, a)
        assert halfspace <= cell  # the relaxation the bound computes
        if np.isfinite(bound):
            assert Fraction(float(bound)) <= halfspace
        else:
            assert bound == -np.inf


@pytest.mark.parametrize("name", ["noisy-20x2", "noisy-14x3", "planted-16x2"])
def test_halfspace_bound_meets_the_exact_halfspace_minimum_within_its_allowance(
    name: str,
) -> None:
    """On well-conditioned cells the computed bound is the exact halfspace minimum less at
    most a few times its allowance (the allowance itself plus the error it covers), and it
    is above the least-squares bound on most cells."""
    setup, signs = chambers(PROBLEMS[name](), 16, 11)
    bounds = halfspace_bounds(setup, signs, np.ones(len(signs), dtype=int))
    ls = setup.sign_bounds(setup.hp.active(signs).astype(float) @ setup.F)[:, 0]
    finite = np.isfinite(bounds)  # chambers with few active points have a singular G
    assert finite.sum() >= 3 * len(signs) // 4
    raised = 0
    for s, bound, low in zip(signs[finite], bounds[finite], ls[finite], strict=True):
        _, halfspace = _exact_halfspace(setup, s, 1)
        lam = np.linalg.eigvalsh(setup.unpack(setup.hp.active(s).astype(float) @ setup.F)[0])
        allow = halfspace_allowance(np.array(lam[-1] / lam[0]), setup.problem.n, setup.D)
        gap = halfspace - Fraction(float(bound))
        assert Fraction(0) <= gap <= Fraction(3 * float(allow) * setup.Y)
        raised += bound > low + 1e-6 * setup.Y
    assert raised >= len(signs) // 2


def test_singular_cells_get_no_halfspace_bound() -> None:
    """A chamber with fewer active points than parameters has a singular Gram matrix."""
    setup, signs = chambers(noisy(12, 2, 1.0, 9), 400, 1)
    few = setup.hp.active(signs).sum(axis=1) < setup.D
    assert np.any(few)
    bounds = halfspace_bounds(setup, signs[few], np.ones(int(few.sum()), dtype=int))
    assert np.all(bounds == -np.inf)


def test_allowance_grows_with_the_condition_number_and_refuses_beyond_half() -> None:
    kappa = np.array([1.0, 1e4, 1e8, 1e16])
    allow = halfspace_allowance(kappa, 100, 4)
    assert np.all(np.diff(allow[:3]) > 0)
    assert allow[0] < 1e-12 and allow[1] < 1e-8
    assert allow[3] == np.inf
