"""The plain ``Fraction`` algorithms: the readable specification of :mod:`exactfit.exact`.

These are the hand-written Gauss–Jordan elimination over Q, Bareiss elimination over Z, the
exact cell systems and the exact active-set cone QP in pure-Python ``Fraction`` arithmetic, as
the project ran them before the FLINT-backed versions (:mod:`.linalg`, :mod:`.cells`,
:mod:`.coneqp`) replaced them.  The solvers do not use them.  They stay because rationals are
unique: the fast paths must return exactly these numbers, and the tests check it on random and
degenerate systems; ``benchmarks/exact_linalg.py`` times one against the other.  Dependency
free and short, they are also what an independent checker may read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from exactfit.exact.coneqp import ExactConeQP

__all__ = ["cell_system", "exact_cone_qp", "int_det", "ls_value", "rref"]

Vec = list[Fraction]
Mat = list[list[Fraction]]


def rref(M: list[list[Fraction]]) -> tuple[list[list[Fraction]], list[int]]:
    """Reduced row echelon form of ``M`` over Q: its nonzero rows and their pivot columns.

    Gauss–Jordan elimination in ``Fraction`` arithmetic, so the result is exact: row ``i`` has
    a 1 in column ``pivots[i]`` and zeros in every other pivot column.
    """
    R = [row[:] for row in M]
    pivots: list[int] = []
    r = 0
    cols = len(R[0]) if R else 0
    for c in range(cols):
        piv = next((i for i in range(r, len(R)) if R[i][c] != 0), None)
        if piv is None:
            continue
        R[r], R[piv] = R[piv], R[r]
        inv = 1 / R[r][c]
        R[r] = [v * inv for v in R[r]]
        for i in range(len(R)):
            if i != r and R[i][c] != 0:
                f = R[i][c]
                R[i] = [a - f * b for a, b in zip(R[i], R[r], strict=True)]
        pivots.append(c)
        r += 1
        if r == len(R):
            break
    return R[:r], pivots


def int_det(M: list[list[int]]) -> int:
    """Exact determinant of a square integer matrix (Bareiss fraction-free elimination).

    Every intermediate entry is a minor of ``M``, so the divisions are exact and the integers
    stay as small as the minors themselves; O(n^3) integer operations.
    """
    A = [[int(v) for v in row] for row in M]
    n = len(A)
    if any(len(row) != n for row in A):
        raise ValueError(
            f"int_det: expected a square matrix, found {n} rows of lengths "
            f"{sorted({len(r) for r in A})}"
        )
    sign, prev = 1, 1
    for k in range(n - 1):
        if A[k][k] == 0:
            piv = next((i for i in range(k + 1, n) if A[i][k] != 0), None)
            if piv is None:
                return 0
            A[k], A[piv] = A[piv], A[k]
            sign = -sign
        akk = A[k][k]
        for i in range(k + 1, n):
            aik = A[i][k]
            row_i, row_k = A[i], A[k]
            for j in range(k + 1, n):
                row_i[j] = (row_i[j] * akk - aik * row_k[j]) // prev
        prev = akk
    return sign * A[n - 1][n - 1] if n else 1


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
