"""The exact certificate of the winning cell and the rigorous re-check of every bound.

:func:`_certify` recomputes the winner's optimum in rationals from the KKT system of its cell
(or unit-cell combination); :func:`_rigorous_recheck` re-proves ``opt ≥ value`` exactly on
small single-unit instances: every chamber's rational least-squares bound, or failing that its
exact cell optimum, is at least the certified value.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import numpy as np

from exactfit.exact.coneqp import exact_cone_qp
from exactfit.exact.linalg import rref
from exactfit.solvers.enumeration.algebra import _lifted_exact, _Setup
from exactfit.solvers.enumeration.cells import _ExactCells
from exactfit.solvers.enumeration.optima import _Best

#: ``certify`` re-checks every cell's bound in rationals when the exact enumerator was used
#: and there are at most this many chambers.
RIGOROUS_CELLS = 5000


def _certify(
    setup: _Setup, best: _Best, check: Callable[[], None] | None = None
) -> tuple[list[list[Fraction]] | None, Fraction | None, str]:
    """Exact rational optimum of the winning cell (or combination) from its KKT system.

    ``check`` is polled once per exact active-set iteration (see :func:`_poller`)."""
    problem = setup.problem
    if not best.patterns:
        return None, problem.null_loss(), "zero network (no cell improved on it)"
    Zx = _lifted_exact(problem)
    D, k = setup.D, len(best.signs)
    c, y = problem.sample_weight, problem.y
    acts = [setup.hp.active(p) for p in best.patterns]
    G = [[Fraction(0)] * (k * D) for _ in range(k * D)]
    h = [Fraction(0)] * (k * D)
    for i, z in enumerate(Zx):
        for j in range(k):
            if not acts[j][i]:
                continue
            aj = best.signs[j]
            for t in range(D):
                h[j * D + t] += aj * c[i] * y[i] * z[t]
            for l in range(k):
                if not acts[l][i]:
                    continue
                al = best.signs[l]
                for t in range(D):
                    for u in range(D):
                        G[j * D + t][l * D + u] += aj * al * c[i] * z[t] * z[u]
    A = []
    for j, pat in enumerate(best.patterns):
        for g, normal in enumerate(setup.hp.exact):
            row = [Fraction(0)] * (k * D)
            sgn = 1 if pat[g] else -1
            for t in range(D):
                row[j * D + t] = Fraction(sgn * normal[t])
            A.append(row)
    sol = exact_cone_qp(G, h, A, check=check)
    value = problem.null_loss() + sol.value
    theta = [list(sol.theta[j * D : (j + 1) * D]) for j in range(k)]
    if not sol.certified:
        return None, None, "exact KKT check failed"
    if problem.weight_bound is not None:
        B2 = problem.weight_bound**2
        if any(sum((v * v for v in th[: problem.d]), Fraction(0)) > B2 for th in theta):
            return None, None, "norm bound active at the optimum: no rational certificate"
    return theta, value, "exact KKT certificate"


def _exact_system(setup: _Setup, signs: np.ndarray, a: int) -> tuple[list, list, list]:
    """Exact ``(G, a·h, A)`` of one chamber for a single unit with output sign ``a``."""
    problem = setup.problem
    Zx = _lifted_exact(problem)
    D = setup.D
    act = setup.hp.active(signs)
    G = [[Fraction(0)] * D for _ in range(D)]
    h = [Fraction(0)] * D
    for i in np.flatnonzero(act):
        z, ci, yi = Zx[i], problem.sample_weight[i], problem.y[i]
        for t in range(D):
            h[t] += a * ci * yi * z[t]
            for u in range(t, D):
                G[t][u] += ci * z[t] * z[u]
    for t in range(D):
        for u in range(t):
            G[t][u] = G[u][t]
    A = [
        [Fraction(v if sg else -v) for v in normal]
        for normal, sg in zip(setup.hp.exact, signs, strict=True)
    ]
    return G, h, A


def _exact_ls_value(G: list, h: list) -> Fraction:
    """``hᵀG⁺h`` exactly (``h`` is in the range of ``G``: any solution of ``Gx = h`` will do)."""
    D = len(h)
    R, piv = rref([[*G[i], h[i]] for i in range(D)])
    x = [Fraction(0)] * D
    for row, pc in zip(R, piv, strict=True):
        if pc == D:
            raise ArithmeticError("h outside the range of G")
        x[pc] = row[D]
    return sum((a * b for a, b in zip(h, x, strict=True)), Fraction(0))


def _rigorous_recheck(
    setup: _Setup,
    mode: str,
    value: Fraction,
    check: Callable[[], None] | None = None,
    cells: int | None = None,
) -> bool | None:
    """Re-prove ``opt ≥ value`` exactly: every chamber (exact enumeration) has a rational
    least-squares bound ``≥ value`` or, failing that, an exact cell optimum ``≥ value`` for
    each output sign.  ``None`` when not applicable (float enumeration, k ≥ 2, norm bound, or
    more than ``RIGOROUS_CELLS`` chambers; ``cells``, the chamber count when known, avoids
    enumerating again in that case).  ``check`` is polled throughout."""
    problem = setup.problem
    if mode != "exact" or problem.units != 1 or problem.weight_bound is not None:
        return None
    if cells is not None and cells > RIGOROUS_CELLS:
        return None  # known from the search: do not enumerate again for nothing
    table = _ExactCells(setup.hp, setup.D, check).table
    if len(table) > RIGOROUS_CELLS:
        return None
    Y = problem.null_loss()
    signs_list = [a[0] for a in problem.sign_vectors()]
    for row in table:
        if check is not None:
            check()
        G, h, A = _exact_system(setup, row, 1)
        if Y - _exact_ls_value(G, h) >= value:
            continue
        for a in signs_list:
            sol = exact_cone_qp(G, [a * v for v in h], A, check=check)
            if not sol.certified or Y + sol.value < value:
                return False
    return True
