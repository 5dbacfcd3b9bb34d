"""The exact optimum of the winning cell.

:func:`_certify` recomputes the winner's optimum in rationals from the KKT system of its cell
(or unit-cell combination), built by :func:`exactfit.exact.cells.cell_system` and solved by
:func:`exactfit.exact.coneqp.exact_cone_qp`.  It polishes the float winner to an exact rational
network before the proof (:mod:`.prover`) and proves realizable fits (optimum 0) directly.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from exactfit.exact.coneqp import exact_cone_qp
from exactfit.solvers.enumeration.algebra import _Setup
from exactfit.solvers.enumeration.optima import _Best, _cell_system


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
