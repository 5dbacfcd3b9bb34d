"""The exact cell optimum: a convex quadratic over a polyhedral cone, in rationals.

On the closure of an activation cell the loss is ``q(θ) = θᵀGθ − 2hᵀθ + Y`` (``Y = Σ c_i y_i²``)
and the cell is ``K = {θ : Aθ ≥ 0}``.  The cell optimum ``min_K q`` is attained and equals
``q(θ_T)`` for the tight set ``T`` of any KKT point: ``θ_T`` minimises ``q`` on the subspace
``{A_T θ = 0}``, is feasible, and ``2(Gθ_T − h) = A_Tᵀμ`` with ``μ ≥ 0``.  :func:`exact_cone_qp`
is the primal active-set method started at the apex ``θ = 0`` (always feasible) in ``Fraction``
arithmetic with Bland's rule: on the current working set take the minimum-norm minimiser on its
subspace, step until a constraint blocks, drop a constraint with a negative multiplier at
subspace optima.  It terminates with the exact rational optimum and its KKT certificate.  The
float twin is :func:`exactfit.solvers.enumeration.cellqp.solve_cone_qp`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from exactfit.exact.linalg import rref

__all__ = ["ExactConeQP", "exact_cone_qp"]

Vec = list[Fraction]
Mat = list[list[Fraction]]


def _nullspace(A: Mat, D: int) -> Mat:
    """Basis of ``{x : Ax = 0}`` as columns (returned as a list of vectors)."""
    if not A:
        return [[Fraction(int(i == j)) for i in range(D)] for j in range(D)]
    R, piv = rref(A)
    free = [c for c in range(D) if c not in piv]
    basis = []
    for f in free:
        x = [Fraction(0)] * D
        x[f] = Fraction(1)
        for row, pc in zip(R, piv, strict=True):
            x[pc] = -row[f]
        basis.append(x)
    return basis


def _solve_square(M: Mat, v: Vec) -> Vec:
    n = len(M)
    aug = [[*M[i], v[i]] for i in range(n)]
    R, piv = rref(aug)
    if len(piv) != n or piv[-1] >= n:
        raise ZeroDivisionError("singular system")
    return [R[i][n] for i in range(n)]


def _min_norm(M: Mat, v: Vec, D: int) -> Vec:
    """Minimum-norm solution of the consistent system ``Mx = v``."""
    if not M:
        return [Fraction(0)] * D
    R, piv = rref([[*row, vi] for row, vi in zip(M, v, strict=True)])
    if piv and piv[-1] == D:
        raise ValueError("inconsistent system")
    rows = [r[:D] for r in R]
    rhs = [r[D] for r in R]
    if not rows:
        return [Fraction(0)] * D
    gram = [
        [sum((a * b for a, b in zip(r1, r2, strict=True)), Fraction(0)) for r2 in rows]
        for r1 in rows
    ]
    y = _solve_square(gram, rhs)
    return [sum((rows[k][j] * y[k] for k in range(len(rows))), Fraction(0)) for j in range(D)]


def _matvec(M: Mat, x: Vec) -> Vec:
    return [sum((a * b for a, b in zip(row, x, strict=True)), Fraction(0)) for row in M]


@dataclass(frozen=True)
class ExactConeQP:
    """The exact cell optimum: point, value ``q(θ) − Y``, tight set, multipliers, and whether
    the KKT conditions hold exactly (they always do when the method terminates)."""

    theta: tuple[Fraction, ...]
    value: Fraction
    working: tuple[int, ...]
    multipliers: tuple[Fraction, ...]
    certified: bool


def exact_cone_qp(
    G: Sequence[Sequence[Fraction]],
    h: Sequence[Fraction],
    A: Sequence[Sequence[Fraction]],
    max_iter: int = 100000,
    check: Callable[[], None] | None = None,
) -> ExactConeQP:
    """Minimise ``θᵀGθ − 2hᵀθ`` on ``{Aθ ≥ 0}`` exactly (rational primal active set, Bland).

    The run starts at the apex with an empty working set, so its result depends on the
    system only.  ``check`` (optional) is called once per iteration and may raise to abandon
    the solve.
    """
    G = [[Fraction(v) for v in row] for row in G]
    h = [Fraction(v) for v in h]
    A = [[Fraction(v) for v in row] for row in A]
    D = len(h)
    theta = [Fraction(0)] * D
    W: list[int] = []
    mu: list[Fraction] = []
    for _ in range(max_iter):
        if check is not None:
            check()
        AW = [A[i] for i in W]
        N = _nullspace(AW, D)
        g0 = [a - b for a, b in zip(h, _matvec(G, theta), strict=True)]
        # p minimises q(θ + p) on {A_W p = 0}: A_W p = 0 and Nᵀ(Gp − g0) = 0; take min norm.
        NG = [[sum((nv[k] * G[k][j] for k in range(D)), Fraction(0)) for j in range(D)] for nv in N]
        M = AW + NG
        v = [Fraction(0)] * len(AW) + [
            sum((a * b for a, b in zip(nv, g0, strict=True)), Fraction(0)) for nv in N
        ]
        p = _min_norm(M, v, D)
        if all(x == 0 for x in p):
            grad = [2 * (a - b) for a, b in zip(_matvec(G, theta), h, strict=True)]
            if not W:
                mu = []
                break
            # A_W has independent rows: μ = (A_W A_Wᵀ)^{-1} A_W grad
            gram = [
                [sum((a * b for a, b in zip(r1, r2, strict=True)), Fraction(0)) for r2 in AW]
                for r1 in AW
            ]
            mu = _solve_square(gram, _matvec(AW, grad))
            neg = [k for k, m in enumerate(mu) if m < 0]
            if not neg:
                break
            drop = min(neg, key=lambda k: W[k])
            W.pop(drop)
            continue
        Ap = _matvec(A, p)
        At = _matvec(A, theta)
        alpha, add = Fraction(1), -1
        for i, (ap, at) in enumerate(zip(Ap, At, strict=True)):
            if i in W or ap >= 0:
                continue
            r = at / -ap
            if r < alpha or (r == alpha and add >= 0 and i < add):
                alpha, add = r, i
        theta = [t + alpha * x for t, x in zip(theta, p, strict=True)]
        if add >= 0:
            W.append(add)
    else:
        raise RuntimeError("exact active-set method did not terminate")
    grad = [2 * (a - b) for a, b in zip(_matvec(G, theta), h, strict=True)]
    AW = [A[i] for i in W]
    stat = [
        g - sum((AW[k][j] * mu[k] for k in range(len(W))), Fraction(0)) for j, g in enumerate(grad)
    ]
    feasible = all(v >= 0 for v in _matvec(A, theta))
    certified = feasible and all(m >= 0 for m in mu) and all(s == 0 for s in stat)
    value = sum((theta[i] * G[i][j] * theta[j] for i in range(D) for j in range(D)), Fraction(0))
    value -= 2 * sum((a * b for a, b in zip(h, theta, strict=True)), Fraction(0))
    return ExactConeQP(tuple(theta), value, tuple(W), tuple(mu), certified)
