"""Exact cell systems: the integer-feature sums equal the plain Fraction sums, exactly."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from exactfit.exact import cells, reference

coords = st.one_of(
    st.fractions(min_value=-2, max_value=2, max_denominator=3),
    st.builds(lambda n: Fraction(n, 10**9), st.integers(-(10**10), 10**10)),  # 9 decimals
    st.builds(Fraction, st.integers(-(10**40), 10**40), st.integers(1, 10**40)),
)


@st.composite
def systems(draw):
    """Random data and chambers: repeated points, zero weights, k = 1..3 units."""
    n = draw(st.integers(1, 7))
    D = draw(st.integers(1, 4))
    pts = [tuple(draw(coords) for _ in range(D)) for _ in range(n)]
    if n >= 2 and draw(st.booleans()):
        pts[1] = pts[0]  # a repeated point
    weights = [draw(st.sampled_from([Fraction(0), Fraction(1), Fraction(3, 2)])) for _ in range(n)]
    labels = [draw(coords) for _ in range(n)]
    m = draw(st.integers(0, 4))
    normals = [[draw(st.integers(-5, 5)) for _ in range(D)] for _ in range(m)]
    k = draw(st.integers(1, 3))
    patterns = [[draw(st.booleans()) for _ in range(m)] for _ in range(k)]
    active = [[draw(st.booleans()) for _ in range(n)] for _ in range(k)]
    signs = [draw(st.sampled_from([1, -1])) for _ in range(k)]
    return pts, weights, labels, normals, patterns, active, signs


@settings(max_examples=200, deadline=None)
@given(systems())
def test_cell_system_equals_the_fraction_sums(args):
    G, h, A = cells.cell_system(*args)
    assert (G, h, A) == reference.cell_system(*args)
    assert all(type(v) is Fraction for row in G for v in row)
    assert all(type(v) is Fraction for v in h)


@settings(max_examples=200, deadline=None)
@given(systems())
def test_ls_value_equals_the_reference(args):
    G, h, _ = reference.cell_system(*args)
    assert cells.ls_value(G, h) == reference.ls_value(G, h)


def test_the_memo_never_serves_stale_features():
    pts = [(Fraction(1), Fraction(2)), (Fraction(3), Fraction(1))]
    rest = ([[1, 0]], [[True]], [[True, True]], [1])
    for labels in ([Fraction(1), Fraction(2)], [Fraction(1), Fraction(5)]):
        args = (pts, [Fraction(1)] * 2, labels, *rest)
        assert cells.cell_system(*args) == reference.cell_system(*args)
    moved = [pts[0], (Fraction(3), Fraction(1, 7))]  # same objects but one coordinate
    args = (moved, [Fraction(1)] * 2, [Fraction(1)] * 2, *rest)
    assert cells.cell_system(*args) == reference.cell_system(*args)
    ints = [(1, 2), (3, 1)]  # ints equal to the Fractions above: the same system
    args = (ints, [1, 1], [1, 2], *rest)
    assert cells.cell_system(*args) == reference.cell_system(*args)


def test_rational_normals_stay_exact():
    """Constraint rows from rational normals (e.g. the points themselves, as brute's tests
    use) are kept exact, not truncated to integers."""
    pts = [(Fraction(1, 3), Fraction(1)), (Fraction(-5, 7), Fraction(1))]
    normals = [list(p) for p in pts]
    args = (pts, [Fraction(1)] * 2, [Fraction(1), Fraction(2)], normals, [[True, False]])
    G, h, rows = cells.cell_system(*args, [[True, False]], [1])
    assert rows == [[Fraction(1, 3), Fraction(1)], [Fraction(5, 7), Fraction(-1)]]
    assert (G, h, rows) == reference.cell_system(*args, [[True, False]], [1])
