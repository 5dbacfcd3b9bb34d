"""Every exact solver against the brute-force reference on tiny instances.

Parametrised over solvers (not one copied test class per solver).  Agreement is 1e-7 relative
(plus 1e-9 absolute for optimum 0), the tolerance the Result status rules document.
"""

import math

import numpy as np
import pytest
from fitcases import close

import exactfit
from exactfit.generate import planted_fit
from exactfit.problem import FitProblem, exact_loss, network_violations
from exactfit.result import OPT_ATOL, OPT_RTOL, Status
from exactfit.solvers import available

MIP_SOLVERS = [name for name in ("scip", "enum", "ortools") if available()[name] is None]


def tiny_instances(count: int, seed: int):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        n = int(rng.integers(3, 9))
        d = int(rng.integers(1, 3))
        out.append(
            planted_fit(
                n,
                d,
                bias=bool(i % 2),
                noise=float(rng.choice([0.05, 0.3, 1.0])),
                seed=1000 * seed + i,
                weighted=bool((i // 2) % 2),
            )
        )
    return out


SINGLE = tiny_instances(50, seed=7)


@pytest.fixture(scope="module")
def reference():
    cache = {}

    def get(problem):
        key = id(problem)
        if key not in cache:
            r = exactfit.solve(problem, "brute")
            assert r.status is Status.OPTIMAL
            cache[key] = r
        return cache[key]

    return get


def check_result(problem, result, ref_objective):
    assert result.status is Status.OPTIMAL, result.message
    assert network_violations(problem, result.network) == []
    assert result.objective == float(exact_loss(problem, result.network))
    assert close(result.objective, ref_objective), (result.objective, ref_objective)
    assert result.bound <= result.objective + OPT_ATOL + OPT_RTOL * result.objective


@pytest.mark.parametrize("solver", MIP_SOLVERS)
@pytest.mark.parametrize("index", range(len(SINGLE)))
def test_single_unit_agrees_with_brute_force(solver, index, reference):
    problem = SINGLE[index]
    check_result(problem, exactfit.solve(problem, solver), reference(problem).objective)


TWO = [
    planted_fit(int(n), 1, units=2, bias=bool(b), noise=0.3, seed=s)
    for s, (n, b) in enumerate([(4, 1), (5, 1), (5, 0), (4, 0), (5, 1), (3, 1)])
]


@pytest.mark.parametrize("solver", MIP_SOLVERS)
@pytest.mark.parametrize("index", range(len(TWO)))
def test_two_units_agree_with_brute_force(solver, index, reference):
    problem = TWO[index]
    check_result(problem, exactfit.solve(problem, solver), reference(problem).objective)


@pytest.mark.parametrize("solver", ["brute", *MIP_SOLVERS])
@pytest.mark.parametrize(("n", "d", "k"), [(8, 2, 1), (6, 1, 2)])
def test_realizable_data_gives_zero(solver, n, d, k):
    problem = planted_fit(n, d, units=k, noise=0.0, seed=11)
    r = exactfit.solve(problem, solver)
    assert r.status is Status.OPTIMAL
    assert r.objective <= OPT_ATOL


@pytest.mark.parametrize("solver", ["brute", *MIP_SOLVERS])
def test_all_labels_nonpositive_optimum_is_null_loss(solver):
    # With output signs +1 every prediction is ≥ 0 ≥ y_i, so f = 0 is optimal: opt = Σ c y².
    # (With free signs a negative unit would fit these labels: the class matters.)
    problem = FitProblem(
        [[0], [1], [2], [3], [1]],
        [-1, 0, -2, "-1/2", 0],
        [1, 2, 1, 3, 1],
        output_signs="nonnegative",
    )
    r = exactfit.solve(problem, solver)
    assert r.status is Status.OPTIMAL
    assert close(r.objective, float(problem.null_loss()))
    assert problem.null_loss() == 1 + 4 + 3 * 0.25


#: Instances no solver finishes in 0.01 s; enumeration gets one within its cell budget.
HARD = {"enum": (400, 2, 1), "scip": (60, 3, 2), "ortools": (60, 3, 2)}


@pytest.mark.parametrize("solver", MIP_SOLVERS)
def test_tiny_time_limit_is_never_optimal(solver):
    n, d, k = HARD[solver]
    problem = planted_fit(n, d, units=k, noise=0.5, seed=1)
    r = exactfit.solve(problem, solver, time_limit=0.01)
    assert r.status is not Status.OPTIMAL
    if r.status is Status.FEASIBLE:
        assert r.limit is not None
        assert r.bound is None or r.bound <= r.objective


@pytest.mark.parametrize("solver", MIP_SOLVERS)
def test_weight_bound_is_respected_and_binding(solver):
    free = planted_fit(10, 2, seed=4, noise=0.2)
    bounded = free.with_changes(weight_bound="1/2")
    rf = exactfit.solve(free, solver)
    rb = exactfit.solve(bounded, solver)
    assert rb.status is Status.OPTIMAL
    assert network_violations(bounded, rb.network) == []
    w = [float(v) for v in rb.network.units[0].w]
    assert math.hypot(*w) <= 0.5
    assert rb.objective > rf.objective  # the planted weights are far larger than 1/2


@pytest.mark.parametrize("solver", ["brute", *MIP_SOLVERS])
def test_repeated_zero_points_realizable(solver):
    # Regression (found by the OR-Tools property test): two copies of the origin made the
    # brute force's pseudo-inverse amplify float noise into |w| ~ 1e15.
    problem = FitProblem([[0, 0], [0, 0], [1, 3]], [0, 0, 1], bias=False)
    r = exactfit.solve(problem, solver)
    assert r.status is Status.OPTIMAL
    assert r.objective <= OPT_ATOL


def test_every_registered_solver_is_installed():
    # MIP_SOLVERS is built from what imports; without this a broken backend would silently
    # drop out of every agreement test above.
    assert available() == {name: None for name in available()}
    assert set(MIP_SOLVERS) == {"scip", "enum", "ortools"}
