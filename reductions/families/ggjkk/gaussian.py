"""Inner products of the family under N(0, I): the integers ``C_j``, the arc-cosine kernel,
and two independent cross-checks of the closed form.

For unit vectors at correlation ``ρ``, ``E[σ(u·x) σ(v·x)] = ‖u‖‖v‖ J(ρ) / (2π)`` with the
degree-1 arc-cosine kernel ``J(ρ) = √(1 − ρ²) + (π − arccos ρ) ρ``.  All first-layer weights of
``f_S`` and ``f_T`` have norm ``√k`` and integer inner products ``j ∈ {−k, …, k}``, so

    E[f_S f_T] = (k / 2π) Σ_j C_j J(j / k),   C_j = Σ_{⟨w, v⟩ = j} χ(w) χ(v)   (integers),

with ``C_{k−2m} = 2^k (−1)^m binom(k, m)`` when ``S = T`` and every ``C_j = 0`` when ``S ≠ T``.
For even ``k`` the same number follows from ``f_S = ½ Σ χ(w) |⟨w, x_S⟩|`` and the kernel of
``|·|``, ``E|u·x||v·x| = (2/π) ‖u‖‖v‖ (√(1 − ρ²) + ρ arcsin ρ)``: a second derivation.
Proofs: ``docs/families/ggjkk.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import mpmath
import numpy as np

from reductions.families.ggjkk.construction import chi, sign_vectors

__all__ = [
    "abs_kernel_norm",
    "arccos_kernel",
    "c_closed_form",
    "c_counts",
    "inner_product",
    "monte_carlo_norm",
    "quadrature_norm_k2",
]


def _embed(subset: Sequence[int], w: Sequence[int]) -> dict[int, int]:
    return dict(zip(subset, w, strict=True))


def c_counts(s: Sequence[int], t: Sequence[int]) -> dict[int, int]:
    """``C_j = Σ_{w, v: ⟨w, v⟩ = j} χ(w) χ(v)`` over ``w ∈ {±1}^S``, ``v ∈ {±1}^T`` (brute force,
    ``4^k`` pairs), for ``j = −k..k`` when ``|S| = |T| = k``."""
    k = len(s)
    out = dict.fromkeys(range(-k, k + 1), 0)
    for w in sign_vectors(len(s)):
        ew = _embed(s, w)
        for v in sign_vectors(len(t)):
            ev = _embed(t, v)
            j = sum(ew[i] * ev[i] for i in ew.keys() & ev.keys())
            out[j] += chi(w) * chi(v)
    return out


def c_closed_form(k: int) -> dict[int, int]:
    """``C_j`` for ``S = T``: ``C_{k−2m} = 2^k (−1)^m binom(k, m)``, other ``j`` zero."""
    out = dict.fromkeys(range(-k, k + 1), 0)
    for m in range(k + 1):
        out[k - 2 * m] = 2**k * (-1) ** m * math.comb(k, m)
    return out


def arccos_kernel(rho: mpmath.mpf) -> mpmath.mpf:
    """``J(ρ) = √(1 − ρ²) + (π − arccos ρ) ρ`` (``2π E[σ(X)σ(Y)]`` for unit-variance X, Y)."""
    rho = mpmath.mpf(rho)
    return mpmath.sqrt(1 - rho**2) + (mpmath.pi - mpmath.acos(rho)) * rho


def inner_product(c: dict[int, int], k: int, digits: int = 30) -> mpmath.mpf:
    """``E[f_S f_T] = (k/2π) Σ_j C_j J(j/k)`` under N(0, I), at ``digits`` significant digits."""
    with mpmath.workdps(digits + 10):
        total = mpmath.fsum(cj * arccos_kernel(mpmath.mpf(j) / k) for j, cj in c.items() if cj)
        return +(k * total / (2 * mpmath.pi))


def abs_kernel_norm(k: int, digits: int = 30) -> mpmath.mpf:
    """``‖f_S‖²`` for even ``k`` from ``f_S = ½ Σ χ(w)|⟨w, x_S⟩|`` and
    ``E|X||Y| = (2/π)(√(1 − ρ²) + ρ arcsin ρ)`` (unit variances): independent of :func:`c_counts`
    and of the arc-cosine kernel."""
    if k % 2:
        raise ValueError("the |·| representation holds for even k only")
    with mpmath.workdps(digits + 10):
        total = mpmath.mpf(0)
        for w in sign_vectors(k):
            for v in sign_vectors(k):
                rho = mpmath.mpf(sum(a * b for a, b in zip(w, v, strict=True))) / k
                g = mpmath.sqrt(1 - rho**2) + rho * mpmath.asin(rho)
                total += chi(w) * chi(v) * k * 2 * g / mpmath.pi
        return +(total / 4)


def quadrature_norm_k2(digits: int = 30) -> mpmath.mpf:
    """``‖f_S‖²`` for ``k = 2`` by numerical quadrature: ``f_S`` is positively homogeneous of
    degree 1, so ``E f² = E[r²] · (1/2π) ∫ f(cos θ, sin θ)² dθ`` with ``E[r²] = 2`` in the
    plane; the integrand is smooth between its kinks at multiples of π/4, which are the
    quadrature's break points."""
    with mpmath.workdps(digits + 10):

        def f2(theta: mpmath.mpf) -> mpmath.mpf:
            x, y = mpmath.cos(theta), mpmath.sin(theta)
            val = sum(chi(w) * max(mpmath.mpf(0), w[0] * x + w[1] * y) for w in sign_vectors(2))
            return val**2

        breaks = [mpmath.pi * i / 4 for i in range(9)]
        integral = mpmath.quad(f2, breaks)
        return +(2 * integral / (2 * mpmath.pi))


def monte_carlo_norm(k: int, samples: int, rng: np.random.Generator) -> tuple[float, float]:
    """A Monte Carlo estimate of ``E f_S²`` under N(0, I_k) and its standard error (floats)."""
    x = rng.normal(size=(samples, k))
    w = np.array(sign_vectors(k), dtype=float)
    signs = np.prod(w, axis=1)
    f = np.maximum(x @ w.T, 0.0) @ signs
    sq = f * f
    return float(sq.mean()), float(sq.std(ddof=1) / math.sqrt(samples))
