"""Mirror points in the SCIP model (bias-free ``x' = −x`` share one complementarity pair) and
the ``auto`` formulation: the pairing is exact, and the optimum is unchanged (agreement with
the enumeration solver, in both formulations, on random bias-free data with mirrors)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import exactfit
from exactfit import FitProblem
from exactfit.result import OPT_ATOL, OPT_RTOL, Status
from exactfit.solvers.scip import auto_formulation, mirror_points

F = Fraction


def _problem(X, *, bias=False, units=1, seed=0, weights=False) -> FitProblem:
    rng = np.random.default_rng(seed)
    y = tuple(F(int(v), 4) for v in rng.integers(-4, 9, len(X)))
    c = tuple(F(int(v)) for v in rng.integers(1, 4, len(X))) if weights else None
    X = tuple(tuple(F(v) for v in row) for row in X)
    return FitProblem(X=X, y=y, sample_weight=c, units=units, bias=bias)


def test_mirrors_are_paired_exactly_once_and_never_with_a_bias():
    tiny = F(1, 10**30)  # float(−1 + tiny) == −1.0: only an exact comparison tells them apart
    X = [(1, 2), (-1, -2), (-1, -2), (0, 0), (0, 0), (-1 + tiny, -2), (3, 1), (-3, -1)]
    assert mirror_points(_problem(X)) == {1: 0, 7: 6}
    assert mirror_points(_problem(X, bias=True)) == {}
    assert auto_formulation(_problem(X)) == "indicator"
    assert auto_formulation(_problem(X, bias=True)) == "sos1"
    assert auto_formulation(_problem([(1, 2), (2, 1)])) == "sos1"


def _mirrored(seed: int) -> list[tuple[int, ...]]:
    """Random integer points, some of them followed later by their mirror."""
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 3))
    base = [tuple(int(v) for v in rng.integers(-3, 4, d)) for _ in range(int(rng.integers(3, 5)))]
    return base + [tuple(-v for v in row) for row in base if rng.random() < 0.7]


@pytest.mark.parametrize("formulation", ["sos1", "indicator", "auto"])
@pytest.mark.parametrize("seed", range(6))
def test_mirrored_models_agree_with_enumeration(formulation, seed):
    units = 1 + seed % 2
    problem = _problem(_mirrored(seed), units=units, seed=seed, weights=bool(seed % 3))
    ref = exactfit.solve(problem, "enum")
    got = exactfit.solve(problem, "scip", formulation=formulation)
    assert ref.status is Status.OPTIMAL and got.status is Status.OPTIMAL
    tol = OPT_ATOL + OPT_RTOL * abs(ref.objective)
    assert abs(got.objective - ref.objective) <= tol
    chosen = auto_formulation(problem) if formulation == "auto" else formulation
    assert got.stats["formulation"] == chosen
