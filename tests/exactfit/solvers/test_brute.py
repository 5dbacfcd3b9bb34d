"""The brute-force reference solver's own rules (its agreement with the other solvers is in
tests/exactfit/solvers/test_agree.py)."""

from __future__ import annotations

import pytest

from exactfit.errors import BudgetExceeded, InputError
from exactfit.generate import planted_fit
from exactfit.problem import FitProblem
from exactfit.result import Limit, Status
from exactfit.solvers.brute import MAX_WORK, BruteSolver, work_estimate


def test_a_time_limit_reached_before_the_first_sign_vector_claims_nothing():
    problem = planted_fit(5, 1, seed=3)
    r = BruteSolver().solve(problem, time_limit=1e-9)
    assert r.status is Status.NO_SOLUTION and r.limit is Limit.TIME
    assert r.bound is None and r.network is None


def test_seed_is_accepted_and_the_search_is_deterministic():
    problem = planted_fit(5, 1, units=2, seed=4)
    a, b = BruteSolver().solve(problem, seed=1), BruteSolver().solve(problem, seed=2)
    assert a.status is Status.OPTIMAL and a.network == b.network
    assert a.stats["least_squares"] == b.stats["least_squares"] > 0


def test_the_weight_bound_is_refused():
    problem = FitProblem(X=[[1]], y=[1], weight_bound=1)
    assert BruteSolver().unsupported(problem) is not None
    with pytest.raises(InputError, match=r"^brute: the brute force does not support a weight"):
        BruteSolver().solve(problem)


def test_instances_above_the_work_budget_are_refused():
    problem = planted_fit(12, 2, units=2, seed=5)
    assert work_estimate(problem) > MAX_WORK
    with pytest.raises(BudgetExceeded, match="least-squares solves estimated"):
        BruteSolver().solve(problem)
