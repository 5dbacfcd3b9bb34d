"""Discrimination: which source values a target bracket is consistent with.

A check observes the target optimum only as a bracket [lower, upper]: ``lower`` a proven bound,
``upper`` the loss of a network the solver found (for source-side targets, the other way round
for a maximisation).  Under the reduction's value map the bracket is *consistent* with a source
value v when ``predicted(trace, v)`` meets it.  The check is **discriminating** when the only
consistent value is the true source optimum: then the observation could not have been produced
by a wrong source value, and the check could catch a reduction that ignores its input.  When the
bracket meets ``predicted(v)`` for other values too, a PASS says only that the relation holds,
not that the target "sees" the source value.

For exact brackets (both ends exact rationals) the intervals are met exactly; for a bracket
with a float end the meeting is widened by the solver tolerance, so a value is excluded only
when its predicted interval misses the bracket by more than the tolerance (the conservative
side: tolerance never makes a check look more discriminating than it is).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactfit.errors import InputError
from reductions.interval import Interval

__all__ = ["Discrimination", "consistent_values", "format_values", "least_consistent", "meets"]


def meets(pred: Interval, lower: Fraction | None, upper: Fraction | None, tol: Fraction) -> bool:
    """Whether ``pred`` meets the bracket [lower, upper] (``None`` is unbounded), allowing
    ``tol`` on each side; with ``tol = 0`` open ends of ``pred`` are respected exactly."""
    if pred.lo is not None and upper is not None:
        gap = upper + tol - pred.lo
        if gap < 0 or (gap == 0 and pred.lo_open):
            return False
    if pred.hi is not None and lower is not None:
        gap = pred.hi - (lower - tol)
        if gap < 0 or (gap == 0 and pred.hi_open):
            return False
    return True


def consistent_values(
    predicted: Callable[[int], Interval],
    domain: Iterable[int],
    lower: Fraction | None,
    upper: Fraction | None,
    tol: Fraction = Fraction(0),
) -> tuple[int, ...]:
    """The values v of ``domain`` whose ``predicted(v)`` meets [lower, upper] (:func:`meets`)."""
    return tuple(v for v in domain if meets(predicted(v), lower, upper, tol))


def least_consistent(
    predicted: Callable[[int], Interval], domain: Iterable[int], lower: Fraction, upper: Fraction
) -> int:
    """The least number of consistent values over all *points* x of [lower, upper].

    This is what an ideal solve could at best achieve when all that is known is that the
    optimum lies in [lower, upper] (e.g. the closed-form bracket of the true source value): the
    count is piecewise constant between the end points of the predicted intervals, so it is
    evaluated exactly at every end point inside the bracket, at the bracket's ends and at the
    midpoints between consecutive ones.
    """
    if lower > upper:
        raise InputError(f"least_consistent: empty bracket [{lower}, {upper}]")
    intervals = [predicted(v) for v in domain]
    cuts = {lower, upper}
    for iv in intervals:
        cuts.update(e for e in (iv.lo, iv.hi) if e is not None and lower <= e <= upper)
    points = sorted(cuts)
    probes = points + [(a + b) / 2 for a, b in itertools.pairwise(points)]
    return min(sum(1 for iv in intervals if iv.contains(x)) for x in probes)


def format_values(values: tuple[int, ...]) -> str:
    """``(0, 1, 2, 5)`` as ``"{0..2, 5}"``; ``()`` as ``"{}"``."""
    runs: list[list[int]] = []
    for v in values:
        if runs and v == runs[-1][1] + 1:
            runs[-1][1] = v
        else:
            runs.append([v, v])
    parts = [str(a) if a == b else f"{a}..{b}" for a, b in runs]
    return "{" + ", ".join(parts) + "}"


@dataclass(frozen=True)
class Discrimination:
    """The source values a check's target bracket is consistent with.

    Attributes
    ----------
    consistent : tuple of int
        Every value of the source's value range whose predicted interval meets the bracket.
    true_value : int
        The proven source optimum.
    domain : range
        The source values considered (the source problem's ``value_range``).
    lower, upper : Fraction or None
        The bracket (exact rationals; a float end read exactly).
    tolerance : Fraction
        The widening used (0 for an exact bracket).
    proof : str
        How the bracket's lower end is proven: ``"exact"``, ``"tolerance"``, or ``"none"``
        when the solve proved no bound.
    """

    consistent: tuple[int, ...]
    true_value: int
    domain: range
    lower: Fraction | None
    upper: Fraction | None
    tolerance: Fraction
    proof: str

    def __post_init__(self) -> None:
        if any(v not in self.domain for v in self.consistent):
            raise InputError(f"discrimination: a consistent value lies outside {self.domain}")
        if list(self.consistent) != sorted(set(self.consistent)):
            raise InputError("discrimination: consistent values must be sorted and distinct")
        if self.proof not in ("exact", "tolerance", "none"):
            raise InputError(f"discrimination: unknown proof level {self.proof!r}")

    @property
    def discriminating(self) -> bool:
        """Whether the bracket is consistent with the true source value only."""
        return self.consistent == (self.true_value,)

    @property
    def holds(self) -> bool:
        """Whether the true value is consistent (otherwise the relation is refuted)."""
        return self.true_value in self.consistent

    def text(self) -> str:
        values = format_values(self.consistent)
        if self.discriminating:
            return f"consistent with {values} only: discriminating ({self.proof} bound)"
        if not self.holds:
            return f"consistent with {values}, NOT with the source optimum {self.true_value}"
        return (
            f"consistent with {values} ({len(self.consistent)} of {len(self.domain)} source "
            f"values): non-discriminating"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "consistent": format_values(self.consistent),
            "consistent_values": list(self.consistent),
            "count": len(self.consistent),
            "domain": [self.domain.start, self.domain.stop - 1],
            "true_value": self.true_value,
            "discriminating": self.discriminating,
            "bracket": {
                "lower": None if self.lower is None else str(self.lower),
                "upper": None if self.upper is None else str(self.upper),
            },
            "tolerance": str(self.tolerance),
            "proof": self.proof,
        }
