"""Exact cell systems: the loss on a product of closed chambers as a rational quadratic.

With lifted points ``z_i`` (:func:`lifted_points`), weights ``c_i`` and labels ``y_i``, let unit
``j`` (output sign ``a_j``) lie in the closed chamber with sign pattern ``s_j`` and active set
``S_j``.  On the product of these cones the loss of ``k`` units is
``θᵀGθ − 2hᵀθ + Y`` with the blocks ``G_{jl} = a_j a_l Σ_{i ∈ S_j ∩ S_l} c_i z_i z_iᵀ`` and
``h_j = a_j Σ_{i ∈ S_j} c_i y_i z_i``, and the cones are ``{θ : Aθ ≥ 0}`` with one row
``±n_g`` (the sign of ``s_j`` on hyperplane ``g``) per unit and hyperplane (:func:`cell_system`).
:func:`ls_value` is the unconstrained minimum ``−hᵀG⁺h`` of such a quadratic (up to ``Y``).

The sums are exact integer sums: :class:`PointFeatures` writes every point's ``c_i z_i z_iᵀ``
and ``c_i y_i z_i`` once over two common denominators, so a chamber's ``G`` and ``h`` cost one
integer addition per active point and entry and one division per entry, not a ``Fraction``
product and sum per point and entry.  The features of the last data seen are kept (compared by
value), because callers build thousands of systems over the same points, one chamber at a time.
:func:`ls_value` eliminates with FLINT (:mod:`exactfit.exact.linalg`).  The cone QP over these
systems is :func:`exactfit.exact.coneqp.exact_cone_qp`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import flint

from exactfit.exact.linalg import rref_q, to_fmpq, to_fraction
from exactfit.problem import FitProblem

__all__ = ["PointFeatures", "cell_system", "lifted_points", "ls_value"]

Vec = list[Fraction]
Mat = list[list[Fraction]]


def lifted_points(problem: FitProblem) -> list[tuple[Fraction, ...]]:
    """The exact lifted points ``z_i = (x_i, 1)`` (with a bias) or ``z_i = x_i``."""
    if problem.bias:
        return [(*x, Fraction(1)) for x in problem.X]
    return [tuple(x) for x in problem.X]


def _over_common_denominator(values: list[list[Fraction]]) -> tuple[list[list[int]], int]:
    """Integer numerators of every value over the least common denominator ``L``."""
    L = math.lcm(1, *(v.denominator for row in values for v in row))
    return [[v.numerator * (L // v.denominator) for v in row] for row in values], L


@dataclass(frozen=True)
class PointFeatures:
    """Every point's ``c_i z_i z_iᵀ`` (upper triangle, row by row) and ``c_i y_i z_i`` as
    integers over the common denominators ``gram_den`` and ``rhs_den``, column by column.

    Attributes
    ----------
    key
        The data the features were built from (points, weights, labels), for the memo.
    D
        The length of a lifted point.
    gram, rhs
        Per entry (``D(D+1)/2`` of ``zzᵀ``, ``D`` of ``z``), the integer numerator per point.
    """

    key: tuple[tuple[tuple[Fraction, ...], ...], tuple[Fraction, ...], tuple[Fraction, ...]]
    D: int
    gram: tuple[tuple[int, ...], ...]
    gram_den: int
    rhs: tuple[tuple[int, ...], ...]
    rhs_den: int

    @classmethod
    def build(
        cls,
        points: Sequence[Sequence[Fraction]],
        weights: Sequence[Fraction],
        labels: Sequence[Fraction],
    ) -> PointFeatures:
        """The features of the lifted ``points`` with ``weights`` and ``labels``."""
        key = (tuple(map(tuple, points)), tuple(weights), tuple(labels))
        P = [[Fraction(v) for v in z] for z in key[0]]
        c = [Fraction(v) for v in key[1]]
        y = [Fraction(v) for v in key[2]]
        D = len(P[0]) if P else 0
        tri = [(t, u) for t in range(D) for u in range(t, D)]
        gram, gd = _over_common_denominator(
            [[ci * z[t] * z[u] for z, ci in zip(P, c, strict=True)] for t, u in tri]
        )
        rhs, rd = _over_common_denominator(
            [[ci * yi * z[t] for z, ci, yi in zip(P, c, y, strict=True)] for t in range(D)]
        )
        return cls(key, D, tuple(map(tuple, gram)), gd, tuple(map(tuple, rhs)), rd)

    def gram_block(self, S: Sequence[int], sign: int) -> Mat:
        """``sign · Σ_{i ∈ S} c_i z_i z_iᵀ``, a full symmetric ``D × D`` block."""
        D, den = self.D, self.gram_den
        sums = iter([sign * sum([col[i] for i in S]) for col in self.gram])
        block = [[Fraction(0)] * D for _ in range(D)]
        for t in range(D):
            for u in range(t, D):
                block[t][u] = block[u][t] = Fraction(next(sums), den)
        return block

    def rhs_block(self, S: Sequence[int], sign: int) -> Vec:
        """``sign · Σ_{i ∈ S} c_i y_i z_i``."""
        return [Fraction(sign * sum([col[i] for i in S]), self.rhs_den) for col in self.rhs]


_MEMO: list[PointFeatures] = []


def _features(points, weights, labels) -> PointFeatures:
    """The :class:`PointFeatures` of the data, reused when it equals the last data seen.

    The comparison is by value, so changed data never reuse stale features; it is cheap
    because the key keeps the caller's own number objects and tuple equality short-cuts on
    identical objects (only the bias coordinates of fresh lifted points compare by value)."""
    key = (tuple(map(tuple, points)), tuple(weights), tuple(labels))
    if _MEMO and _MEMO[0].key == key:
        return _MEMO[0]
    feats = PointFeatures.build(points, weights, labels)
    _MEMO[:] = [feats]
    return feats


def cell_system(
    points: Sequence[Sequence[Fraction]],
    weights: Sequence[Fraction],
    labels: Sequence[Fraction],
    normals: Sequence[Sequence[int | Fraction]],
    patterns: Sequence[Sequence[bool]],
    active: Sequence[Sequence[bool]],
    signs: Sequence[int],
) -> tuple[Mat, Vec, list[list[int | Fraction]]]:
    """Exact ``(G, h, A)`` of ``k`` units on the product of their closed chambers.

    Parameters
    ----------
    points, weights, labels
        The lifted points ``z_i`` (length ``D`` each), their weights ``c_i`` and labels ``y_i``.
    normals
        The normal ``n_g`` of each distinct hyperplane: integers (the primitive normals of the
        arrangement) or rationals (e.g. the points themselves), kept exact either way.
    patterns
        Per unit, the chamber's sign on each hyperplane (True: ``n_g·θ ≥ 0``).
    active
        Per unit, whether each point is active in that chamber.
    signs
        The output sign ``a_j`` of each unit.

    Returns
    -------
    G : (kD, kD), h : (kD,) lists of Fractions; A : (k·m, kD) lists of the normals' entries
        The loss is ``θᵀGθ − 2hᵀθ + Σ c_i y_i²`` on ``{Aθ ≥ 0}``, ``θ`` the units' parameters
        one after the other.  ``A``'s rows are ``±n_g`` as given (ints stay ints: an int is a
        rational, and building a ``Fraction`` per entry would cost more than the sums).
    """
    feats = _features(points, weights, labels)
    k, D = len(signs), feats.D
    S = [[i for i, on in enumerate(act) if on] for act in active]
    G = [[Fraction(0)] * (k * D) for _ in range(k * D)]
    h: Vec = []
    for j in range(k):
        h += feats.rhs_block(S[j], int(signs[j]))
        for l in range(j, k):
            both = S[j] if l == j else sorted(set(S[j]).intersection(S[l]))
            block = feats.gram_block(both, int(signs[j]) * int(signs[l]))
            for t in range(D):
                G[j * D + t][l * D : (l + 1) * D] = block[t]
                if l != j:  # the lower triangle is the mirror image
                    for u in range(D):
                        G[l * D + u][j * D + t] = block[t][u]
    A = []
    for j, pat in enumerate(patterns):
        for g, normal in enumerate(normals):
            row = [0] * (k * D)
            row[j * D : (j + 1) * D] = [v if pat[g] else -v for v in normal]
            A.append(row)
    return G, h, A


def ls_value(G: Mat, h: Vec) -> Fraction:
    """``hᵀG⁺h`` exactly (``h`` is in the range of ``G``: any solution of ``Gx = h`` will do)."""
    D = len(h)
    aug = flint.fmpq_mat(D, D + 1, [to_fmpq(v) for i in range(D) for v in (*G[i], h[i])])
    R, piv = rref_q(aug)
    if piv and piv[-1] == D:
        raise ArithmeticError("h outside the range of G")
    value = flint.fmpq(0)
    for i, pc in enumerate(piv):  # x[pc] = R[i, D], the free unknowns 0
        value += to_fmpq(h[pc]) * R[i, D]
    return to_fraction(value)
