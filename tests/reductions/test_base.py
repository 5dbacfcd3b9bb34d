"""The protocol pieces: intervals, outward-rounded square roots, hashing, registry, chains."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exactfit.errors import InputError
from reductions.base import (
    Chain,
    Interval,
    UnknownReduction,
    get_reduction,
    reduction_names,
    source_hash,
    sqrt_hi,
    sqrt_lo,
)
from reductions.sources import CNF, Graph

fractions = st.fractions(min_value=0, max_value=10**6, max_denominator=10**6)


@settings(max_examples=200, deadline=None)
@given(fractions)
def test_sqrt_bounds_bracket_the_root(x):
    lo, hi = sqrt_lo(x), sqrt_hi(x)
    assert lo * lo <= x <= hi * hi
    assert hi - lo <= Fraction(1, 2**64)


def test_sqrt_exact_squares():
    assert sqrt_lo(Fraction(9, 4)) == sqrt_hi(Fraction(9, 4)) == Fraction(3, 2)
    assert sqrt_lo(Fraction(2)) < Fraction(math.sqrt(2)) + Fraction(1, 2**50)


def test_interval_membership_and_open_ends():
    closed = Interval(Fraction(1), Fraction(3))
    assert closed.contains(1) and closed.contains(3) and not closed.contains(Fraction(7, 2))
    positive = Interval(Fraction(0), None, lo_open=True)
    assert not positive.contains(0) and positive.contains(Fraction(1, 10**9))
    assert Interval.point(5).is_point and str(Interval.point(5)) == "{5}"
    assert str(positive) == "(0, inf)"
    with pytest.raises(ValueError, match="empty"):
        Interval(Fraction(2), Fraction(1))


def test_interval_brackets_use_the_tolerance():
    iv = Interval(Fraction(1), Fraction(2))
    assert iv.brackets(1.0 - 1e-12, 2.0, 1e-9)
    assert not iv.brackets(0.9, 2.0, 1e-9)
    positive = Interval(Fraction(0), None, lo_open=True)
    assert positive.brackets(0.5, 0.5, 1e-9)
    assert not positive.brackets(1e-12, 1e-12, 1e-9)  # strictness must be proven


@pytest.mark.parametrize(
    ("iv", "ints"),
    [
        (Interval(Fraction(1, 2), Fraction(7, 2)), [1, 2, 3]),
        (Interval(Fraction(1), Fraction(3), lo_open=True, hi_open=True), [2]),
        (Interval(Fraction(1), Fraction(3)), [1, 2, 3]),
        (Interval.point(4), [4]),
    ],
)
def test_interval_integers(iv, ints):
    assert list(iv.integers()) == ints


def test_interval_hull():
    a = Interval(Fraction(0), Fraction(1), lo_open=True)
    b = Interval(Fraction(0), Fraction(2), hi_open=True)
    h = a.hull(b)
    assert (h.lo, h.hi, h.lo_open, h.hi_open) == (0, 2, False, True)


def test_source_hash_is_canonical():
    g1 = Graph(3, ((1, 0), (2, 1)))
    g2 = Graph(3, ((1, 2), (0, 1)), name="renamed")
    assert source_hash(g1) == source_hash(g2)  # names and edge order do not matter
    assert source_hash(g1) != source_hash(Graph(3, ((0, 1),)))
    assert source_hash(CNF(2, ((1, 2),))) != source_hash(CNF(2, ((1, -2),)))
    assert len(source_hash(g1)) == 64


def test_registry():
    assert reduction_names() == sorted(
        [
            "coloring_to_relus",
            "dks_to_relu",
            "gapmaxcut_to_unit_relu",
            "max2sat_to_maxcut",
            "maxcut_to_relu",
            "sat3_to_max2sat",
            "sat3_to_relu",
        ]
    )
    for name in reduction_names():
        params = {"kappa": 2} if name == "dks_to_relu" else {}
        params = {"units": 2} if name == "coloring_to_relus" else params
        assert get_reduction(name, **params).name == name
    with pytest.raises(UnknownReduction, match="expected one of"):
        get_reduction("maxcut_to_relus")
    with pytest.raises(InputError, match="bad parameters"):
        get_reduction("maxcut_to_relu", kappa=3)
    with pytest.raises(InputError, match="kappa"):
        get_reduction("dks_to_relu")


def test_chain_refuses_mismatched_steps():
    with pytest.raises(InputError, match="produces relu-fit but"):
        Chain("bad", [get_reduction("maxcut_to_relu"), get_reduction("max2sat_to_maxcut")])


def test_chain_composes_value_maps():
    chain = get_reduction("sat3_to_relu")
    f = CNF(3, ((1, 2, 3), (-1, 2)))
    _, trace = chain.forward(f)
    t1, t2, t3 = trace.traces
    for v in range(3):
        mc = t2.sum_M + 2 * (6 * t1.w3 + v)
        assert chain.predicted(trace, v) == get_reduction("maxcut_to_relu").predicted(t3, mc)
        lifted = chain.lifted_value(trace, v)
        assert lifted == t3.A * t3.n + 4 * (t3.W - mc)
        assert chain.source_value(trace, lifted) == v


def test_size_declarations():
    g = Graph(4, ((0, 1), (1, 2), (2, 3)))
    assert get_reduction("maxcut_to_relu").size(g) == (14, 4)
    assert get_reduction("dks_to_relu", kappa=2).size(g) == (13, 4)
    assert get_reduction("gapmaxcut_to_unit_relu").size(g) == (14, 4)
    assert get_reduction("coloring_to_relus", units=2).size(g) == (8, 4)
    f = CNF(3, ((1, 2, 3), (1, -2)))
    assert get_reduction("sat3_to_max2sat").size(f) == (4, 11)
    for name, src in [("maxcut_to_relu", g), ("sat3_to_max2sat", f), ("sat3_to_relu", f)]:
        red = get_reduction(name)
        target, _ = red.forward(src)
        shape = (target.n, target.d) if hasattr(target, "d") else (target.num_vars, target.m)
        assert red.size(src) == shape


def test_package_exports_check():
    import reductions

    report = reductions.check("sat3_to_max2sat", CNF(3, ((1, 2, 3), (-1, -2, -3))))
    assert isinstance(report, reductions.CheckReport)
    assert report.passed, report.text()
    assert (report.source_value, report.target.exact) == (2, 14)
