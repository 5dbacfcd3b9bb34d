"""Conditional output caps from a loss budget (single unit): the rows that let the SCIP model
see, before branching, what a point's activity costs.

Every network worth finding has loss at most ``U`` (the cut-off: the best loss known, or the
zero network's ``Σ c y²``).  Group the points into *groups*: a point with its mirror
(``x_i' = −x_i``, bias-free; one pre-activation ``t`` gives both outputs, ``σ(t)`` and
``σ(−t)``) or a point alone.  With one unit of output sign ``a`` and ``ỹ = a·y`` the group's
cost is ``g(t) = c(σ(t) − ỹ)² + c'(σ(−t) − ỹ')²`` (no second term alone), and

    ℓ = min_t g(t) = min(c (ỹ⁻)² + c' ỹ'²,  c ỹ² + c' (ỹ'⁻)²)      (ỹ⁻ = max(−ỹ, 0))

(over ``t ≥ 0`` and ``t ≤ 0``; alone, ``ℓ = c (ỹ⁻)²``).  Since the loss is the sum of the
group costs, a network of loss ≤ U gives group ``G`` at most ``β = U − Σ_{H ≠ G} ℓ_H``.  With
the indicator binary ``s`` of the group's first point (``s = 1 ⇒ σ(−t) = 0``, ``s = 0 ⇒ σ(t)
= 0``):

* ``s = 1``: ``c(p − ỹ)² ≤ β − c' ỹ'² =: b₁``, so ``p ∈ [ỹ − √(b₁/c), ỹ + √(b₁/c)]`` and the
  rows ``p ≤ hi·s``, ``p ≥ lo·s`` hold; ``b₁ < 0`` means ``s = 0``;
* ``s = 0`` (with a mirror): ``c'(q − ỹ')² ≤ β − c ỹ² =: b₀``, rows ``q ≤ hi'(1 − s)``,
  ``q ≥ lo'(1 − s)``; ``b₀ < 0`` means ``s = 1``.  Alone, ``s = 0`` costs ``c ỹ²``, so
  ``c ỹ² > β`` means ``s = 1``.

No row removes a network of loss ≤ U, so none removes an optimum (the incumbent of loss U is
already known); ``hi`` is a proven bound, not a guessed big-M.  On the reduction models the
rows are what the relaxation lacked: in ``dks_to_relu`` every vertex pair costs at least ``A``,
so with ``U`` the lift's loss a vertex weight is pinned to ``1 ± √((U − A n)/A)`` (±0.092 on
G(14, .5)) as soon as its sign is branched on.

Rounding: the sums are formed in floats of relative error below ``n·2⁻⁵³`` of ``Σ ℓ + U``
(:data:`SLACK` = 1e-9 of it covers every n below 10⁶); each budget is widened by that slack, a
branch is closed only when its budget is below ``−slack``, and each bound is rounded outward by
another relative 1e-9.  docs/solvers/scip.md ("Budget rows") has the measurements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from exactfit.problem import FitProblem

__all__ = ["SLACK", "GroupCaps", "budget_caps"]

#: Relative slack on every budget (see the module docstring's rounding paragraph).
SLACK = 1e-9


@dataclass(frozen=True)
class GroupCaps:
    """What the budget allows the group of point ``i`` (module docstring), in the problem's
    units: ``active`` is ``(lo, hi)`` for ``p = σ(t)`` when ``s = 1``, or ``None`` when
    ``s = 1`` is impossible; ``mirror`` the same for ``q = σ(−t)`` when ``s = 0`` (``None``:
    impossible); ``alone`` points have no mirror, and ``mirror`` is ``(0, ∞)`` or ``None``."""

    i: int
    active: tuple[float, float] | None
    mirror: tuple[float, float] | None

    def __post_init__(self) -> None:
        for side in (self.active, self.mirror):
            if side is not None and not 0.0 <= side[0] <= side[1]:
                raise ValueError(f"GroupCaps: expected 0 ≤ lo ≤ hi, found {side}")


def _window(target: float, budget: float, weight: float) -> tuple[float, float] | None:
    """``{p ≥ 0 : weight (p − target)² ≤ budget}`` rounded outward, or ``None`` when it is
    empty (a negative budget, or ``target + √(budget/weight) < 0``)."""
    if budget < 0:
        return None
    r = math.sqrt(budget / weight)
    pad = SLACK * (abs(target) + r)
    hi, lo = target + r + pad, target - r - pad
    if hi < 0:
        return None
    return max(lo, 0.0), hi


def budget_caps(
    problem: FitProblem, sign: int, mirror: dict[int, int], budget: float
) -> list[GroupCaps]:
    """The caps of every group (one unit, output sign ``sign``, loss budget ``budget``; the
    module docstring), one per point that is not a later mirror (``mirror`` maps such a point
    to its earlier partner, as :func:`exactfit.solvers._scip_model.mirror_points`)."""
    if problem.units != 1:
        raise ValueError(f"budget_caps: expected one unit, found {problem.units}")
    c = [float(v) for v in problem.cf]
    yt = [sign * float(v) for v in problem.yf]
    twin = {i0: i1 for i1, i0 in mirror.items()}
    own = [i for i in range(problem.n) if i not in mirror]

    def low(i: int) -> float:  # min over σ(t) ≥ 0 of c (σ(t) − ỹ)²
        return c[i] * min(yt[i], 0.0) ** 2

    def off(i: int) -> float:  # the cost when σ(t) = 0
        return c[i] * yt[i] ** 2

    least = {
        i: min(low(i) + off(twin[i]), off(i) + low(twin[i])) if i in twin else low(i) for i in own
    }
    total = sum(least.values())
    slack = SLACK * (abs(budget) + total)
    caps = []
    for i in own:
        beta = budget - (total - least[i]) + slack
        b1 = beta - (off(twin[i]) if i in twin else 0.0)
        active = _window(yt[i], b1, c[i])
        if i in twin:
            other = _window(yt[twin[i]], beta - off(i), c[twin[i]])
        else:
            other = (0.0, math.inf) if off(i) <= beta else None
        caps.append(GroupCaps(i, active, other))
    return caps
