"""The orthogonal family ``f_S(x) = Σ_{w ∈ {±1}^k} χ(w) σ(⟨w, x_S⟩)`` and its exact evaluation.

For a k-subset ``S`` of the coordinates ``{0, …, d−1}`` (listed increasingly), ``x_S ∈ R^k`` is
the restriction of ``x``, ``χ(w) = Π_i w_i`` the parity character and ``σ(t) = max(0, t)``.
``f_S`` is a bias-free depth-2 ReLU network with ``2^k`` units, first-layer weights ``±1`` on
``S`` (0 elsewhere) and output signs ``χ(w)`` — exactly exactfit's class with free signs.
Proofs of its properties (reflection, orthogonality, ``f_S ≡ 0`` for odd ``k ≥ 3``):
``docs/families/ggjkk.md``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from exactfit.errors import InputError
from exactfit.limits import MAX_ENTRIES, MAX_UNITS, check_cap
from exactfit.network import ReluNetwork, Unit

__all__ = [
    "MAX_K",
    "check_subset",
    "chi",
    "f_s",
    "gaussian_points",
    "planted_network",
    "random_subset",
    "reflect",
    "sign_vectors",
]

#: ``2^k`` units must fit exactfit's unit cap.
MAX_K = int(math.log2(MAX_UNITS))


def sign_vectors(k: int) -> list[tuple[int, ...]]:
    """All ``w ∈ {±1}^k`` in lexicographic order of ``(+1, −1)``."""
    return list(itertools.product((1, -1), repeat=k))


def chi(w: Sequence[int]) -> int:
    """The parity character ``χ(w) = Π_i w_i`` of a sign vector."""
    return math.prod(w)


def check_k(k: int, *, allow_odd: bool = False) -> None:
    """Refuse ``k`` outside ``1..MAX_K``, and odd ``k ≥ 3`` (where ``f_S ≡ 0``) unless allowed."""
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise InputError(
            f"ggjkk: expected K in 1..{MAX_K} (2^K units, at most {MAX_UNITS}), found {k!r}"
        )
    if not allow_odd and k >= 3 and k % 2 == 1:
        raise InputError(
            f"ggjkk: K = {k} is odd, and for odd K ≥ 3 f_S ≡ 0 with ReLU (σ(t) − σ(−t) = t "
            "and Σ_w χ(w)w = 0 give f_S(x) = f_S(−x) = −f_S(x)); choose an even K or K = 1"
        )


def check_subset(subset: Sequence[int], d: int, k: int) -> tuple[int, ...]:
    """``subset`` as an increasing tuple of ``k`` distinct coordinates in ``0..d−1``."""
    s = tuple(sorted(int(i) for i in subset))
    if len(set(s)) != len(s) or len(s) != k or (s and not 0 <= s[0] <= s[-1] < d):
        raise InputError(
            f"ggjkk: expected a subset of {k} distinct coordinates in 0..{d - 1}, "
            f"found {list(subset)}"
        )
    return s


def random_subset(d: int, k: int, rng: np.random.Generator) -> tuple[int, ...]:
    """A uniform k-subset of ``{0, …, d−1}``."""
    return tuple(sorted(int(i) for i in rng.choice(d, size=k, replace=False)))


def f_s(subset: Sequence[int], x: Sequence[Fraction]) -> Fraction:
    """``f_S(x)`` evaluated exactly from the definition (no network object)."""
    xs = [Fraction(x[i]) for i in subset]
    total = Fraction(0)
    for w in sign_vectors(len(xs)):
        t = sum((wi * xi for wi, xi in zip(w, xs, strict=True)), Fraction(0))
        if t > 0:
            total += chi(w) * t
    return total


def planted_network(subset: Sequence[int], d: int) -> ReluNetwork:
    """``f_S`` as an exactfit network: ``2^k`` units ``Unit(a=χ(w), w embedded in R^d, b=0)``."""
    units = []
    for w in sign_vectors(len(subset)):
        row = [Fraction(0)] * d
        for i, wi in zip(subset, w, strict=True):
            row[i] = Fraction(wi)
        units.append(Unit(chi(w), tuple(row), Fraction(0)))
    return ReluNetwork(tuple(units))


def reflect(x: Sequence[Fraction], i: int) -> tuple[Fraction, ...]:
    """``R_i x``: the point with coordinate ``i`` negated."""
    return tuple(-v if j == i else v for j, v in enumerate(x))


def gaussian_points(
    n: int, d: int, rng: np.random.Generator, digits: int
) -> tuple[tuple[Fraction, ...], ...]:
    """``n`` standard normal draws in ``R^d``, each coordinate rounded to a multiple of
    ``10^−digits`` and stored as an exact ``Fraction``.

    Rounding each coordinate to a symmetric grid keeps the law invariant under every
    coordinate sign flip, the only symmetry the orthogonality proof uses.
    """
    check_cap(n * (d + 1), MAX_ENTRIES, "ggjkk: numbers n·(d + 1)", "use smaller N or D")
    scale = 10**digits
    grid = np.rint(rng.normal(size=(n, d)) * scale).astype(np.int64)
    return tuple(tuple(Fraction(int(v), scale) for v in row) for row in grid)
