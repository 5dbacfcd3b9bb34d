"""Exact value-map arithmetic: intervals and outward-rounded square roots."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reductions.interval import Interval, sqrt_hi, sqrt_lo

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
