"""The exact certificate of the winning cell and the rigorous re-check of every bound.

:func:`_certify` recomputes the winner's optimum in rationals from the KKT system of its cell
(or unit-cell combination), built by :func:`exactfit.exact.cells.cell_system` and solved by
:func:`exactfit.exact.coneqp.exact_cone_qp`; :func:`_rigorous_recheck` re-proves
``opt ≥ value`` exactly on small single-unit instances: every chamber's rational least-squares
bound, or failing that its exact cell optimum, is at least the certified value.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import numpy as np

from exactfit.exact.cells import ls_value
from exactfit.exact.coneqp import exact_cone_qp
from exactfit.solvers.enumeration.algebra import _Setup
from exactfit.solvers.enumeration.cells import _ExactCells
from exactfit.solvers.enumeration.optima import _Best, _cell_system

#: ``certify`` re-checks every cell's bound in rationals when the exact enumerator was used
#: and there are at most this many chambers.
RIGOROUS_CELLS = 5000


def _certify(
    setup: _Setup, best: _Best, check: Callable[[], None] | None = None
) -> tuple[list[list[Fraction]] | None, Fraction | None, str]:
    """Exact rational optimum of the winning cell (or combination) from its KKT system.

    ``check`` is polled once per exact active-set iteration (see
    :func:`~exactfit.solvers.enumeration.progress._poller`)."""
    problem = setup.problem
    if not best.patterns:
        return None, problem.null_loss(), "zero network (no cell improved on it)"
    D, k = setup.D, len(best.signs)
    G, h, A = _cell_system(setup, best.patterns, best.signs)
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
    return _cell_system(setup, [signs], (a,))


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
    table = _ExactCells(setup.hp, check).table
    if len(table) > RIGOROUS_CELLS:
        return None
    Y = problem.null_loss()
    signs_list = [a[0] for a in problem.sign_vectors()]
    for row in table:
        if check is not None:
            check()
        G, h, A = _exact_system(setup, row, 1)
        if Y - ls_value(G, h) >= value:
            continue
        for a in signs_list:
            sol = exact_cone_qp(G, [a * v for v in h], A, check=check)
            if not sol.certified or Y + sol.value < value:
                return False
    return True
