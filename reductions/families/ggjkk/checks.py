"""The exact checks of the family, each returning one :class:`~reductions.families.base.Finding`.

Exact checks compare rationals or integers; the Gaussian norm is a 30-digit mpmath value
compared with independent derivations (the |·| kernel for even k, quadrature for k = 2), and a
Monte Carlo estimate is reported as an estimate.  Proofs: ``docs/families/ggjkk.md``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from fractions import Fraction

import mpmath
import numpy as np

from exactfit.network import exact_predictions
from exactfit.problem import FitProblem
from reductions.families.base import Finding
from reductions.families.ggjkk.construction import f_s, planted_network, random_subset, reflect
from reductions.families.ggjkk.gaussian import (
    abs_kernel_norm,
    c_closed_form,
    c_counts,
    inner_product,
    monte_carlo_norm,
    quadrature_norm_k2,
)

__all__ = [
    "check_c_integers",
    "check_low_degree",
    "check_network",
    "check_norm",
    "check_orbit_averages",
    "check_reflection",
    "check_vanishing",
    "low_degree_monomials",
    "orbit_sum",
    "orbit_values",
    "subset_pairs",
]

Point = tuple[Fraction, ...]

#: Digits of the Gaussian norm; the cross-checks must agree to all but the last two.
DIGITS = 30


def _flip(x: Point, coords: Sequence[int], signs: Sequence[int]) -> Point:
    y = list(x)
    for i, s in zip(coords, signs, strict=True):
        y[i] = s * y[i]
    return tuple(y)


def orbit_values(x: Point, coords: Sequence[int], g) -> list[Fraction]:
    """``g(ε x)`` for every ``ε ∈ {±1}^coords``: the orbit of ``x`` under the sign flips of
    ``coords`` (``2^|coords|`` points)."""
    return [g(_flip(x, coords, e)) for e in itertools.product((1, -1), repeat=len(coords))]


def orbit_sum(x: Point, coords: Sequence[int], g) -> Fraction:
    """``Σ_ε g(ε x)`` over the orbit, exactly; dividing by ``2^|coords|`` gives the average."""
    return sum(orbit_values(x, coords, g), Fraction(0))


def subset_pairs(
    d: int, k: int, limit: int, rng: np.random.Generator
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Unordered pairs ``S ≠ T`` of k-subsets of ``[d]``: all of them when there are at most
    ``limit``, else ``limit`` distinct pairs drawn uniformly (by rejection, never listing all)."""
    count = math.comb(d, k)
    if count * (count - 1) // 2 <= limit:
        subsets = list(itertools.combinations(range(d), k))
        return list(itertools.combinations(subsets, 2))
    seen: set[tuple[tuple[int, ...], tuple[int, ...]]] = set()
    while len(seen) < limit:
        a, b = random_subset(d, k, rng), random_subset(d, k, rng)
        if a != b:
            seen.add((min(a, b), max(a, b)))
    return sorted(seen)


def check_network(s: Sequence[int], d: int, points: Sequence[Point]) -> Finding:
    """The planted exactfit network (2^k units, no bias) computes ``f_S`` on the points."""
    net = planted_network(s, d)
    problem = FitProblem(points, [0] * len(points), units=net.k, bias=False)
    ok = exact_predictions(problem, net) == [f_s(s, x) for x in points]
    return Finding(
        "planted network = f_S", ok, f"{net.k} units, no bias, on {len(points)} rational points"
    )


def check_reflection(s: Sequence[int], d: int, points: Sequence[Point]) -> Finding:
    """``f_S(R_i x) = −f_S(x)`` for ``i ∈ S`` and ``f_S(R_i x) = f_S(x)`` for ``i ∉ S``."""
    bad = 0
    for x in points:
        fx = f_s(s, x)
        for i in range(d):
            want = -fx if i in s else fx
            bad += f_s(s, reflect(x, i)) != want
    return Finding(
        "reflection identity",
        bad == 0,
        f"{len(points)} points × {d} coordinates, {bad} violations (exact rationals)",
    )


def check_vanishing(s: Sequence[int], points: Sequence[Point]) -> Finding:
    """Odd ``k``: ``f_S ≡ 0`` for ``k ≥ 3`` and ``f_S(x) = x_i`` for ``k = 1`` on the points."""
    k = len(s)
    want = (lambda x: x[s[0]]) if k == 1 else (lambda x: Fraction(0))
    bad = sum(f_s(s, x) != want(x) for x in points)
    what = f"f_S = x_{s[0]}" if k == 1 else "f_S ≡ 0"
    return Finding(f"odd k = {k}: {what}", bad == 0, f"{len(points)} points, {bad} violations")


