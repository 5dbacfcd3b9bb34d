"""The orthogonal family f_S: exact identities, the integers C_j, the Gaussian norm."""

from __future__ import annotations

import itertools
from fractions import Fraction

import mpmath
import numpy as np
import pytest

import exactfit
from exactfit.errors import InputError
from exactfit.network import ReluNetwork
from reductions.families.ggjkk import construction as con
from reductions.families.ggjkk import gaussian as gs
from reductions.families.ggjkk.checks import orbit_sum
from reductions.families.ggjkk.family import check, generate


def _points(n: int, d: int, seed: int) -> tuple[tuple[Fraction, ...], ...]:
    return con.gaussian_points(n, d, np.random.default_rng(seed), 2)


@pytest.mark.parametrize(("d", "subset"), [(1, (0,)), (3, (0, 2)), (4, (1, 2)), (5, (0, 1, 3, 4))])
def test_planted_network_computes_f_s(d, subset):
    xs = _points(15, d, 1)
    net = con.planted_network(subset, d)
    problem = exactfit.FitProblem(xs, [con.f_s(subset, x) for x in xs], units=net.k, bias=False)
    assert net.k == 2 ** len(subset)
    assert exactfit.exact_loss(problem, net) == 0
    assert all(u.b == 0 and u.a == con.chi([u.w[i] for i in subset]) for u in net.units)


@pytest.mark.parametrize("seed", range(3))
def test_k2_closed_form(seed):
    # f_S = |x_i + x_j| − |x_i − x_j| = 2 sgn(x_i x_j) min(|x_i|, |x_j|) for k = 2
    for x in _points(20, 3, seed):
        a, b = x[0], x[2]
        assert con.f_s((0, 2), x) == abs(a + b) - abs(a - b)
        sign = (a > 0) - (a < 0)
        sign *= (b > 0) - (b < 0)
        assert con.f_s((0, 2), x) == 2 * sign * min(abs(a), abs(b))


@pytest.mark.parametrize(
    ("d", "subset"), [(3, (1,)), (4, (0, 3)), (5, (0, 1, 2)), (6, (1, 2, 3, 5))]
)
def test_reflection_identity(d, subset):
    for x in _points(10, d, 2):
        fx = con.f_s(subset, x)
        for i in range(d):
            assert con.f_s(subset, con.reflect(x, i)) == (-fx if i in subset else fx)


@pytest.mark.parametrize("k", [3, 5])
def test_odd_k_vanishes(k):
    assert all(con.f_s(tuple(range(k)), x) == 0 for x in _points(30, k, 3))


def test_k1_is_the_coordinate():
    assert all(con.f_s((1,), x) == x[1] for x in _points(10, 2, 4))


@pytest.mark.parametrize("k", [3, 5])
def test_odd_k_refused_with_one_line(k):
    with pytest.raises(InputError, match=r"K = \d is odd.*f_S ≡ 0") as info:
        generate(k + 1, k, 10, 0)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("d", "k"), [(3, 1), (4, 2), (5, 2), (5, 4)])
def test_orbit_sums_vanish_for_distinct_subsets(d, k):
    xs = _points(3, d, 5)
    for s, t in itertools.combinations(itertools.combinations(range(d), k), 2):
        coords = sorted(set(s) | set(t))
        for x in xs:
            assert orbit_sum(x, coords, lambda y, s=s, t=t: con.f_s(s, y) * con.f_s(t, y)) == 0


@pytest.mark.parametrize(("d", "subset"), [(3, (0, 1)), (4, (0, 1, 2, 3))])
def test_orthogonal_to_low_degree_monomials(d, subset):
    k = len(subset)
    for x in _points(3, d, 6):
        for deg in range(k):
            for m in itertools.combinations_with_replacement(range(d), deg):
                coords = sorted(set(subset) | set(m))

                def g(y, m=m):
                    out = con.f_s(subset, y)
                    for i in m:
                        out *= y[i]
                    return out

                assert orbit_sum(x, coords, g) == 0
        # degree k is not orthogonal: f_S(εx) x_S^ε = χ(ε)² f_S(x) x_S, constant on the orbit
        prod = Fraction(1)
        for i in subset:
            prod *= x[i]

        def h(y):
            out = con.f_s(subset, y)
            for i in subset:
                out *= y[i]
            return out

        assert orbit_sum(x, list(subset), h) == 2**k * con.f_s(subset, x) * prod


