"""The exact cell optimum: a convex quadratic over a polyhedral cone, in rationals.

On the closure of an activation cell the loss is ``q(θ) = θᵀGθ − 2hᵀθ + Y`` (``Y = Σ c_i y_i²``)
and the cell is ``K = {θ : Aθ ≥ 0}``.  The cell optimum ``min_K q`` is attained and equals
``q(θ_T)`` for the tight set ``T`` of any KKT point: ``θ_T`` minimises ``q`` on the subspace
``{A_T θ = 0}``, is feasible, and ``2(Gθ_T − h) = A_Tᵀμ`` with ``μ ≥ 0``.  :func:`exact_cone_qp`
is the primal active-set method started at the apex ``θ = 0`` (always feasible) in exact rational
arithmetic with Bland's rule: on the current working set take the minimum-norm minimiser on its
subspace, step until a constraint blocks, drop a constraint with a negative multiplier at
subspace optima.  It terminates with the exact rational optimum and its KKT certificate.  The
float twin is :func:`exactfit.solvers.enumeration.cellqp.solve_cone_qp`.

The iterates live in FLINT matrices (``fmpq_mat``) from the first step to the last, so the
products and eliminations of every iteration run in C and only the data and the answer are
converted.  Each step is a unique rational object (the minimum-norm minimiser, the multipliers
of independent rows, the first blocking constraint by Bland's rule), so the run, and its result,
is the one of the plain ``Fraction`` method :func:`exactfit.exact.reference.exact_cone_qp`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import flint

from exactfit.exact.linalg import nullspace_q, qmat, rref_q, to_fmpq, to_fraction

__all__ = ["ExactConeQP", "exact_cone_qp"]


@dataclass(frozen=True)
class ExactConeQP:
    """The exact cell optimum: point, value ``q(θ) − Y``, tight set, multipliers, and whether
    the KKT conditions hold exactly (they always do when the method terminates)."""

    theta: tuple[Fraction, ...]
    value: Fraction
    working: tuple[int, ...]
    multipliers: tuple[Fraction, ...]
    certified: bool


def _min_norm(rows: list[list[flint.fmpq]], v: list[flint.fmpq], D: int) -> flint.fmpq_mat:
    """Minimum-norm solution (a ``D × 1`` column) of the consistent system ``rows · x = v``.

    With ``B`` the nonzero rows of the reduced form of ``[rows | v]`` and ``c`` their right-hand
    sides, ``B`` has independent rows spanning the row space, and ``x = Bᵀ(BBᵀ)⁻¹c``.
    """
    if not rows:
        return flint.fmpq_mat(D, 1)
    aug = flint.fmpq_mat(
        len(rows), D + 1, [x for row, b in zip(rows, v, strict=True) for x in (*row, b)]
    )
    R, piv = rref_q(aug)
    if piv and piv[-1] == D:
        raise ValueError("inconsistent system")
    r = len(piv)
    if r == 0:
        return flint.fmpq_mat(D, 1)
    B = flint.fmpq_mat(r, D, [R[i, j] for i in range(r) for j in range(D)])
    c = flint.fmpq_mat(r, 1, [R[i, D] for i in range(r)])
    Bt = B.transpose()
    return Bt * (B * Bt).solve(c)


def _column(M: flint.fmpq_mat) -> list[flint.fmpq]:
    """The entries of a one-column matrix."""
    return [M[i, 0] for i in range(M.nrows())]


def _step(
    G: flint.fmpq_mat,
    h: flint.fmpq_mat,
    rows: list[list[flint.fmpq]],
    W: list[int],
    theta: flint.fmpq_mat,
) -> tuple[flint.fmpq_mat, flint.fmpq_mat]:
    """``(A_W, p)``: ``p`` minimises ``q(θ + p)`` on ``{A_W p = 0}``, of minimum norm.

    The minimisers are the solutions of ``A_W p = 0, Nᵀ(Gp − g0) = 0`` (``N`` a basis of the
    null space of ``A_W``, ``g0 = h − Gθ``); the minimum-norm one is unique, whatever ``N``.
    """
    D = G.nrows()
    AW_rows = [rows[i] for i in W]
    AW = flint.fmpq_mat(len(W), D, [x for row in AW_rows for x in row])
    Nt = nullspace_q(AW).transpose()
    zero = flint.fmpq(0)
    v = [zero] * len(W) + _column(Nt * (h - G * theta))
    return AW, _min_norm(AW_rows + (Nt * G).tolist(), v, D)


def _ratio_test(
    A: flint.fmpq_mat, p: flint.fmpq_mat, theta: flint.fmpq_mat, W: list[int]
) -> tuple[flint.fmpq, int]:
    """The step length ``α ≤ 1`` and the first blocking constraint (Bland), ``-1`` if none."""
    alpha, add = flint.fmpq(1), -1
    for i, (ap, at) in enumerate(zip(_column(A * p), _column(A * theta), strict=True)):
        if i in W or ap >= 0:
            continue
        r = at / -ap
        if r < alpha or (r == alpha and add >= 0 and i < add):
            alpha, add = r, i
    return alpha, add


def exact_cone_qp(
    G: Sequence[Sequence[object]],
    h: Sequence[object],
    A: Sequence[Sequence[object]],
    max_iter: int = 100000,
    check: Callable[[], None] | None = None,
) -> ExactConeQP:
    """Minimise ``θᵀGθ − 2hᵀθ`` on ``{Aθ ≥ 0}`` exactly (rational primal active set, Bland).

    Parameters
    ----------
    G, h, A
        The system, with rational entries (``Fraction``, ``int``; floats are taken exactly).
    max_iter
        Iterations before giving up (``RuntimeError``); Bland's rule terminates far earlier.
    check
        Called once per iteration; may raise to abandon the solve.

    Returns
    -------
    ExactConeQP
        The run starts at the apex with an empty working set, so the result depends on the
        system only.
    """
    D = len(h)
    Gq = qmat(G, D)
    hq = flint.fmpq_mat(D, 1, [to_fmpq(v) for v in h])
    Aq = qmat(A, D)
    rows = Aq.tolist()
    theta = flint.fmpq_mat(D, 1)
    W: list[int] = []
    mu = flint.fmpq_mat(0, 1)
    AW = flint.fmpq_mat(0, D)
    for _ in range(max_iter):
        if check is not None:
            check()
        AW, p = _step(Gq, hq, rows, W, theta)
        if all(x == 0 for x in _column(p)):
            if not W:
                break
            # A_W has independent rows: μ = (A_W A_Wᵀ)^{-1} A_W grad
            grad = 2 * (Gq * theta - hq)
            mu = (AW * AW.transpose()).solve(AW * grad)
            neg = [k for k, m in enumerate(_column(mu)) if m < 0]
            if not neg:
                break
            W.pop(min(neg, key=lambda k: W[k]))
            continue
        alpha, add = _ratio_test(Aq, p, theta, W)
        theta = theta + alpha * p
        if add >= 0:
            W.append(add)
    else:
        raise RuntimeError("exact active-set method did not terminate")
    if not W:
        mu = flint.fmpq_mat(0, 1)
        AW = flint.fmpq_mat(0, D)
    stat = 2 * (Gq * theta - hq) - AW.transpose() * mu
    feasible = all(v >= 0 for v in _column(Aq * theta))
    multipliers = _column(mu)
    certified = feasible and all(m >= 0 for m in multipliers) and all(s == 0 for s in _column(stat))
    value = (theta.transpose() * (Gq * theta - 2 * hq))[0, 0] if D else flint.fmpq(0)
    return ExactConeQP(
        tuple(to_fraction(t) for t in _column(theta)),
        to_fraction(value),
        tuple(W),
        tuple(to_fraction(m) for m in multipliers),
        certified,
    )
