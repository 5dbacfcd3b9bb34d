"""When the YES and NO intervals of ``gapmaxcut_to_unit_relu`` separate, from the closed form.

No solver is involved: the reduction's ``predicted(trace, MC)`` depends only on (α, q, n, m, Δ)
and the cut value, so for a promise (c, s) on the cut fraction the two answers give

* YES (MC ≥ c·m): opt ∈ ⋃_{v ≥ ⌈cm⌉} predicted(v) = [lo(m), hi(⌈cm⌉)],
* NO  (MC ≤ s·m): opt ∈ ⋃_{v ≤ ⌊sm⌋} predicted(v) = [lo(⌊sm⌋), hi(0)],

where lo(v) and hi(v), the end points of ``predicted(v)``, both decrease in v (the hulls use
this; :func:`interval_hull` computes them without it, and the tests compare).  The answers are
told apart by the loss exactly when hi(⌈cm⌉) < lo(⌊sm⌋).  This module finds the first n at which
that happens for Δ-regular graphs (m = nΔ/2), for the default α = max(Δ, 1) and for the α that
separates earliest among those the gap argument allows, α > Δ/(2√2(c − s)) (reductions.md §3;
below it the leading √n term of hi − lo has the wrong sign).  The search over α is a float scan
(numpy, every n at once); every reported figure is then recomputed exactly with ``predicted``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from exactfit.errors import InputError
from reductions.gapmaxcut_to_unit_relu import GapMaxCutToUnitRelu, GapTrace
from reductions.interval import Interval

__all__ = [
    "GapRow",
    "alpha_floor",
    "best_alpha",
    "first_separating_n",
    "gap_row",
    "interval_hull",
    "regular_sizes",
]


@dataclass(frozen=True)
class GapRow:
    """The YES and NO intervals of one graph size under a promise (c, s).

    Attributes
    ----------
    n, m, delta : int
        Vertices, edges, maximum degree.
    alpha : Fraction
        The vertex weight used.
    v_yes, v_no : int
        ⌈c·m⌉ and ⌊s·m⌋, the least YES and the largest NO cut value.
    yes, no : Interval
        Where the optimum lies for a YES and for a NO graph (exact, outward rounded).
    """

    n: int
    m: int
    delta: int
    alpha: Fraction
    v_yes: int
    v_no: int
    yes: Interval
    no: Interval

    def __post_init__(self) -> None:
        if not 0 <= self.v_no < self.v_yes <= self.m:
            raise InputError(
                f"gap row: expected 0 ≤ ⌊sm⌋ < ⌈cm⌉ ≤ m, found {self.v_no}, {self.v_yes}, {self.m}"
            )

    @property
    def separated(self) -> bool:
        """Whether every YES loss is below every NO loss."""
        return self.yes.hi < self.no.lo  # type: ignore[operator]

    @property
    def margin(self) -> Fraction:
        """lo_NO − hi_YES (positive iff separated)."""
        return self.no.lo - self.yes.hi  # type: ignore[operator]


def _check_promise(c: Fraction, s: Fraction) -> None:
    if not 0 <= s < c <= 1:
        raise InputError(f"gap: expected a promise 0 ≤ s < c ≤ 1, found c = {c}, s = {s}")


def alpha_floor(delta: int, c: Fraction, s: Fraction) -> float:
    """Δ/(2√2(c − s)): the gap argument needs α above it."""
    _check_promise(c, s)
    return delta / (2 * math.sqrt(2) * float(c - s))


def gap_row(
    n: int, m: int, delta: int, c: Fraction, s: Fraction, alpha: Fraction | None = None
) -> GapRow:
    """The YES/NO intervals for a graph with these sizes (see the module docstring)."""
    _check_promise(c, s)
    red = GapMaxCutToUnitRelu(alpha=alpha)
    t = red.trace_of(n, m, delta)
    v_yes, v_no = math.ceil(c * m), math.floor(s * m)
    yes = Interval(red.predicted(t, m).lo, red.predicted(t, v_yes).hi)
    no = Interval(red.predicted(t, v_no).lo, red.predicted(t, 0).hi)
    return GapRow(n, m, delta, t.alpha, v_yes, v_no, yes, no)


def interval_hull(red: GapMaxCutToUnitRelu, t: GapTrace, values: range) -> Interval:
    """The hull of ``predicted(v)`` over ``values``, computed without monotonicity."""
    out: Interval | None = None
    for v in values:
        iv = red.predicted(t, v)
        out = iv if out is None else out.hull(iv)
    if out is None:
        raise InputError("interval_hull: no values")
    return out


def regular_sizes(delta: int, n_max: int) -> np.ndarray:
    """Every n ≤ n_max with a Δ-regular graph on n vertices (n > Δ, nΔ even)."""
    n = np.arange(delta + 1, n_max + 1)
    return n[(n * delta) % 2 == 0]


def _float_margin(n: np.ndarray, delta: int, c: float, s: float, alpha: float, q: float):
    """lo_NO − hi_YES in floats for Δ-regular graphs of every size in ``n`` (the α scan)."""
    m = n * delta // 2
    v_yes, v_no = np.ceil(c * m - 1e-9), np.floor(s * m + 1e-9)
    base = 2 * alpha * n + 2 * m
    lo_no = base - 2 * np.sqrt(alpha**2 * n + 4 * q * alpha * v_no + 2 * q * q * delta * m)
    hi_closed = base - 2 * np.sqrt(alpha**2 * n + 4 * q * alpha * v_yes) + alpha + 2 * q * q * delta
    an = alpha * n
    rho = np.minimum((an + 2 * q * v_yes) / (an + 4 * q * q * v_yes), 1 / np.sqrt(n))
    lifted = base - 2 * rho * (an + 2 * q * v_yes) + rho * rho * (an + 4 * q * q * v_yes)
    return lo_no - np.minimum(hi_closed, lifted)


def first_separating_n(
    delta: int, c: Fraction, s: Fraction, alpha: Fraction | None, n_max: int
) -> int | None:
    """The least n ≤ n_max at which a Δ-regular graph's YES and NO intervals separate
    (exact: every valid n is tried with ``predicted``), or ``None``."""
    for n in regular_sizes(delta, n_max):
        n = int(n)
        if gap_row(n, n * delta // 2, delta, c, s, alpha).separated:
            return n
    return None


def best_alpha(
    delta: int, c: Fraction, s: Fraction, n_max: int, steps: int = 400
) -> tuple[Fraction, int | None]:
    """The allowed α (a rational with denominator 8, above :func:`alpha_floor`, up to 32·Δ)
    whose intervals separate at the least n, and that n (exact; ``None`` if none ≤ n_max).

    The scan over α is in floats; the winner's n is then found exactly, and a float error could
    only make the reported α not the very best of the grid, never make its n wrong.
    """
    floor = alpha_floor(delta, c, s)
    lo, hi = math.floor(floor * 8) + 1, 32 * max(delta, 1) * 8
    grid = np.unique(np.linspace(lo, hi, steps).round()).astype(int)
    sizes = regular_sizes(delta, n_max)
    q = float(GapMaxCutToUnitRelu().q)
    best: tuple[int, int] | None = None
    for k in grid:
        sep = np.nonzero(_float_margin(sizes, delta, float(c), float(s), k / 8, q) > 0)[0]
        if sep.size and (best is None or sizes[sep[0]] < best[1]):
            best = (int(k), int(sizes[sep[0]]))
    if best is None:
        return Fraction(lo, 8), None
    alpha = Fraction(best[0], 8)
    return alpha, first_separating_n(delta, c, s, alpha, n_max)
