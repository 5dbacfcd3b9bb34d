"""The smallest ``ε`` the float64 steps of the ``net`` solver can honour.

The proof of the guarantee (``docs/solvers/net.md``) is in exact arithmetic; the solver
decomposes ``Σ`` and compares losses in float64.  Both errors are *absolute*, on the scale of
the data (``tr Σ`` for the first, the outputs and labels for the second), not relative to
``ε``, so a relative margin on the radius alone cannot absorb them: for ``ε`` far below
``u·L̄(0)`` the float search cannot tell the net's networks apart (found: answers 580·ε above
the optimum, with the guarantee claimed).  The margin :data:`MARGIN` buys room for them, and
:func:`check_resolution` refuses an ``ε`` whose float errors the margin does not cover.

With ``u = 2⁻⁵³``, ``γ_j = j·u/(1 − j·u)``, ``R = max_i ‖B x_i‖``, ``Y = max_i |y_i|`` and
``T = tr Σ``, the conditions are (derivations in the page, section "Floating point"):

* covering: ``4 k² E_Σ ≤ (MARGIN/2) η²`` with ``E_Σ = (γ_{n+6} + 8(d + 2)u)·T``, a bound on
  the distance from ``Σ`` to the matrix whose eigenpairs ``numpy.linalg.eigh`` returns
  (forming ``Σ`` in floats, proven; LAPACK's backward error, taken as ``8(d + 2)u‖Σ‖``, the
  standard ``O(d·u)`` bound of the symmetric QR algorithm with a generous constant, *not*
  proven by us);
* comparisons: ``2 e ≤ (MARGIN/2) ε`` with ``e`` the bound on the float error of one
  candidate's average loss difference from the zero network,
  ``e = γ_{n+k+8}·kR'(kR' + 2Y) + 2kδ(kR' + Y)``, ``R' = R(1 + 10⁻⁹) + δ``, where
  ``δ = (4(m + d + k + 6)√(m + 1)·u + BALL_TOL)·R`` bounds the error of one activation (data
  rounded to floats, the projections, the lift of the winner and its clipping).
"""

from __future__ import annotations

import math

import numpy as np

from exactfit.errors import InputError
from exactfit.problem import FitProblem

__all__ = ["BALL_TOL", "MARGIN", "UNIT_ROUNDOFF", "check_resolution", "floors"]

#: Relative margin on the radius ``η``: half absorbs the eigendecomposition, half the float
#: loss comparisons (each checked by :func:`check_resolution`).  It costs a factor at most
#: ``(1 + MARGIN)^m`` in net points.
MARGIN = 1e-4
#: How far above 1 a net point's float ``Σ g_t²`` may be and still be kept (its exact value
#: may be 1): above the float error ``γ_m`` of the sum for every ``m`` the caps allow.
BALL_TOL = 1e-13
UNIT_ROUNDOFF = 2.0**-53


def _gamma(j: int) -> float:
    return j * UNIT_ROUNDOFF / (1 - j * UNIT_ROUNDOFF)


def floors(problem: FitProblem, zero_loss: float) -> tuple[float, float]:
    """The least ``ε`` of the covering condition and of the comparison condition."""
    n, d, k = problem.n, problem.d, problem.units
    m = min(n, d)
    B = float(problem.weight_bound)
    p = problem.cf / problem.cf.sum()
    norms2 = (problem.Xf * problem.Xf).sum(axis=1) * B * B
    R = math.sqrt(float(norms2.max())) * (1 + 1e-9)
    T = float(p @ norms2) * (1 + 1e-9)
    Y = float(np.abs(problem.yf).max()) * (1 + 1e-9)
    u = UNIT_ROUNDOFF
    E = (_gamma(n + 6) + 8 * (d + 2) * u) * T
    eta_min = math.sqrt(8 * k * k * E / MARGIN)
    covering = 2 * eta_min * math.sqrt(zero_loss) + eta_min**2
    delta = (4 * (m + d + k + 6) * math.sqrt(m + 1) * u + BALL_TOL) * R
    R1 = R * (1 + 1e-9) + delta
    e = _gamma(n + k + 8) * k * R1 * (k * R1 + 2 * Y) + 2 * k * delta * (k * R1 + Y)
    return covering * (1 + 1e-9), 4 * e / MARGIN * (1 + 1e-9)


def check_resolution(problem: FitProblem, epsilon: float, zero_loss: float) -> None:
    """Raise unless float64 can honour ``epsilon`` on ``problem`` (see the module docstring)."""
    covering, comparisons = floors(problem, zero_loss)
    least = max(covering, comparisons)
    if epsilon < least:
        which = "eigendecomposition" if covering >= comparisons else "loss comparisons"
        raise InputError(
            f"net: epsilon {epsilon:g} is below {least:.3g}, the least that float64 arithmetic "
            f"can guarantee on these data (limited by the {which}); ask for epsilon ≥ "
            f"{least:.3g}, or rescale the data"
        )