def test_k2_orbit_of_the_square():
    # on an orbit of sign flips of (x_0, x_1), f² = 4 min(|x_0|, |x_1|)², four points
    x = (Fraction(3, 10), Fraction(-7, 5))
    assert orbit_sum(x, [0, 1], lambda y: con.f_s((0, 1), y) ** 2) == 16 * Fraction(3, 10) ** 2


@pytest.mark.parametrize("k", range(1, 6))
def test_c_integers(k):
    s = tuple(range(k))
    assert gs.c_counts(s, s) == gs.c_closed_form(k)
    assert sum(gs.c_closed_form(k).values()) == 0  # Σ_m (−1)^m C(k, m) = 0
    for t in itertools.combinations(range(k + 2), k):
        if t != s:
            assert not any(gs.c_counts(s, t).values())


def test_norm_k2_closed_form_30_digits():
    with mpmath.workdps(40):
        value = gs.inner_product(gs.c_counts((0, 1), (0, 1)), 2, 30)
        closed = 4 * (mpmath.pi - 2) / mpmath.pi
        assert abs(value - closed) < mpmath.mpf(10) ** -32
        assert abs(gs.quadrature_norm_k2(30) - closed) < mpmath.mpf(10) ** -28


@pytest.mark.parametrize("k", [2, 4, 6])
def test_norm_two_kernels_agree(k):
    with mpmath.workdps(40):
        arc = gs.inner_product(gs.c_counts(range(k), range(k)), k, 30)
        assert abs(arc - gs.abs_kernel_norm(k, 30)) < mpmath.mpf(10) ** -28
        assert arc > 1


@pytest.mark.parametrize(("k", "expected"), [(1, 1), (3, 0), (5, 0)])
def test_norm_odd_k(k, expected):
    with mpmath.workdps(40):
        value = gs.inner_product(gs.c_counts(range(k), range(k)), k, 30)
        assert abs(value - expected) < mpmath.mpf(10) ** -28


@pytest.mark.parametrize("k", [2, 4])
def test_monte_carlo_estimate_near_closed_form(k):
    mean, se = gs.monte_carlo_norm(k, 100_000, np.random.default_rng(0))
    exact = float(gs.inner_product(gs.c_counts(range(k), range(k)), k))
    assert abs(mean - exact) < 5 * se


def test_generate_is_exact_and_seeded():
    p = generate(4, 2, 30, 7)
    q = generate(4, 2, 30, 7)
    assert p.X == q.X and p.y == q.y and dict(p.meta) == dict(q.meta)
    s = tuple(p.meta["generator"]["subset"])
    planted = ReluNetwork.from_arrays(
        [u["a"] for u in p.meta["planted"]], [u["w"] for u in p.meta["planted"]], exact=True
    )
    assert exactfit.exact_loss(p, planted) == 0
    assert list(p.y) == [con.f_s(s, x) for x in p.X]
    assert (p.units, p.bias, p.output_signs) == (4, False, None)
    assert p.meta["norm_squared_gaussian"].startswith("1.45352091052967462769785978")
    fixed = generate(4, 2, 30, 7, fixed_signs=True)
    assert sorted(fixed.output_signs) == [-1, -1, 1, 1] and fixed.y == p.y


@pytest.mark.parametrize(
    ("d", "k", "subset", "match"),
    [
        (1, 2, None, "D ≥ K"),
        (3, 2, (0, 0), "distinct"),
        (3, 2, (0, 3), "0..2"),
        (4, 8, None, "K in"),
    ],
)
def test_generate_bad_input(d, k, subset, match):
    with pytest.raises(InputError, match=match):
        generate(d, k, 10, 0, subset=subset)


@pytest.mark.parametrize(("d", "k"), [(3, 1), (4, 2), (4, 3), (5, 4)])
def test_check_passes(d, k):
    report = check(d, k, seed=3, points=6, pairs=10, mc_samples=20_000)
    assert report.passed
    exact = [f for f in report.findings if f.passed is not None and f.exact]
    assert len(exact) >= 4 and all(f.passed for f in exact)


def test_check_fails_on_a_broken_family(monkeypatch):
    # f_S + 1/100 is no longer odd under R_i, and its products do not cancel on orbits
    from reductions.families.ggjkk import checks

    def broken(subset, x):
        return con.f_s(subset, x) + Fraction(1, 100)

    monkeypatch.setattr(checks, "f_s", broken)
    report = check(4, 2, seed=1, points=4, pairs=5, mc_samples=1000)
    failed = {f.name for f in report.findings if f.passed is False}
    assert not report.passed
    assert {"planted network = f_S", "reflection identity", "orbit averages of f_S f_T"} <= failed
