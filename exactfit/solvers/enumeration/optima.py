"""Float cell optima: the loss minimised over one closed chamber or a product of chambers.

For a single unit with output sign ``a`` the loss on the closed chamber ``K`` is
``θᵀGθ − 2a hᵀθ + Y`` (:func:`_single_cell`, with the norm bound when there is one); for ``k``
units it is the joint quadratic with blocks ``G_{jl} = a_j a_l Σ_{S_j ∩ S_l} c_i z_i z_iᵀ``
over the product of the units' chambers (:func:`_joint_cell`).  :class:`_Best` is the
incumbent: the least ``(value, key)`` found so far.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from exactfit.exact.cells import cell_system, lifted_points
from exactfit.exact.coneqp import exact_cone_qp
from exactfit.solvers.enumeration.algebra import _Setup
from exactfit.solvers.enumeration.cellqp import ball_cone_qp, solve_cone_qp


@dataclass
class _Best:
    value: float
    key: tuple[int, ...]
    theta: np.ndarray  # (k, D)
    lower: float
    patterns: list[np.ndarray]  # per unit: chamber signs over hyperplanes
    kkt: float
    signs: tuple[int, ...]
    exact_theta: list[list[Fraction]] | None = None  # set when an exact zero fit was proven

    def better(self, value: float, key: tuple[int, ...]) -> bool:
        return (value, key) < (self.value, self.key)


def _single_cell(
    setup: _Setup, signs: np.ndarray, a: int
) -> tuple[float, np.ndarray, float, float]:
    """Canonical cell optimum for output sign ``a``: (value, θ, lower bound, KKT residual).

    Deterministic: the same cell gives bit-identical output in any shard.
    """
    act = setup.hp.active(signs)
    sums = act.astype(float) @ setup.F
    G, h = setup.unpack(sums)
    h = a * h
    A = setup.constraint_rows(signs)
    if setup.problem.weight_bound is not None:
        B2 = float(setup.problem.weight_bound) ** 2
        qp, low, _ = ball_cone_qp(G, h, A, setup.E, B2)
        return setup.Y + qp.value, qp.theta, setup.Y + low, qp.kkt_residual
    try:
        qp = solve_cone_qp(G, h, A)
    except RuntimeError:  # the float active set did not converge: decide the cell exactly
        return _exact_cell(setup, [signs], (a,))
    return setup.Y + qp.value, qp.theta, setup.Y + qp.value, qp.kkt_residual


def _joint_system(
    setup: _Setup, a: tuple[int, ...], acts: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    D, k = setup.D, len(a)
    Gs = np.zeros((k * D, k * D))
    hs = np.zeros(k * D)
    for j in range(k):
        for l in range(j, k):
            both = acts[j] & acts[l]
            Gb, hb = setup.unpack(both.astype(float) @ setup.F)
            Gs[j * D : (j + 1) * D, l * D : (l + 1) * D] = a[j] * a[l] * Gb
            Gs[l * D : (l + 1) * D, j * D : (j + 1) * D] = a[j] * a[l] * Gb
            if l == j:
                hs[j * D : (j + 1) * D] = a[j] * hb
    return Gs, hs


def _joint_cell(
    setup: _Setup, a: tuple[int, ...], patterns: list[np.ndarray]
) -> tuple[float, np.ndarray, float, float]:
    D, k, m = setup.D, len(a), setup.hp.m
    acts = [setup.hp.active(s) for s in patterns]
    G, h = _joint_system(setup, a, acts)
    A = np.zeros((k * m, k * D))
    for j, s in enumerate(patterns):
        A[j * m : (j + 1) * m, j * D : (j + 1) * D] = setup.constraint_rows(s)
    try:
        qp = solve_cone_qp(G, h, A)
    except RuntimeError:  # the float active set did not converge: decide the cell exactly
        value, theta, low, kkt = _exact_cell(setup, patterns, a)
        return value, theta.reshape(k, D), low, kkt
    return setup.Y + qp.value, qp.theta.reshape(k, D), setup.Y + qp.value, qp.kkt_residual


def _exact_cell(
    setup: _Setup, patterns: Sequence[np.ndarray], signs: Sequence[int]
) -> tuple[float, np.ndarray, float, float]:
    """The cell optimum of :func:`_single_cell` / :func:`_joint_cell` in rationals (the exact
    active-set method terminates where the float one may cycle on ill-conditioned data): the
    value is the nearest float of the exact optimum, the bound the float just below it."""
    G, h, A = _cell_system(setup, patterns, signs)
    sol = exact_cone_qp(G, h, A)
    if not sol.certified:
        raise RuntimeError("exact cone QP could not certify its optimum")
    exact = setup.problem.null_loss() + sol.value
    value = float(exact)
    # the bound is the float just below the exact optimum, so it stays a valid lower bound
    low = value if Fraction(value) <= exact else math.nextafter(value, -math.inf)
    theta = np.array([float(v) for v in sol.theta])
    return value, theta, low, 0.0


def _cell_system(
    setup: _Setup, patterns: Sequence[np.ndarray], signs: Sequence[int]
) -> tuple[list, list, list]:
    """Exact ``(G, h, A)`` of units with output signs ``signs`` in the chambers ``patterns``."""
    problem = setup.problem
    return cell_system(
        lifted_points(problem),
        problem.sample_weight,
        problem.y,
        setup.hp.exact,
        patterns,
        [setup.hp.active(p) for p in patterns],
        signs,
    )
