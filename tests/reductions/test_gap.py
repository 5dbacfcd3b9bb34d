"""The gap-visibility table of gapmaxcut_to_unit_relu reproduces the closed form."""

from __future__ import annotations

import math
import runpy
import sys
from decimal import Decimal, getcontext
from fractions import Fraction

import pytest

from reductions.gap import (
    alpha_floor,
    best_alpha,
    first_separating_n,
    gap_row,
    interval_hull,
    regular_sizes,
)
from reductions.gapmaxcut_to_unit_relu import DEFAULT_Q, GapMaxCutToUnitRelu

HALF = Fraction(1, 2)


def _closed(n: int, delta: int, alpha: int, v: int) -> tuple[Decimal, Decimal]:
    """lo(v), hi(v) of the module docstring, in 60-digit decimals (independent of the code)."""
    getcontext().prec = 60
    m = n * delta // 2
    a, q = Decimal(alpha), Decimal(DEFAULT_Q.numerator) / Decimal(DEFAULT_Q.denominator)
    base = 2 * a * n + 2 * m
    lo = base - 2 * (a * a * n + 4 * q * a * v + 2 * q * q * delta * m).sqrt()
    hi = base - 2 * (a * a * n + 4 * q * a * v).sqrt() + a + 2 * q * q * delta
    an = a * n
    # the lift's step is capped by the rational ρ_n = ⌊2³²/√n⌋/2³² ≤ 1/√n (not 1/√n itself)
    rho_n = Decimal(math.isqrt((1 << 64) // n)) / Decimal(1 << 32)
    rho = min((an + 2 * q * v) / (an + 4 * q * q * v), rho_n)
    lifted = base - 2 * rho * (an + 2 * q * v) + rho * rho * (an + 4 * q * q * v)
    return lo, min(hi, lifted)


@pytest.mark.parametrize("n", [4, 10, 22, 100, 1000])
def test_yes_no_intervals_are_the_closed_form(n):
    row = gap_row(n, 3 * n // 2, 3, Fraction(1), HALF)
    m = 3 * n // 2
    yes_lo, _ = _closed(n, 3, 3, m)
    _, yes_hi = _closed(n, 3, 3, m)
    no_lo, _ = _closed(n, 3, 3, m // 2)
    _, no_hi = _closed(n, 3, 3, 0)
    ends = ((row.yes.lo, yes_lo), (row.yes.hi, yes_hi), (row.no.lo, no_lo), (row.no.hi, no_hi))
    for got, want in ends:
        assert abs(Decimal(got.numerator) / Decimal(got.denominator) - want) < Decimal("1e-15")
    # rounded outward: the lower ends are at most, the upper ends at least the closed form
    assert Decimal(row.yes.lo.numerator) / Decimal(row.yes.lo.denominator) <= yes_lo
    assert (row.v_yes, row.v_no) == (m, m // 2)


@pytest.mark.parametrize(("n", "alpha"), [(10, None), (22, None), (30, Fraction(17, 8))])
def test_hulls_equal_the_end_point_formula(n, alpha):
    """lo and hi decrease in v, so the YES/NO hulls are the end points the module uses."""
    red = GapMaxCutToUnitRelu(alpha=alpha)
    m = 3 * n // 2
    t = red.trace_of(n, m, 3)
    row = gap_row(n, m, 3, Fraction(1), HALF, alpha)
    assert interval_hull(red, t, range(m, m + 1)) == row.yes
    assert interval_hull(red, t, range(0, m // 2 + 1)) == row.no


def test_first_separating_n_default_alpha():
    """Δ = 3, c = 1, s = 1/2, α = 3: separated first at n = 22 (n = 20 has margin < 0)."""
    assert first_separating_n(3, Fraction(1), HALF, None, 10_000) == 22
    assert not gap_row(20, 30, 3, Fraction(1), HALF).separated
    assert gap_row(22, 33, 3, Fraction(1), HALF).margin > 0
    for n in range(4, 22, 2):
        lo_no, _ = _closed(n, 3, 3, 3 * n // 4)
        _, hi_yes = _closed(n, 3, 3, 3 * n // 2)
        assert hi_yes >= lo_no  # not separated by the independent closed form either
    # and it stays separated all the way up (checked exactly on every even n ≤ 600)
    assert all(gap_row(n, 3 * n // 2, 3, Fraction(1), HALF).separated for n in range(22, 601, 2))


def test_best_alpha_is_allowed_and_not_later_than_the_default():
    c, s = Fraction(3, 4), HALF
    assert alpha_floor(3, c, s) == pytest.approx(3 / (2 * 2**0.5 * 0.25))
    assert first_separating_n(3, c, s, None, 10_000) == 362
    alpha, n = best_alpha(3, c, s, 10_000)
    assert float(alpha) > alpha_floor(3, c, s) and alpha.denominator in (1, 2, 4, 8)
    assert (alpha, n) == (Fraction(5), 186)
    assert gap_row(n, 3 * n // 2, 3, c, s, alpha).separated
    assert not gap_row(n - 2, 3 * (n - 2) // 2, 3, c, s, alpha).separated


def test_regular_sizes_and_promise_validation():
    assert list(regular_sizes(3, 12)) == [4, 6, 8, 10, 12]
    with pytest.raises(Exception, match="promise"):
        gap_row(10, 15, 3, HALF, HALF)


def test_benchmark_script_prints_the_first_separating_n(capsys, monkeypatch):
    argv = ["gap_visibility.py", "--n-max", "200"]
    monkeypatch.setattr(sys, "argv", argv)
    runpy.run_path("benchmarks/gap_visibility.py", run_name="__main__")
    out = capsys.readouterr().out
    assert "default α = 3: first separating n = 22" in out
    assert "   200    300 |" in out
