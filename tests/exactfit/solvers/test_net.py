"""The ``net`` solver: its ε guarantee against exactly proven weight-bounded optima, the covering
lemma it rests on, its refusals, and its limits.

Not in the agreement tests (test_agree.py): those compare optima, and ``net`` returns an answer
within ε of the optimum, never the optimum itself."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from clirun import run_main

import exactfit
from exactfit.errors import BudgetExceeded, InputError
from exactfit.generate import planted_fit
from exactfit.problem import FitProblem, exact_loss, network_violations
from exactfit.result import Limit, Status
from exactfit.solvers.net import NetSolver
from exactfit.solvers.net.floats import floors
from exactfit.solvers.net.grid import _moments, net_points, plan, target_radius
from exactfit.solvers.net.search import candidate_count


def in_ball(problem: FitProblem, B: Fraction = Fraction(1), weighted: bool = False) -> FitProblem:
    """``problem`` scaled into the unit ball (‖x_i‖₂ ≤ 1 exactly), bias-free, ``‖w_j‖ ≤ B``."""
    R2 = max(sum(v * v for v in row) for row in problem.X)
    s = Fraction(math.isqrt(math.ceil(R2)) + 1)
    c = [1 + i % 3 for i in range(problem.n)] if weighted else None
    return FitProblem(
        [[v / s for v in row] for row in problem.X],
        problem.y,
        sample_weight=c,
        units=problem.units,
        bias=False,
        weight_bound=B,
    )


# (n, d, k, seed, B, weighted, exact solver): optima proven exactly (enum's certificate for
# k = 1, SCIP's answer certified by the prover for k = 2)
CASES = [
    (12, 1, 1, 1, Fraction(2), False, "enum"),
    (15, 2, 1, 2, Fraction(1), True, "enum"),
    (10, 3, 1, 3, Fraction(1, 2), False, "enum"),
    (2, 5, 1, 4, Fraction(1), False, "enum"),  # d > n: the Gram-matrix route
    (8, 1, 2, 5, Fraction(1), False, "scip"),
]


@pytest.fixture(scope="module", params=range(len(CASES)))
def case(request):
    n, d, k, seed, B, weighted, exact_solver = CASES[request.param]
    base = planted_fit(n, d, units=k, bias=False, noise=0.3, seed=seed)
    problem = in_ball(base, B, weighted)
    opt = exactfit.solve(problem, exact_solver, certify=True)
    assert opt.status is Status.OPTIMAL and opt.proof.value == "exact"
    return problem, opt


@pytest.mark.parametrize("epsilon", [0.1, 0.02])
def test_the_additive_error_is_within_epsilon_of_the_proven_optimum(case, epsilon):
    problem, opt = case
    r = NetSolver().solve(problem, epsilon=epsilon)
    C = sum(problem.sample_weight)
    assert r.status is Status.FEASIBLE and r.limit is None and r.bound == 0.0
    assert network_violations(problem, r.network) == []
    lower = Fraction(opt.bound)  # a proven lower bound on the optimum
    assert r.objective_exact == exact_loss(problem, r.network)
    assert r.objective_exact >= lower
    assert (r.objective_exact - lower) / C <= Fraction(epsilon)
    g = r.stats["guarantee"]
    assert g["holds"] and g["epsilon"] == epsilon and g["loss_excess_at_most"] == epsilon * C
    assert r.stats["evaluated"] == r.stats["networks"]


def test_every_point_of_the_ball_has_a_net_point_within_the_radius():
    """The covering lemma, checked on random directions, the poles and the boundary."""
    problem = in_ball(planted_fit(20, 3, units=2, bias=False, seed=7), Fraction(1, 2), True)
    net = plan(problem, 0.05)
    lam, _ = _moments(problem)
    G = net_points(net)
    assert np.all((G * G).sum(axis=1) <= 1 + 1e-12) and np.all(G[0] == 0)
    assert len(G) <= net.box_count
    p = problem.cf / problem.cf.sum()
    Xs = float(problem.weight_bound) * problem.Xf
    points = {tuple(np.round(g / np.array(net.steps)).astype(int)) for g in G}
    rng = np.random.default_rng(0)
    V = rng.normal(size=(300, 3))
    V /= np.linalg.norm(V, axis=1)[:, None]
    V = np.vstack([V * rng.uniform(size=(300, 1)) ** (1 / 3), V[:50], np.eye(3), -np.eye(3)])
    radius = net.eta / problem.units
    for v in V:
        coords = net.basis @ v
        j = np.trunc(coords / np.array(net.steps)).astype(int)  # round toward zero
        assert tuple(j) in points
        u = net.basis.T @ (j * np.array(net.steps))
        dist = math.sqrt(p @ (Xs @ (v - u)) ** 2)
        assert dist < radius
    assert net.alpha**2 + net.tail == pytest.approx(radius**2, rel=1e-12)
    assert net.tail == 0.0 or net.tail == pytest.approx(lam[net.m])


def test_the_radius_meets_epsilon_exactly():
    for zero, eps in [(0.0, 0.1), (0.8, 0.01), (3.0, 0.5)]:
        eta = target_radius(zero, eps)
        assert 2 * eta * math.sqrt(zero) + eta**2 == pytest.approx(eps, rel=1e-14)


def test_candidates_are_the_multisets_of_net_points_per_sign_group():
    signs = [(1, 1, 1), (1, 1, -1), (1, -1, -1), (-1, -1, -1)]
    assert candidate_count(4, signs) == 20 + 10 * 4 + 4 * 10 + 20
    problem = in_ball(planted_fit(6, 1, units=3, bias=False, seed=1))
    r = NetSolver().solve(problem, epsilon=0.03)
    assert (
        r.stats["evaluated"]
        == r.stats["networks"]
        == candidate_count(r.stats["net_points"], problem.sign_vectors())
    )


def test_zero_labels_give_the_zero_network_and_still_no_optimal_claim():
    problem = FitProblem([[Fraction(1, 2)], [Fraction(-1, 3)]], [0, 0], bias=False, weight_bound=1)
    r = NetSolver().solve(problem, epsilon=0.5)
    assert r.objective_exact == 0 and r.status is Status.FEASIBLE and r.bound == 0.0


def test_the_construction_is_deterministic_whatever_the_seed():
    problem = in_ball(planted_fit(10, 2, units=2, bias=False, seed=5))
    a = NetSolver().solve(problem, epsilon=0.1, seed=1)
    b = NetSolver().solve(problem, epsilon=0.1, seed=2)
    assert a.network == b.network and a.objective_exact == b.objective_exact


def test_a_time_limit_returns_the_best_so_far_without_the_guarantee():
    problem = in_ball(planted_fit(10, 2, units=2, bias=False, seed=5))
    r = NetSolver().solve(problem, epsilon=0.03, time_limit=1e-9)
    assert r.status is Status.FEASIBLE and r.limit is Limit.TIME
    assert r.stats["guarantee"]["holds"] is False and "does not hold" in r.message
    assert r.objective_exact <= problem.null_loss()


PLAIN = in_ball(planted_fit(10, 2, bias=False, seed=5))


@pytest.mark.parametrize(
    ("problem", "options", "message"),
    [
        (PLAIN, {}, r"^net: expected --epsilon E \(the additive error"),
        (PLAIN, {"epsilon": 0}, r"^net: epsilon must be a positive finite number, found 0$"),
        (PLAIN, {"epsilon": -0.1}, r"^net: epsilon must be a positive finite number"),
        (PLAIN, {"epsilon": float("nan")}, r"^net: epsilon must be a positive finite number"),
        (PLAIN, {"epsilon": float("inf")}, r"^net: epsilon must be a positive finite number"),
        (PLAIN, {"epsilon": True}, r"^net: epsilon must be a number, found True$"),
        (PLAIN, {"epsilon": "0.1"}, r"^net: epsilon must be a number, found '0.1'$"),
        (PLAIN, {"epsilon": 1e6}, r"^net: epsilon must be below .* the average loss of the zero"),
        (PLAIN, {"epsilon": 0.1, "delta": 0.1}, r"^net: unknown option 'delta'; net takes"),
        (PLAIN.with_changes(weight_bound=None), {"epsilon": 0.1}, r"^net: net covers the weight"),
        (PLAIN.with_changes(bias=True), {"epsilon": 0.1}, r"^net: net covers bias-free units"),
    ],
)
def test_bad_requests_get_one_line(problem, options, message):
    with pytest.raises(InputError, match=message) as info:
        NetSolver().solve(problem, **options)
    assert "\n" not in str(info.value)


def test_a_net_above_the_cap_is_refused_with_its_size():
    problem = in_ball(planted_fit(30, 8, units=1, bias=False, seed=3))
    with pytest.raises(BudgetExceeded, match=r"^net: the ε-net of one unit has more than 1,000,"):
        NetSolver().solve(problem, epsilon=1e-3)
    problem = in_ball(planted_fit(10, 2, units=3, bias=False, seed=3))
    with pytest.raises(BudgetExceeded, match=r"^net: .* candidate networks .* exceed the cap"):
        NetSolver().solve(problem, epsilon=0.01)


def test_the_cli_runs_net_and_refuses_a_missing_epsilon(tmp_path, capsys):
    from exactfit.io import write_instance

    path = tmp_path / "i.json"
    write_instance(PLAIN, path)
    rc, out, err = run_main(["solve", path, "--solver", "net", "--epsilon", "0.1", "-q"], capsys)
    assert rc == 10 and "feasible" in out
    rc, out, err = run_main(["solve", path, "--solver", "net", "-q"], capsys)
    assert rc == 2 and err.count("\n") == 1 and "expected --epsilon E" in err


@pytest.mark.parametrize("signs", [(1, -1), (-1, 1)])
def test_fixed_output_signs_in_any_order_keep_the_guarantee(signs):
    """Fixed signs need not be sorted: unit j of the answer must carry a_j, and the searched
    network must be the one returned (found: (−1, +1) returned a network 62ε above)."""
    X = [[Fraction(i, 8)] for i in range(-4, 5)]
    y = [Fraction(i, 8) if i > 0 else Fraction(i, 4) for i in range(-4, 5)]
    problem = FitProblem(X, y, units=2, bias=False, weight_bound=1, output_signs=signs)
    opt = exactfit.solve(problem, "scip", certify=True)
    assert opt.status is Status.OPTIMAL and opt.proof.value == "exact"
    r = NetSolver().solve(problem, epsilon=0.01)
    assert network_violations(problem, r.network) == []
    assert [u.a for u in r.network.units] == list(signs)
    excess = (r.objective_exact - Fraction(opt.bound)) / len(X)
    assert 0 <= excess <= Fraction(0.01)


def _one_unit_optimum_d1(problem: FitProblem) -> Fraction:
    """The exact optimum of ``a·σ(w x)``, ``|w| ≤ B``, free sign, ``d = 1``, no bias: on each
    side of 0 a one-variable least squares in ``t = a·|w| ∈ [−B, B]``, clipped."""
    null = problem.null_loss()
    best = null
    B = problem.weight_bound
    for side in (1, -1):
        act = [
            (c, side * x[0], y)
            for c, x, y in zip(problem.sample_weight, problem.X, problem.y, strict=True)
            if side * x[0] > 0
        ]
        sxx = sum((c * z * z for c, z, _ in act), Fraction(0))
        sxy = sum((c * z * y for c, z, y in act), Fraction(0))
        if sxx:
            t = max(-B, min(B, sxy / sxx))
            best = min(best, null - 2 * t * sxy + t * t * sxx)
    return best


@pytest.mark.parametrize("epsilon", [1e-19, 1e-18, 1e-17])
def test_tiny_features_and_tiny_epsilon_keep_the_guarantee(epsilon):
    """Labels ~1, features ~1e-15: each unit moves the loss by ~1e-14, far below the ulp of
    Σ c y². Comparing float losses L (not L − L(0)) picked answers up to 580ε above the
    optimum, with the guarantee claimed; the optimum is exact in closed form (d = 1)."""
    s = Fraction(1, 10**15)
    X = [[s], [2 * s], [3 * s], [-s], [s / 2]]
    problem = FitProblem(X, [1, Fraction(1, 3), 2, -1, Fraction(1, 2)], bias=False, weight_bound=1)
    opt = _one_unit_optimum_d1(problem)
    r = NetSolver().solve(problem, epsilon=epsilon)
    assert r.stats["guarantee"]["holds"]
    assert 0 <= (r.objective_exact - opt) / problem.n <= Fraction(epsilon)


def test_an_epsilon_below_what_float64_can_honour_is_refused():
    s = Fraction(1, 10**15)
    X = [[s], [2 * s], [3 * s], [-s], [s / 2]]
    problem = FitProblem(X, [1, Fraction(1, 3), 2, -1, Fraction(1, 2)], bias=False, weight_bound=1)
    covering, comparisons = floors(problem, float(problem.null_loss()) / problem.n)
    assert 1e-20 < max(covering, comparisons) < 1e-19
    with pytest.raises(
        InputError, match=r"^net: epsilon 1e-20 is below .* the least that float64"
    ) as info:
        NetSolver().solve(problem, epsilon=1e-20)
    assert "\n" not in str(info.value)
    # data in the unit ball: the floor is far below any ε whose net fits the caps
    covering, comparisons = floors(PLAIN, float(PLAIN.null_loss()) / PLAIN.n)
    assert max(covering, comparisons) < 1e-4