def check_orbit_averages(
    pairs: Sequence[tuple[Sequence[int], Sequence[int]]], points: Sequence[Point]
) -> Finding:
    """Orbit sums of ``f_S f_T`` over the sign flips of ``S ∪ T`` vanish for ``S ≠ T``.

    The detail counts the orbit points where ``f_S f_T ≠ 0``: the sums cancel, they are not
    sums of zeros.  (``f_S`` itself vanishes on whole cones for ``k ≥ 4``, e.g. where one
    coordinate of ``x_S`` dominates the others, so single orbits of ``f_S²`` may be 0.)
    """
    nonzero = terms = 0
    for a, b in pairs:
        coords = sorted(set(a) | set(b))
        for x in points:
            vals = orbit_values(x, coords, lambda y, a=a, b=b: f_s(a, y) * f_s(b, y))
            nonzero += sum(vals, Fraction(0)) != 0
            terms += sum(v != 0 for v in vals)
    return Finding(
        "orbit averages of f_S f_T",
        nonzero == 0,
        f"{len(pairs)} pairs S ≠ T × {len(points)} points: {nonzero} nonzero sums "
        f"({terms} nonzero terms cancelled)",
    )


def low_degree_monomials(d: int, k: int, limit: int) -> list[tuple[int, ...]]:
    """The first ``limit`` monomials of degree ``< k`` in ``d`` variables, lowest degrees first
    (as multisets of coordinates; never listing the others)."""
    every = (m for deg in range(k) for m in itertools.combinations_with_replacement(range(d), deg))
    return list(itertools.islice(every, limit))


def check_low_degree(s: Sequence[int], d: int, points: Sequence[Point], limit: int) -> Finding:
    """Orbit sums of ``f_S · x^α`` vanish for every monomial of degree ``|α| < k`` (at most
    ``limit`` monomials, lowest degrees first)."""
    k = len(s)
    monomials = low_degree_monomials(d, k, limit)
    nonzero = 0
    for m in monomials:
        coords = sorted(set(s) | set(m))

        def g(y: Point, m=m) -> Fraction:
            mono = Fraction(1)
            for i in m:
                mono *= y[i]
            return f_s(s, y) * mono

        nonzero += sum(orbit_sum(x, coords, g) != 0 for x in points)
    return Finding(
        "orthogonal to degree < k",
        nonzero == 0,
        f"{len(monomials)} monomials of degree < {k} × {len(points)} points: {nonzero} nonzero",
    )


def check_c_integers(
    s: Sequence[int], pairs: Sequence[tuple[Sequence[int], Sequence[int]]]
) -> Finding:
    """``C_j`` (brute force over ``4^k`` pairs of sign vectors) equals the closed form for
    ``S = T`` and vanishes for every listed ``S ≠ T``."""
    k = len(s)
    c = c_counts(s, s)
    same = c == c_closed_form(k)
    zero = all(not any(c_counts(a, b).values()) for a, b in pairs)
    shown = " ".join(f"C_{j}={v}" for j, v in c.items() if v)
    return Finding(
        "integers C_j",
        same and zero,
        f"S = T: {shown or 'all 0'} (closed form 2^k(−1)^m C(k,m): {same}); "
        f"all C_j = 0 for {len(pairs)} pairs S ≠ T: {zero}",
    )


def check_norm(k: int, rng: np.random.Generator, mc_samples: int) -> list[Finding]:
    """``‖f_S‖²`` under N(0, I) to :data:`DIGITS` digits and its cross-checks."""
    out = []
    with mpmath.workdps(DIGITS + 10):
        value = inner_product(c_counts(range(k), range(k)), k, DIGITS)
        tol = mpmath.mpf(10) ** (2 - DIGITS) * max(1, abs(value))
        text = mpmath.nstr(mpmath.chop(value, tol), DIGITS)
        if k % 2 == 0:
            other = abs_kernel_norm(k, DIGITS)
            how = "|·| kernel, E|X||Y| = (2/π)(√(1−ρ²) + ρ arcsin ρ)"
        elif k == 1:
            other, how = mpmath.mpf(1), "f_S = x_i, E x_i² = 1"
        else:
            other, how = mpmath.mpf(0), "f_S ≡ 0"
        agree = abs(value - other) <= tol
        out.append(
            Finding(
                "‖f_S‖² under N(0, I)",
                agree,
                f"{text} (arc-cosine kernel); = {mpmath.nstr(other, DIGITS)} by {how}",
                exact=False,
            )
        )
        if k == 2:
            quad = quadrature_norm_k2(DIGITS)
            closed = 4 * (mpmath.pi - 2) / mpmath.pi
            ok = abs(quad - value) <= tol and abs(closed - value) <= tol
            out.append(
                Finding(
                    "‖f_S‖² by quadrature (k = 2)",
                    ok,
                    f"{mpmath.nstr(quad, DIGITS)}; closed form 4(π−2)/π = "
                    f"{mpmath.nstr(closed, DIGITS)}",
                    exact=False,
                )
            )
    if k % 2 and k >= 3:
        return out  # f_S ≡ 0: nothing to estimate
    mean, se = monte_carlo_norm(k, mc_samples, rng)
    z = (mean - float(value)) / se if se > 0 else 0.0
    out.append(
        Finding(
            "‖f_S‖² by Monte Carlo",
            None,
            f"{mean:.5f} ± {se:.5f} (1 s.e., {mc_samples} draws), "
            f"{z:+.2f} s.e. from the closed form",
            exact=False,
        )
    )
    return out
