"""The worked examples of docs reductions.md, reproduced exactly (rational values)."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest

import exactfit
from exactfit import ReluNetwork, Unit, exact_loss
from reductions.check import check, solve_fit
from reductions.registry import get_reduction
from reductions.sources import CNF, Graph
from reductions.sources.solvers import densest_subgraph, max_cut, max_sat

TRIANGLE = Graph(3, ((0, 1), (1, 2), (0, 2)), name="triangle")
#: all eight sign patterns over three variables: unsatisfiable, every assignment misses one
ALL8 = CNF(
    3,
    tuple(
        tuple(s * v for s, v in zip(signs, (1, 2, 3), strict=True))
        for signs in itertools.product((1, -1), repeat=3)
    ),
    name="all8",
)


def test_triangle_maxcut():
    red = get_reduction("maxcut_to_relu")
    problem, trace = red.forward(TRIANGLE)
    assert (trace.A, trace.n, trace.W, trace.delta) == (13, 3, 3, 2)
    w_star = ReluNetwork((Unit(1, tuple(Fraction(v, 119) for v in (117, -104, -104)), 0),))
    assert exact_loss(problem, w_star) == Fraction(5057, 119)
    opt = solve_fit(problem, "enum")
    assert opt.proven and opt.exact == Fraction(5057, 119)
    assert red.source_value(trace, opt.exact) == 2 == max_cut(TRIANGLE, method="brute").value
    assert red.predicted(trace, 2).contains(Fraction(5057, 119))
    # sign(w*) is a maximum cut
    assert TRIANGLE.cut_value(red.project(TRIANGLE, trace, opt.certificate)) == 2
    assert TRIANGLE.cut_value(red.project(TRIANGLE, trace, w_star)) == 2


@pytest.mark.parametrize("solver", ["scip", "brute"])
@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        ("maxcut_to_relu", {}, Fraction(5057, 119)),
        ("dks_to_relu", {"kappa": 2}, Fraction(4273648, 9715)),
    ],
)
def test_triangle_independent_solvers_agree(solver, name, params, expected):
    problem, _ = get_reduction(name, **params).forward(TRIANGLE)
    opt = solve_fit(problem, solver, options={"node_limit": 20_000} if solver == "scip" else None)
    assert opt.proven
    assert float(opt.upper) == pytest.approx(float(expected), rel=1e-7)
    assert float(opt.lower) == pytest.approx(float(expected), rel=1e-7)
    assert opt.upper >= expected  # the returned network's exact loss is never below the optimum


def test_triangle_dks():
    red = get_reduction("dks_to_relu", kappa=2)
    problem, trace = red.forward(TRIANGLE)
    assert (trace.A, trace.B) == (144, 40)
    opt = solve_fit(problem, "enum")
    assert opt.proven and opt.exact == Fraction(4273648, 9715)
    assert red.source_value(trace, opt.exact) == 1 == densest_subgraph(TRIANGLE, 2).value
    # w* slightly above 1 on the two coordinates of the densest pair
    w = [Fraction(v) for v in opt.certificate.units[0].w]
    assert sorted(v > 1 for v in w) == [False, True, True]
    assert TRIANGLE.induced_edges(red.project(TRIANGLE, trace, opt.certificate)) == 1


@pytest.mark.parametrize("method", ["brute", "cpsat"])
def test_all8_chain_values(method):
    assert max_sat(ALL8, method=method).value == 7
    f2, t1 = get_reduction("sat3_to_max2sat").forward(ALL8)
    assert (f2.num_vars, f2.m, t1.w3) == (11, 80, 8)
    assert max_sat(f2, method=method).value == 55
    g, t2 = get_reduction("max2sat_to_maxcut").forward(f2)
    assert t2.sum_M == 3 * 65 + 8 * 9  # x_i occur in 32 clauses, fresh z in 4
    mc = max_cut(g, method="cpsat").value
    assert mc == 377 == t2.sum_M + 2 * 55


def test_all8_checks_pass():
    for name, source in (("sat3_to_max2sat", ALL8),):
        report = check(name, source, source_method="brute", cross_source_method="cpsat")
        assert report.passed, report.text()
        assert (report.source_value, report.target.exact) == (7, 55)
    f2, _ = get_reduction("sat3_to_max2sat").forward(ALL8)
    report = check("max2sat_to_maxcut", f2, source_method="cpsat", cross_source_method="scip")
    assert report.passed, report.text()
    assert (report.source_value, report.target.exact) == (55, 377)


def test_large_constants_are_needed():
    """reductions.md §6: with A = 2 instead of 2Δm + 1 the value map decodes K4 wrongly."""
    k4 = Graph(4, tuple(itertools.combinations(range(4), 2)), name="K4")
    red = get_reduction("maxcut_to_relu")
    problem, trace = red.forward(k4)
    pairs = zip(problem.sample_weight, problem.y, strict=True)
    small = problem.with_changes(sample_weight=[2 if y == 1 else c for c, y in pairs])
    opt = solve_fit(small, "enum")
    assert opt.proven and opt.exact is not None
    decoded = trace.W - -(-(opt.exact - 2 * trace.n) // 4)  # the map with A = 2
    assert max_cut(k4).value == 4
    assert decoded != 4
    # with the real A the same map is right
    real = solve_fit(problem, "enum")
    assert red.source_value(trace, real.exact) == 4
    assert exactfit.solve(problem, "enum").is_optimal


def test_gap_triangle_two_solvers_agree_inside_the_interval():
    red = get_reduction("gapmaxcut_to_unit_relu")
    problem, trace = red.forward(TRIANGLE)
    assert problem.weight_bound == 1 and trace.alpha == 2 and trace.q == Fraction(408, 577)
    assert 2 * trace.q**2 <= 1  # edge points lie in the unit ball
    a = solve_fit(problem, "enum")
    b = solve_fit(problem, "scip", options={"node_limit": 20_000})
    assert a.proven and b.proven
    assert float(a.upper) == pytest.approx(float(b.upper), rel=1e-7)
    assert float(a.upper) == pytest.approx(10.9475432725, rel=1e-9)
    pred = red.predicted(trace, 2)
    assert pred.brackets(float(a.lower), float(a.upper), 1e-9)
    assert pred.hi == red.lifted_value(trace, 2)  # the lifted cut gives the upper end here
