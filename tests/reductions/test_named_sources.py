"""Every reduction on named small sources, with the expected optima written out."""

from __future__ import annotations

import itertools

import pytest

from reductions.check import check
from reductions.registry import get_reduction
from reductions.sources import CNF, Graph, Hypergraph
from reductions.sources.generators import complete, cycle, fano

PATH3 = Graph(3, ((0, 1), (1, 2)), name="P3")
C4 = cycle(4)
C5 = cycle(5)
K4 = complete(4)
STAR = Graph(4, ((0, 1), (0, 2), (0, 3)), name="star")
WEIGHTED = Graph(4, ((0, 1), (1, 2), (2, 3), (0, 3), (0, 2)), (3, 1, 2, 1, 2), name="w-c4+")
EMPTY = Graph(3, (), name="empty3")

# (reduction, parameters, source, expected source optimum, solver)
CASES = [
    ("maxcut_to_relu", {}, PATH3, 2, "enum"),
    ("maxcut_to_relu", {}, C4, 4, "enum"),
    ("maxcut_to_relu", {}, C5, 4, "enum"),
    ("maxcut_to_relu", {}, K4, 4, "enum"),
    ("maxcut_to_relu", {}, WEIGHTED, 7, "enum"),
    ("maxcut_to_relu", {}, EMPTY, 0, "enum"),
    ("dks_to_relu", {"kappa": 2}, STAR, 1, "enum"),
    ("dks_to_relu", {"kappa": 3}, C4, 2, "enum"),
    ("dks_to_relu", {"kappa": 3}, K4, 3, "enum"),
    ("dks_to_relu", {"kappa": 1}, PATH3, 0, "enum"),
    ("gapmaxcut_to_unit_relu", {}, C4, 4, "enum"),
    ("gapmaxcut_to_unit_relu", {"alpha": 1, "q": "1/2"}, PATH3, 2, "enum"),
    ("coloring_to_relus", {"units": 2}, fano(), 0, "scip"),
    ("coloring_to_relus", {"units": 3}, K4, 0, "scip"),
    ("coloring_to_relus", {"units": 3}, C5, 1, "scip"),
    ("coloring_to_relus", {"units": 2}, C5, 0, "scip"),
    ("coloring_to_relus", {"units": 2}, C4, 1, "scip"),
    ("coloring_to_relus", {"units": 2, "bias": True}, C5, 0, "scip"),
    ("coloring_to_relus", {"units": 2, "signs": "free"}, C5, 0, "scip"),
    ("coloring_to_relus", {"units": 2, "signs": "free"}, C4, 1, "scip"),
    ("coloring_to_relus", {"units": 3, "signs": "free"}, K4, 0, "scip"),
    ("coloring_to_relus", {"units": 3, "signs": "free"}, C5, 1, "scip"),
    (
        "coloring_to_relus",
        {"units": 2},
        Hypergraph(5, ((0, 1, 2), (2, 3, 4), (0, 3, 4)), name="3-uniform"),
        1,
        "scip",
    ),
    ("sat3_to_max2sat", {}, CNF(3, ((1, 2, 3), (-1, -2, -3)), name="two"), 2, None),
    ("sat3_to_max2sat", {}, CNF(3, ((1, 2, 3), (-1,), (-2, 3)), name="mixed"), 3, None),
    ("max2sat_to_maxcut", {}, CNF(2, ((1, 2), (-1, 2), (1, -2), (-1, -2))), 3, None),
    ("max2sat_to_maxcut", {}, CNF(2, ((1,), (-1,), (1, 1), (1, -1)), (2, 1, 1, 3)), 6, None),
    ("sat3_to_relu", {}, CNF(1, ((1,), (-1,)), name="x and not x"), 1, "enum"),
    ("sat3_to_relu", {}, CNF(2, ((1, 2), (-1,), (-2,)), name="2cnf"), 2, "enum"),
]


@pytest.mark.parametrize(
    ("name", "params", "source", "expected", "solver"),
    CASES,
    ids=[f"{c[0]}-{c[2].name or i}-{c[1]}" for i, c in enumerate(CASES)],
)
def test_named_source(name, params, source, expected, solver):
    red = get_reduction(name, **params)
    report = check(
        red,
        source,
        solver=solver or "auto",
        source_method="brute",
        cross_source_method="cpsat",
        solver_options={"node_limit": 50_000} if solver == "scip" else None,
    )
    assert report.passed, report.text()
    assert report.source_value == expected
    if red.exact_value_map:
        assert report.decoded == expected
        assert report.projected_value == expected
    assert report.size_declared == report.size_actual


def test_unit_clause_formula_chain_is_exact():
    """x ∧ ¬x: OPT₃ = 1; the chain's three value maps compose to an exact rational check."""
    red = get_reduction("sat3_to_relu")
    f = CNF(1, ((1,), (-1,)))
    problem, trace = red.forward(f)
    g = trace.instances[2]
    assert (g.n, g.edges, g.weights) == (3, ((0, 1), (0, 2), (1, 2)), (2, 2, 5))
    report = check(red, f, solver="enum")
    assert report.passed, report.text()
    assert report.decoded == 1
    # the meta of the final instance records the whole chain and the source hash
    assert problem.meta["reduction"] == "sat3_to_relu"
    assert [s["reduction"] for s in problem.meta["parameters"]["steps"]] == [
        "sat3_to_max2sat",
        "max2sat_to_maxcut",
        "maxcut_to_relu",
    ]
    assert problem.meta["source"]["sha256"] == report.source_sha256


def test_literal_vertices_and_gadget_edges():
    red = get_reduction("max2sat_to_maxcut")
    g, trace = red.forward(CNF(2, ((1, -2),)))
    # M_x = 2·1 + 1 = 3 for both variables; triangle {x1, ¬x2, r}
    assert trace.M == (3, 3)
    assert dict(zip(g.edges, g.weights, strict=True)) == {
        (0, 1): 1, (0, 4): 1, (1, 2): 3, (1, 4): 1, (3, 4): 3,
    }  # fmt: skip
    for a in itertools.product((False, True), repeat=2):
        side = red.lift(CNF(2, ((1, -2),)), trace, a)
        assert g.cut_value(side) == 6 + 2 * (a[0] or not a[1])


def test_signed_projection_merges_activation_patterns():
    """A loss-0 network in C±0 (k = 3) for C5 that uses its negative unit as a third colour:
    the first-positive-unit rule is improper, the pattern-class merge is proper."""
    from exactfit import ReluNetwork, Unit, exact_loss

    red = get_reduction("coloring_to_relus", units=3, signs="free")
    problem, trace = red.forward(C5)
    net = ReluNetwork(
        (
            Unit(1, (1, -1, 1, -2, 2), 0),
            Unit(1, (-2, 1, -1, 1, 2), 0),
            Unit(-1, (0, 0, 0, 0, 3), 0),
        )
    )
    assert exact_loss(problem, net) == 0
    first_positive = [0, 1, 0, 1, 0]  # the first unit with a = +1 active at each e_v
    assert any(first_positive[u] == first_positive[v] for u, v in C5.edges)  # improper
    colouring = red.project(C5, trace, net)
    assert all(colouring[u] != colouring[v] for u, v in C5.edges)
    assert set(colouring) <= {0, 1, 2}
