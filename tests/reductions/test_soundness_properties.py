"""Property tests of the closed forms and of the soundness inequalities on *arbitrary*
solutions (not only optimal ones), in exact arithmetic, without any solver.

Soundness inequality: for every target solution t, with s = project(t),
val(t) ≥ predicted(val(s)).lo for minimisation targets and val(t) ≤ predicted(val(s)).hi for
maximisation targets.  Completeness: val(lift(s)) = lifted_value(val(s)).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from exactfit import ReluNetwork, Unit, exact_loss
from reductions.registry import get_reduction
from reductions.sources import CNF, Graph

SETTINGS = settings(max_examples=200, deadline=None)
# arbitrary weights, and weights near ±1 where the soundness bounds are tight
near_one = st.tuples(
    st.sampled_from((1, -1)), st.fractions(min_value=-0.25, max_value=0.25, max_denominator=200)
).map(lambda t: t[0] * (1 + t[1]))
weights = st.one_of(st.fractions(min_value=-3, max_value=3, max_denominator=20), near_one)


@st.composite
def graphs(draw, weighted=True, min_n=1, max_n=5):
    n = draw(st.integers(min_n, max_n))
    pairs = list(itertools.combinations(range(n), 2))
    chosen = [p for p in pairs if draw(st.booleans())]
    ws = None
    if weighted and draw(st.booleans()):
        ws = tuple(draw(st.integers(1, 4)) for _ in chosen)
    return Graph(n, tuple(chosen), ws)


@st.composite
def graph_and_w(draw, weighted=True, min_n=1):
    g = draw(graphs(weighted=weighted, min_n=min_n))
    w = tuple(draw(weights) for _ in range(g.n))
    return g, w


def _net(w):
    return ReluNetwork((Unit(1, tuple(w), Fraction(0)),))


@SETTINGS
@given(graph_and_w())
def test_maxcut_closed_form_and_soundness(gw):
    g, w = gw
    red = get_reduction("maxcut_to_relu")
    problem, t = red.forward(g)
    loss = exact_loss(problem, _net(w))
    closed = (
        t.A * g.n
        + t.A * sum((abs(v) - 1) ** 2 for v in w)
        + sum(g.weight(e) * (w[u] + w[v]) ** 2 for e, (u, v) in enumerate(g.edges))
    )
    assert loss == closed
    cut = g.cut_value(red.project(g, t, _net(w)))
    assert loss >= red.predicted(t, cut).lo


@SETTINGS
@given(graph_and_w(weighted=False, min_n=2), st.data())
def test_dks_soundness(gw, data):
    g, w = gw
    kappa = data.draw(st.integers(1, g.n))
    red = get_reduction("dks_to_relu", kappa=kappa)
    problem, t = red.forward(g)
    s = red.project(g, t, _net(w))
    assert len(s) == kappa
    assert exact_loss(problem, _net(w)) >= red.predicted(t, g.induced_edges(s)).lo
    # completeness on the projected set
    lifted = red.lift(g, t, s)
    assert exact_loss(problem, lifted) == red.lifted_value(t, g.induced_edges(s))


@SETTINGS
@given(graph_and_w(weighted=False))
def test_gap_soundness_inside_the_ball(gw):
    g, w = gw
    red = get_reduction("gapmaxcut_to_unit_relu")
    problem, t = red.forward(g)
    norm2 = sum(v * v for v in w)
    if norm2 > 1:  # scale into the ball by a rational factor ≤ 1/‖w‖
        from reductions.interval import sqrt_hi

        w = tuple(v / sqrt_hi(norm2) for v in w)
    assert sum(v * v for v in w) <= 1
    cut = g.cut_value(red.project(g, t, _net(w)))
    assert exact_loss(problem, _net(w)) >= red.predicted(t, cut).lo
    side = tuple(v for v in range(g.n) if w[v] >= 0)
    assert exact_loss(problem, red.lift(g, t, side)) == red.lifted_value(t, g.cut_value(side))


@st.composite
def cnfs(draw, max_len=3):
    n = draw(st.integers(1, 4))
    m = draw(st.integers(1, 5))
    clauses = []
    for _ in range(m):
        size = draw(st.integers(1, min(max_len, n)))
        vs = draw(st.lists(st.integers(1, n), min_size=size, max_size=size))
        clauses.append(tuple(v if draw(st.booleans()) else -v for v in vs))
    ws = tuple(draw(st.integers(1, 3)) for _ in clauses) if draw(st.booleans()) else None
    return CNF(n, tuple(clauses), ws)


@SETTINGS
@given(cnfs(max_len=3), st.data())
def test_gjs_gadget_soundness_and_completeness(f, data):
    red = get_reduction("sat3_to_max2sat")
    f2, t = red.forward(f)
    a2 = tuple(data.draw(st.booleans()) for _ in range(f2.num_vars))
    a = red.project(f, t, a2)
    assert f2.satisfied(a2) <= red.predicted(t, f.satisfied(a)).hi
    assert f2.satisfied(red.lift(f, t, a)) == red.lifted_value(t, f.satisfied(a))


@SETTINGS
@given(cnfs(max_len=2), st.data())
def test_max2sat_cut_soundness_and_completeness(f, data):
    red = get_reduction("max2sat_to_maxcut")
    g, t = red.forward(f)
    side = tuple(v for v in range(g.n) if data.draw(st.booleans()))
    a = red.project(f, t, side)
    assert g.cut_value(side) <= red.predicted(t, f.satisfied(a)).hi
    assert g.cut_value(red.lift(f, t, a)) == red.lifted_value(t, f.satisfied(a))
