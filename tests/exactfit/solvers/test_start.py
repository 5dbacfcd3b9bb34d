"""The ``start`` option of the MIQP backends: a network in the class as first incumbent.

An optimal start must come back as the proven optimum (every model is cut off by its loss); a
poor start must not change the optimum; a start outside the class is refused in one line."""

from __future__ import annotations

from fractions import Fraction

import pytest

import exactfit
from exactfit import ReluNetwork, Unit, exact_loss
from exactfit.errors import InputError
from reductions.registry import get_reduction
from reductions.sources import Graph

TRIANGLE = Graph(3, ((0, 1), (1, 2), (0, 2)), name="triangle")
#: the optimum of the triangle's Max-Cut instance (test_worked_examples: 5057/119)
W_STAR = ReluNetwork((Unit(1, tuple(Fraction(v, 119) for v in (117, -104, -104)), 0),))
SOLVERS = ["scip", "ortools"]
#: OR-Tools (GSCIP) takes ``start`` too, but proving "nothing below the cut-off" at the optimum
#: took it 2 s once and over 120 s in another run on a loaded machine: not a unit test.
SOLVING = ["scip"]


@pytest.fixture(scope="module")
def triangle():
    problem, _ = get_reduction("maxcut_to_relu").forward(TRIANGLE)
    return problem


@pytest.mark.parametrize("solver", SOLVING)
def test_an_optimal_start_is_returned_as_the_proven_optimum(solver, triangle):
    r = exactfit.solve(triangle, solver, start=W_STAR)
    assert r.is_optimal
    assert r.objective_exact == exact_loss(triangle, W_STAR) == Fraction(5057, 119)
    assert r.stats["start_loss"] == pytest.approx(5057 / 119, rel=1e-15)
    assert r.network == W_STAR  # nothing has a lower exact loss, so the start stays


@pytest.mark.parametrize("solver", SOLVING)
def test_a_poor_start_does_not_change_the_optimum(solver, triangle):
    zeroish = ReluNetwork((Unit(1, (Fraction(1, 10), 0, 0), 0),))
    r = exactfit.solve(triangle, solver, start=zeroish)
    assert r.is_optimal
    assert r.objective == pytest.approx(5057 / 119, rel=1e-7)
    assert r.objective_exact < exact_loss(triangle, zeroish)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(
    ("start", "match"),
    [
        ("w = 0", "expected a ReluNetwork, found str"),
        (ReluNetwork((Unit(-1, (1, 0, 0), 0),)), "violates"),  # a negative output sign
        (ReluNetwork((Unit(1, (1, 0), 0),)), "violates"),  # wrong dimension
    ],
)
def test_a_start_outside_the_class_is_refused(solver, triangle, start, match):
    with pytest.raises(InputError, match=match):
        exactfit.solve(triangle, solver, start=start)


def test_a_start_outside_the_unit_ball_is_refused():
    problem, _ = get_reduction("gapmaxcut_to_unit_relu").forward(TRIANGLE)
    outside = ReluNetwork((Unit(1, (1, Fraction(1, 100), 0), 0),))
    with pytest.raises(InputError, match="violates"):
        exactfit.solve(problem, "scip", start=outside)
