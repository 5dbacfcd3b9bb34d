"""The SCIP model of one sign vector (the model and why each piece is exact: the docstring of
:mod:`exactfit.solvers.scip` and docs/solvers/scip.md): variables and rows, the mirror points
that share one complementarity pair, and the proven output caps."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from exactfit.problem import FitProblem
from exactfit.solvers._common import symmetry_pairs
from exactfit.solvers._scip_budget import SLACK, GroupCaps, budget_caps
from exactfit.solvers._scip_relu_prop import include_relu_caps
from exactfit.solvers.datasym import leader_rows

__all__ = ["Extras", "add_fit", "mirror_points"]


@dataclass(frozen=True)
class Extras:
    """What :func:`add_fit` adds that removes no optimal network and only changes speed:
    ``symmetry`` the unit-order and orbit-leader rows (:mod:`exactfit.solvers.datasym`);
    with indicators, ``budget_rows`` (:mod:`exactfit.solvers._scip_budget`, one unit) and
    ``relu_caps`` (:mod:`exactfit.solvers._scip_relu_prop`; ``None``: only when the model has
    a finite cut-off, where it was measured to pay)."""

    symmetry: bool = True
    budget_rows: bool = True
    relu_caps: bool | None = None


def add_fit(
    m: Any,
    problem: FitProblem,
    signs: tuple[int, ...],
    formulation: str,
    lam: float,
    extras: Extras | None = None,
    cutoff: float = math.inf,
) -> tuple[list[list[Any]], list[Any | None]]:
    """Add the fitting model for ``signs`` to ``m`` in units scaled by ``lam``: ``(W, B)``; a
    point whose mirror (:func:`mirror_points`) came earlier shares that point's parts, swapped.

    ``extras`` (:class:`Extras`, all on by default) chooses the rows and propagators that only
    change speed; ``cutoff`` is the best loss known (in the problem's units), which the budget
    rows use.
    """
    from pyscipopt import quicksum

    n, d, k = problem.n, problem.d, problem.units
    X, c = problem.Xf, problem.cf
    L0 = float(problem.null_loss())
    y = problem.yf * lam
    W = [[m.addVar(f"w{j}_{l}", lb=None) for l in range(d)] for j in range(k)]
    B = [m.addVar(f"b{j}", lb=None) if problem.bias else None for j in range(k)]
    mirror = mirror_points(problem)
    twin_of = {i: i2 for i2, i in mirror.items()}  # i -> its later mirror i'
    own = [i for i in range(n) if i not in mirror]
    P: list[list[Any]] = [[] for _ in range(n)]
    Q: list[list[Any]] = [[] for _ in range(n)]
    S: dict[int, Any] = {}  # own point -> its unit's binary, for the budget rows (k = 1)

    def add_p(i: int) -> None:
        cap = _output_cap(problem, signs, i, lam)
        P[i] = [m.addVar(f"p{i}_{j}", lb=0.0, ub=cap) for j in range(k)]

    def add_q(i: int) -> None:  # q_ij is the mirror point's p_i'j, if any: it shares its cap
        cap = _output_cap(problem, signs, twin_of[i], lam) if i in twin_of else None
        Q[i] = [m.addVar(f"q{i}_{j}", lb=0.0, ub=cap) for j in range(k)]

    # SCIP's path depends on the variable order: without mirrors all p, then all q (the model
    # of before, on which test_scip_lp_failure reproduces SoPlex's failure); with mirrors p_i,
    # q_i point by point, the order measured in docs/solvers/scip.md.
    for i in own:
        add_p(i)
        if mirror:
            add_q(i)
    for i in own if not mirror else ():
        add_q(i)
    for i, i0 in mirror.items():  # p_i'j = σ(θ_j·z_i') = σ(−θ_j·z_i) = q_ij, and q_i'j = p_ij
        P[i], Q[i] = Q[i0], P[i0]
    for i in own:
        for j in range(k):
            pre = quicksum(float(X[i, l]) * W[j][l] for l in range(d) if X[i, l] != 0.0)
            if B[j] is not None:
                pre = pre + B[j]
            m.addCons(P[i][j] - Q[i][j] == pre)
            if formulation == "sos1":
                m.addConsSOS1([P[i][j], Q[i][j]])
            else:
                s = m.addVar(f"s{i}_{j}", vtype="B")
                S[i] = s
                m.addConsIndicator(Q[i][j] <= 0.0, binvar=s, activeone=True)
                m.addConsIndicator(P[i][j] <= 0.0, binvar=s, activeone=False)
    T = _add_loss(m, signs, P, y, c)
    extras = extras or Extras()
    if formulation == "indicator":
        _strengthen(m, problem, signs, (W, B, P, Q, S), mirror, cutoff, lam, extras)
    # The zero network achieves Σ c y²; no optimum is worse (a valid, redundant cap).
    m.addCons(quicksum(T) <= lam * lam * L0 * (1 + 1e-9) + 1e-9)
    if problem.weight_bound is not None:
        b2 = (lam * float(problem.weight_bound)) ** 2
        for j in range(k):
            m.addCons(quicksum(W[j][l] * W[j][l] for l in range(d)) <= b2)
    if extras.symmetry:
        _add_symmetry_rows(m, problem, signs, W, B)
    m.setObjective(quicksum(T), "minimize")
    return W, B


def _add_loss(m: Any, signs: tuple[int, ...], P: list[list[Any]], y: Any, c: Any) -> list[Any]:
    """The residuals ``r_i = Σ_j a_j p_ij − y_i`` and epigraph variables ``t_i ≥ c_i r_i²``."""
    from pyscipopt import quicksum

    n, k = len(P), len(signs)
    R = [m.addVar(f"r{i}", lb=None) for i in range(n)]
    for i in range(n):
        m.addCons(R[i] == quicksum(signs[j] * P[i][j] for j in range(k)) - float(y[i]))
    # One epigraph row per sample: a single aggregated row t ≥ Σ c r² made SCIP stall on the
    # last 1e-9 of gap (measured: timeout vs 0.9 s on a 40-point instance).
    T = [m.addVar(f"t{i}", lb=0.0) for i in range(n)]
    for i in range(n):
        m.addCons(T[i] >= float(c[i]) * R[i] * R[i])
    return T


def _add_symmetry_rows(
    m: Any, problem: FitProblem, signs: tuple[int, ...], W: list[list[Any]], B: list[Any]
) -> None:
    """The unit-order rows and the orbit-leader rows (:func:`add_fit`'s ``symmetry``)."""
    for _, first, second in symmetry_pairs(problem, signs, W, B):
        m.addCons(first >= second)
    for first, second in leader_rows(problem, W):
        m.addCons(first >= second)


def _strengthen(
    m: Any,
    problem: FitProblem,
    signs: tuple[int, ...],
    parts: tuple[Any, Any, list[list[Any]], list[list[Any]], dict[int, Any]],
    mirror: dict[int, int],
    cutoff: float,
    lam: float,
    extras: Extras,
) -> None:
    """The indicator model's extras: the ReLU caps propagator (every unit) and, with one unit,
    the budget rows (every network worth finding has loss ≤ min(cut-off, Σ c y²))."""
    W, B, P, Q, S = parts
    own = [i for i in range(problem.n) if i not in mirror]
    # The caps pay off when the budget rows have a real cut-off to pin the weights with
    # (measured in docs/solvers/scip.md, "ReLU caps"): by default only then.
    caps = extras.relu_caps if extras.relu_caps is not None else math.isfinite(cutoff)
    for j in range(problem.units) if caps else ():
        Pj, Qj = [p[j] for p in P], [q[j] for q in Q]
        include_relu_caps(m, problem.Xf, W[j], B[j], Pj, Qj, own, j)
    if problem.units == 1 and extras.budget_rows:
        budget = min(cutoff, float(problem.null_loss()))
        _add_budget_rows(m, budget_caps(problem, signs[0], mirror, budget), P, Q, S, lam)


def _add_budget_rows(
    m: Any, caps: list[GroupCaps], P: list[list[Any]], Q: list[list[Any]], S: dict, lam: float
) -> None:
    """The rows of :mod:`exactfit.solvers._scip_budget` (``s`` the group's binary), scaled to
    model units with one more outward rounding."""
    up, down = lam * (1 + SLACK), lam * (1 - SLACK)
    for cap in caps:
        s, p, q = S[cap.i], P[cap.i][0], Q[cap.i][0]
        for var, side, on in ((p, cap.active, s), (q, cap.mirror, 1 - s)):
            if side is None:
                m.addCons(on <= 0)  # this activity would cost more than the budget
                continue
            lo, hi = side
            if math.isfinite(hi):
                m.addCons(var <= hi * up * on)
            if lo > 0:
                m.addCons(var >= lo * down * on)


def mirror_points(problem: FitProblem) -> dict[int, int]:
    """``{i': i}`` for each non-zero point ``x_i'`` exactly ``−x_i`` with ``i < i'`` (each ``i``
    at most once; compared in rationals, so rounding cannot pair two points); ``{}`` with a
    bias, since lifted points ``(x, 1)`` are never mirrors.  Why sharing their parts loses no
    network: see the module docstring."""
    if problem.bias:
        return {}
    first: dict[tuple[Any, ...], int] = {}
    out: dict[int, int] = {}
    paired: set[int] = set()
    for i, row in enumerate(problem.X):
        key = tuple(-v for v in row)
        j = first.get(key)
        if j is not None and j not in paired and any(v != 0 for v in row):
            out[i] = j
            paired.add(j)
            continue
        first.setdefault(tuple(row), i)
    return out


def _output_cap(problem: FitProblem, signs: tuple[int, ...], i: int, lam: float) -> float | None:
    """A proven upper bound on every ``p_ij`` at any point no worse than the zero network.

    When all units share one sign ``s``, ``s·f_i = Σ_j p_ij`` and ``c_i (f_i − y_i)² ≤ t ≤
    L0 = Σ c y²`` give ``Σ_j p_ij ≤ s·y_i + √(L0 / c_i)``.  The optimum satisfies ``t ≤ L0``,
    so the bound removes no optimal solution (it is not a guessed big-M).  With mixed signs
    outputs can cancel and no such bound holds: return None (unbounded).
    """
    if len(set(signs)) != 1:
        return None
    s = signs[0]
    cap = s * float(problem.y[i]) + math.sqrt(
        float(problem.null_loss()) / float(problem.sample_weight[i])
    )
    return max(0.0, lam * cap * (1 + 1e-9) + 1e-9)  # in model units; outward rounding
