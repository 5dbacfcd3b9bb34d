"""The exact refit of any network on its activation cell (the cell's KKT system in rationals).

A floating-point solver returns an optimal network only up to its tolerance.  Fixing that
network's activation pattern turns the fit into an equality-constrained least-squares problem,
which :func:`rational_refit` solves exactly (FLINT's ``fmpq_mat``, :mod:`exactfit.exact.linalg`);
the exact loss of the refitted network is then a rational upper bound on the optimum.
"""

from __future__ import annotations

from fractions import Fraction

import flint

from exactfit.exact.linalg import qmat, rref_q, to_fmpq, to_fraction
from exactfit.problem import FitProblem, ReluNetwork, Unit

__all__ = ["rational_refit"]


def rational_refit(
    problem: FitProblem, network: ReluNetwork, rel_tol: float = 1e-7
) -> ReluNetwork | None:
    """The exact optimum of ``network``'s activation face, or ``None`` if not applicable.

    Fix the activation pattern of the solver's network (which samples are active for each
    unit, and which are tight, z_i·θ_j ≈ 0 within ``rel_tol`` of the largest pre-activation),
    and solve in Fractions

        minimise Σ_i c_i (Σ_{j : i active for j} a_j z_i·θ_j − y_i)²
        subject to z_i·θ_j = 0 for the tight pairs (i, j),

    an equality-constrained least-squares problem whose KKT conditions are the linear system
    [[H, Eᵀ], [E, 0]] [θ; λ] = [g; 0] with H = MᵀCM, g = MᵀCy; a singular system is solved
    with its free unknowns set to the solver's (rounded) values.  The result is a genuine
    network whose loss :func:`exactfit.exact_loss` recomputes with σ (not with the fixed
    pattern), so it is always an honest upper bound; the caller decides whether it meets the
    solver's proven lower bound.  Not used with a weight bound (the ball makes it nonlinear).
    """
    if problem.weight_bound is not None or network.k != problem.units:
        return None
    bias = problem.bias
    Z = [list(x) + ([Fraction(1)] if bias else []) for x in problem.X]
    D = len(Z[0])
    k = network.k
    theta_f = [[float(v) for v in u.w] + ([float(u.b)] if bias else []) for u in network.units]
    signs = [u.a for u in network.units]
    n = problem.n
    pre = [[sum(float(z) * t for z, t in zip(Z[i], theta_f[j], strict=True)) for j in range(k)]
           for i in range(n)]  # fmt: skip
    scale = max([1.0] + [abs(p) for row in pre for p in row])
    eps = rel_tol * scale
    active = [[pre[i][j] > eps for j in range(k)] for i in range(n)]
    tight = [(i, j) for i in range(n) for j in range(k) if abs(pre[i][j]) <= eps]
    N = k * D
    # design matrix rows: residual_i = M_i·θ − y_i
    M = [[Fraction(0)] * N for _ in range(n)]
    for i in range(n):
        for j in range(k):
            if active[i][j]:
                for t in range(D):
                    M[i][j * D + t] = signs[j] * Z[i][t]
    c, y = problem.sample_weight, problem.y
    E = []
    for i, j in tight:
        row = [Fraction(0)] * N
        for t in range(D):
            row[j * D + t] = Z[i][t]
        E.append(row)
    guess = [Fraction(v).limit_denominator(10**6) for row in theta_f for v in row]
    guess += [Fraction(0)] * len(E)
    A = _kkt_system(qmat(M, N), [to_fmpq(v) for v in c], [to_fmpq(v) for v in y], qmat(E, N))
    sol = _solve(A, guess)
    if sol is None:
        return None
    units = []
    for j in range(k):
        block = sol[j * D : (j + 1) * D]
        w = tuple(block[: problem.d])
        b = block[problem.d] if bias else Fraction(0)
        units.append(Unit(signs[j], w, b))
    return ReluNetwork(tuple(units))


def _kkt_system(
    M: flint.fmpq_mat, c: list[flint.fmpq], y: list[flint.fmpq], E: flint.fmpq_mat
) -> flint.fmpq_mat:
    """The augmented KKT matrix ``[[H, Eᵀ, g], [E, 0, 0]]``, ``H = MᵀCM``, ``g = MᵀCy``."""
    n, N = M.nrows(), M.ncols()
    MtC = flint.fmpq_mat(N, n, [M[i, a] * c[i] for a in range(N) for i in range(n)])
    H, g = MtC * M, MtC * flint.fmpq_mat(n, 1, y)
    e = E.nrows()
    top = [[*(H[a, b] for b in range(N)), *(E[r, a] for r in range(e)), g[a, 0]] for a in range(N)]
    bottom = [[*(E[r, b] for b in range(N)), *([0] * (e + 1))] for r in range(e)]
    return flint.fmpq_mat(N + e, N + e + 1, [v for row in top + bottom for v in row])


def _solve(A: flint.fmpq_mat, guess: list[Fraction]) -> list[Fraction] | None:
    """Solve the augmented system ``A`` (rows × size+1) exactly; free unknowns take ``guess``.

    Returns ``None`` if the system is inconsistent.
    """
    size = A.ncols() - 1
    R, pivots = rref_q(A)
    if size in pivots:  # a row 0 = c ≠ 0
        return None
    x = [to_fmpq(v) for v in guess]
    free = [t for t in range(size) if t not in set(pivots)]
    for i, col in enumerate(pivots):
        x[col] = R[i, size] - sum((R[i, t] * x[t] for t in free), flint.fmpq(0))
    return [to_fraction(v) for v in x]
