"""The distinct hyperplanes ``{θ : z_i·θ = 0}`` of a set of lifted points, and Cover's count.

Points are grouped exactly: each nonzero ``z_i`` is a positive multiple of ``±`` the primitive
integer normal of its hyperplane (first nonzero entry positive), so repeated and opposite
points share one hyperplane and ``z_i = 0`` has none (it is never active).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

__all__ = ["Hyperplanes", "cover_count", "hyperplanes"]


def cover_count(m: int, dim: int) -> int:
    """Chambers of ``m`` hyperplanes through the origin of ``R^dim`` in general position.

    ``2·Σ_{i<dim} C(m−1, i)`` (Cover 1965), an upper bound for any central arrangement of
    ``m`` distinct hyperplanes; 1 when ``m = 0``.
    """
    if m == 0:
        return 1
    return 2 * sum(math.comb(m - 1, i) for i in range(min(dim, m)))


def _primitive(vec: Sequence[Fraction | int]) -> tuple[tuple[int, ...], int]:
    """Primitive integer vector on the line of ``vec`` with first nonzero entry > 0, and the
    orientation ``±1`` with ``vec = λ·sign·primitive`` (λ > 0); ``((), 0)`` for the zero vector.

    Takes rationals or Python integers (an ``int`` is a rational with denominator 1)."""
    den = 1
    for v in vec:
        den = den * v.denominator // math.gcd(den, v.denominator)
    ints = [int(v * den) for v in vec]
    g = 0
    for v in ints:
        g = math.gcd(g, v)
    if g == 0:
        return (), 0
    ints = [v // g for v in ints]
    lead = next(v for v in ints if v != 0)
    sign = 1 if lead > 0 else -1
    return tuple(sign * v for v in ints), sign


@dataclass(frozen=True)
class Hyperplanes:
    """The distinct hyperplanes ``{θ : z_i·θ = 0}`` of a set of lifted points.

    Attributes
    ----------
    exact : tuple of tuple of int
        Primitive integer normal of each distinct hyperplane (first nonzero entry positive).
    normals : (m, D) float array
        The same normals scaled to unit length.
    group : (n,) int array
        Index of the hyperplane of each point, ``−1`` for ``z_i = 0`` (never active).
    orient : (n,) int array
        ``z_i = λ_i·orient_i·normal_{group_i}`` with ``λ_i > 0``; 0 for ``z_i = 0``.  A point is
        active in the chamber with signs ``s`` iff ``orient_i·s_{group_i} = +1``.
    """

    exact: tuple[tuple[int, ...], ...]
    normals: np.ndarray
    group: np.ndarray
    orient: np.ndarray

    @property
    def m(self) -> int:
        return len(self.exact)

    def active(self, signs: np.ndarray) -> np.ndarray:
        """Boolean activity ``(…, n)`` of the points for chamber signs ``(…, m)`` (bool = +)."""
        signs = np.asarray(signs, dtype=bool)
        if self.m == 0:
            return np.zeros((*signs.shape[:-1], len(self.group)), dtype=bool)
        g = np.where(self.group >= 0, self.group, 0)
        s = signs[..., g]
        return np.where(self.orient > 0, s, np.where(self.orient < 0, ~s, False))


def hyperplanes(points: Sequence[Sequence[Fraction]]) -> Hyperplanes:
    """Group exact points ``z_i`` by the hyperplane ``z_i·θ = 0`` they define."""
    index: dict[tuple[int, ...], int] = {}
    exact: list[tuple[int, ...]] = []
    group = np.full(len(points), -1, dtype=np.int64)
    orient = np.zeros(len(points), dtype=np.int64)
    for i, z in enumerate(points):
        prim, sign = _primitive(z)
        if sign == 0:
            continue
        g = index.get(prim)
        if g is None:
            g = index[prim] = len(exact)
            exact.append(prim)
        group[i] = g
        orient[i] = sign
    dim = len(points[0]) if len(points) else 0
    if exact:
        # Scaling via floats of huge integers can overflow: normalise by the largest entry first.
        normals = np.array(
            [[float(Fraction(v, max(abs(x) for x in e))) for v in e] for e in exact],
            dtype=float,
        )
        normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    else:
        normals = np.zeros((0, dim))
    return Hyperplanes(tuple(exact), normals, group, orient)
