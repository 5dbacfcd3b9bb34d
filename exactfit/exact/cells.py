"""Exact cell systems: the loss on a product of closed chambers as a rational quadratic.

With lifted points ``z_i`` (:func:`lifted_points`), weights ``c_i`` and labels ``y_i``, let unit
``j`` (output sign ``a_j``) lie in the closed chamber with sign pattern ``s_j`` and active set
``S_j``.  On the product of these cones the loss of ``k`` units is
``θᵀGθ − 2hᵀθ + Y`` with the blocks ``G_{jl} = a_j a_l Σ_{i ∈ S_j ∩ S_l} c_i z_i z_iᵀ`` and
``h_j = a_j Σ_{i ∈ S_j} c_i y_i z_i``, and the cones are ``{θ : Aθ ≥ 0}`` with one row
``±n_g`` (the sign of ``s_j`` on hyperplane ``g``) per unit and hyperplane (:func:`cell_system`).
:func:`ls_value` is the unconstrained minimum ``−hᵀG⁺h`` of such a quadratic (up to ``Y``).
Everything is ``Fraction`` arithmetic, so the systems are exact; the cone QP over them is
:func:`exactfit.exact.coneqp.exact_cone_qp`.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from exactfit.exact.linalg import rref
from exactfit.problem import FitProblem

__all__ = ["cell_system", "lifted_points", "ls_value"]

Vec = list[Fraction]
Mat = list[list[Fraction]]


def lifted_points(problem: FitProblem) -> list[tuple[Fraction, ...]]:
    """The exact lifted points ``z_i = (x_i, 1)`` (with a bias) or ``z_i = x_i``."""
    if problem.bias:
        return [(*x, Fraction(1)) for x in problem.X]
    return [tuple(x) for x in problem.X]


def cell_system(
    points: Sequence[Sequence[Fraction]],
    weights: Sequence[Fraction],
    labels: Sequence[Fraction],
    normals: Sequence[Sequence[int]],
    patterns: Sequence[Sequence[bool]],
    active: Sequence[Sequence[bool]],
    signs: Sequence[int],
) -> tuple[Mat, Vec, Mat]:
    """Exact ``(G, h, A)`` of ``k`` units on the product of their closed chambers.

    Parameters
    ----------
    points, weights, labels
        The lifted points ``z_i`` (length ``D`` each), their weights ``c_i`` and labels ``y_i``.
    normals
        The integer normal ``n_g`` of each distinct hyperplane.
    patterns
        Per unit, the chamber's sign on each hyperplane (True: ``n_g·θ ≥ 0``).
    active
        Per unit, whether each point is active in that chamber.
    signs
        The output sign ``a_j`` of each unit.

    Returns
    -------
    G : (kD, kD), h : (kD,), A : (k·m, kD) lists of Fractions
        The loss is ``θᵀGθ − 2hᵀθ + Σ c_i y_i²`` on ``{Aθ ≥ 0}``, ``θ`` the units' parameters
        one after the other.
    """
    k, D = len(signs), len(points[0])
    G = [[Fraction(0)] * (k * D) for _ in range(k * D)]
    h = [Fraction(0)] * (k * D)
    for i, z in enumerate(points):
        units = [j for j in range(k) if active[j][i]]
        for j in units:
            aj = signs[j]
            for t in range(D):
                h[j * D + t] += aj * weights[i] * labels[i] * z[t]
            for l in units:
                if l < j:
                    continue  # the lower triangle is the mirror image, filled below
                w = aj * signs[l] * weights[i]
                for t in range(D):
                    for u in range(t if l == j else 0, D):
                        G[j * D + t][l * D + u] += w * z[t] * z[u]
    for r in range(k * D):
        for s in range(r):
            G[r][s] = G[s][r]
    A = []
    for j, pat in enumerate(patterns):
        for g, normal in enumerate(normals):
            row = [Fraction(0)] * (k * D)
            sgn = 1 if pat[g] else -1
            for t in range(D):
                row[j * D + t] = Fraction(sgn * normal[t])
            A.append(row)
    return G, h, A


def ls_value(G: Mat, h: Vec) -> Fraction:
    """``hᵀG⁺h`` exactly (``h`` is in the range of ``G``: any solution of ``Gx = h`` will do)."""
    D = len(h)
    R, piv = rref([[*G[i], h[i]] for i in range(D)])
    x = [Fraction(0)] * D
    for row, pc in zip(R, piv, strict=True):
        if pc == D:
            raise ArithmeticError("h outside the range of G")
        x[pc] = row[D]
    return sum((a * b for a, b in zip(h, x, strict=True)), Fraction(0))
