"""The worked examples of docs reductions.md, reproduced exactly (rational values)."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest

import exactfit
from exactfit import ReluNetwork, Unit, exact_loss
from exactfit.problem import network_violations
from reductions.check import check, solve_fit
from reductions.problems import MaxSatProblem
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


# --- the Gap-ETH chain (docs/reductions/sat3_to_unit_relu.md) ---------------------------------

#: weighted graphs small enough for exhaustive cuts of their expansions (≤ 11 vertices)
WEIGHTED = [
    Graph(2, ((0, 1),), (3,), name="edge-w3"),
    Graph(3, ((0, 1), (1, 2), (0, 2)), (1, 2, 1), name="triangle-121"),
    Graph(4, ((0, 1), (1, 2), (2, 3)), (2, 1, 2), name="path-212"),
]


def _cuts(n: int):
    for bits in range(1 << (n - 1)):  # vertex n - 1 always on the far side: each cut once
        yield tuple(v for v in range(n) if bits >> v & 1)


@pytest.mark.parametrize("g", WEIGHTED, ids=lambda g: g.name)
def test_weight_expansion_is_exact_on_every_cut(g):
    red = get_reduction("weightedmaxcut_to_maxcut")
    h, trace = red.forward(g)
    extra = g.total_weight - g.m
    assert not h.weighted and (h.n, h.m) == red.size(g) == (
        g.n + 2 * extra,
        3 * g.total_weight - 2 * g.m,
    )
    assert h.max_degree == trace.delta == max(g.max_degree, 2)  # the weighted degree of G
    mc = max(g.cut_value(s) for s in _cuts(g.n))
    mc_h = max(h.cut_value(s) for s in _cuts(h.n))
    assert mc_h == mc + 2 * extra == max_cut(h, method="cpsat").value
    for s in _cuts(g.n):  # completeness: every cut of G lifts to exactly cut + 2(W − m)
        assert h.cut_value(red.lift(g, trace, s)) == g.cut_value(s) + 2 * extra
    for s in _cuts(h.n):  # soundness: every cut of H projects to at least cut − 2(W − m)
        assert g.cut_value(red.project(g, trace, s)) >= h.cut_value(s) - 2 * extra


def test_weight_two_edge_expands_to_c4_and_checks_through_the_gap_step():
    """One edge of weight 2 becomes the 4-cycle, so weight expansion then the unit-ball ReLU
    reproduces the C4 worked example of gapmaxcut_to_unit_relu exactly."""
    from reductions.base import Chain
    from reductions.gapmaxcut_to_unit_relu import GapMaxCutToUnitRelu
    from reductions.weightedmaxcut_to_maxcut import WeightedMaxCutToMaxCut

    edge = Graph(2, ((0, 1),), (2,), name="edge-w2")
    h, _ = WeightedMaxCutToMaxCut().forward(edge)
    assert h.edges == ((0, 1), (0, 2), (1, 3), (2, 3))  # the cycle 0-2-3-1-0
    chain = Chain("expand_then_gap", [WeightedMaxCutToMaxCut(), GapMaxCutToUnitRelu()])
    report = check(chain, edge, solver="enum")
    assert report.passed, report.text()
    c4_opt = Fraction(4775250, 332929)  # the lifted cut is optimal on C4
    assert report.lifted_value == c4_opt and report.target.bound_proof == "exact"
    assert report.target.lower <= c4_opt <= report.target.upper
    assert report.target.upper - report.target.lower < Fraction(1, 10**9)
    assert report.source_value == 2 and not report.discrimination.discriminating


#: (formula, OPT₃): a unit clause, and one 3-clause (the chain's smallest 3-SAT gadget)
CHAIN_SOURCES = [
    (CNF(1, ((1,),), name="x1"), 1),
    (CNF(3, ((1, -2, 3),), name="one-3-clause"), 1),
    (CNF(1, ((1,), (-1,)), name="x and not x"), 1),
]


@pytest.mark.parametrize(("f", "opt3"), CHAIN_SOURCES, ids=lambda v: getattr(v, "name", ""))
def test_gap_eth_chain_composed_value_map(f, opt3):
    """The composed map MC′ = ΣM + 2(W − m) + 12·W₃ + 2·OPT₃, then the gap step's interval, on
    exact values; lift gives a unit-ball network of exactly the composed completeness value,
    and projecting it back gives an optimal assignment (no fitting solver: these targets are
    40 × 9 and larger, beyond what finishes, see the docs page)."""
    chain = get_reduction("sat3_to_unit_relu")
    problem, trace = chain.forward(f)
    g, h = trace.instances[2:4]
    t2, t3, t4 = trace.traces[1:4]
    assert t3.extra == g.total_weight - g.m
    w3 = sum(f.weight(i) for i, c in enumerate(f.clauses) if len(c) == 3)
    assert max_sat(f, method="brute").value == opt3
    mc_h = t2.sum_M + 2 * (g.total_weight - g.m) + 12 * w3 + 2 * opt3
    assert max_cut(h, method="cpsat").value == mc_h
    assert not h.weighted and t4.delta == h.max_degree == g.max_degree  # Δ′ = Δ_w(G)
    assert chain.predicted(trace, opt3) == chain.steps[-1].predicted(t4, mc_h)
    assert chain.source_value(trace, 0) is None and not chain.exact_value_map
    best = max_sat(f, method="brute").certificate
    net = chain.lift(f, trace, best)
    assert not network_violations(problem, net)  # in the class: one unit, ‖w‖ ≤ 1
    value = exact_loss(problem, net)
    assert value == chain.lifted_value(trace, opt3)
    assert chain.predicted(trace, opt3).contains(value)
    back = chain.project(f, trace, net)
    assert MaxSatProblem().evaluate(f, back) == opt3


def test_gap_eth_chain_end_to_end_on_the_smallest_formula():
    """The chain's only source both sides of which finish here: a formula without clauses
    (every step runs; the expansion is the identity on its one-edge graph)."""
    report = check("sat3_to_unit_relu", CNF(1, (), name="empty"), solver="enum")
    assert report.passed, report.text()
    assert report.source_value == 0 and report.discrimination.discriminating
    assert report.target_instance.weight_bound == 1 and report.target_instance.d == 3


@pytest.mark.parametrize("clauses", [1, 2, 4])
def test_gap_eth_chain_root_degree_grows_with_the_formula(clauses):
    """The documented limitation: the expanded graph's maximum degree is the root's weighted
    degree 2·W(f₂), which grows with the formula, so the chain is not bounded-degree."""
    f = CNF(3 * clauses, tuple((3 * i + 1, -(3 * i + 2), 3 * i + 3) for i in range(clauses)))
    chain = get_reduction("sat3_to_unit_relu")
    _, trace = chain.forward(f)
    f2, g, h = trace.instances[1:4]
    assert g.degrees()[0] == 2 * f2.m == 20 * clauses  # the root r = 0
    assert h.max_degree == 20 * clauses
