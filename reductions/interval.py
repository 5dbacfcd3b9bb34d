"""Exact value-map arithmetic: intervals with rational end points and the helpers the value maps
of the reductions share (outward-rounded square roots, exact decoding of an optimum).

A reduction's ``predicted(trace, v)`` is an :class:`Interval` with exact rational end points;
irrational end points are rounded outward with :func:`sqrt_lo` / :func:`sqrt_hi`.  The decoding
helpers :func:`ceil_quarter` and :func:`as_int` turn an exact target optimum back into a source
value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

__all__ = ["Interval", "Number", "as_int", "ceil_quarter", "sqrt_hi", "sqrt_lo"]

Number = int | Fraction


@dataclass(frozen=True)
class Interval:
    """A real interval with exact rational end points; ``None`` is −∞ (lo) or +∞ (hi).

    ``lo_open``/``hi_open`` make an end strict (e.g. ``(0, ∞)`` for "the optimum is positive").
    """

    lo: Fraction | None
    hi: Fraction | None
    lo_open: bool = False
    hi_open: bool = False

    def __post_init__(self) -> None:
        lo = None if self.lo is None else Fraction(self.lo)
        hi = None if self.hi is None else Fraction(self.hi)
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"empty interval: lo {lo} > hi {hi}")
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "hi", hi)

    @classmethod
    def point(cls, v: Number) -> Interval:
        return cls(Fraction(v), Fraction(v))

    @property
    def is_point(self) -> bool:
        return self.lo is not None and self.lo == self.hi and not (self.lo_open or self.hi_open)

    def contains(self, x: Number) -> bool:
        """Exact membership of a rational ``x``."""
        x = Fraction(x)
        if self.lo is not None and (x < self.lo or (self.lo_open and x == self.lo)):
            return False
        return not (self.hi is not None and (x > self.hi or (self.hi_open and x == self.hi)))

    def brackets(self, lower: float, upper: float, tol: float) -> bool:
        """Whether a value proven to lie in ``[lower, upper]`` lies in this interval, allowing
        the solver tolerance ``tol`` on closed ends; an open end must be cleared by ``tol``."""
        if self.lo is not None:
            lo = float(self.lo)
            if self.lo_open and not lower > lo + tol:
                return False
            if not self.lo_open and lower < lo - tol:
                return False
        if self.hi is not None:
            hi = float(self.hi)
            if self.hi_open and not upper < hi - tol:
                return False
            if not self.hi_open and upper > hi + tol:
                return False
        return True

    def integers(self) -> range:
        """The integers in the interval (it must be bounded)."""
        if self.lo is None or self.hi is None:
            raise ValueError(f"cannot enumerate the integers of the unbounded interval {self}")
        lo = math.ceil(self.lo)
        if self.lo_open and lo == self.lo:
            lo += 1
        hi = math.floor(self.hi)
        if self.hi_open and hi == self.hi:
            hi -= 1
        return range(lo, hi + 1)

    def hull(self, other: Interval) -> Interval:
        """Smallest interval containing both."""
        if self.lo is None or other.lo is None:
            lo, lo_open = None, False
        elif self.lo != other.lo:
            lo, lo_open = min((self.lo, self.lo_open), (other.lo, other.lo_open))
        else:
            lo, lo_open = self.lo, self.lo_open and other.lo_open
        if self.hi is None or other.hi is None:
            hi, hi_open = None, False
        elif self.hi != other.hi:
            hi, hi_open = max((self.hi, self.hi_open), (other.hi, other.hi_open))
        else:
            hi, hi_open = self.hi, self.hi_open and other.hi_open
        return Interval(lo, hi, lo_open, hi_open)

    def as_json(self) -> dict[str, Any]:
        return {
            "lo": None if self.lo is None else str(self.lo),
            "hi": None if self.hi is None else str(self.hi),
            "lo_open": self.lo_open,
            "hi_open": self.hi_open,
        }

    def __str__(self) -> str:
        left = "(" if self.lo_open or self.lo is None else "["
        right = ")" if self.hi_open or self.hi is None else "]"
        lo = "-inf" if self.lo is None else _show(self.lo)
        hi = "inf" if self.hi is None else _show(self.hi)
        if self.is_point:
            return f"{{{lo}}}"
        return f"{left}{lo}, {hi}{right}"


def _show(x: Fraction) -> str:
    if x.denominator == 1:
        return str(x.numerator)
    return f"{x} (≈{float(x):.10g})"


def sqrt_lo(x: Fraction, bits: int = 64) -> Fraction:
    """A rational lower bound on √x (x ≥ 0), within 2^-bits · max(1, √x)."""
    if x < 0:
        raise ValueError("sqrt of a negative number")
    scale = 1 << bits
    # floor(√(x·4^bits)) / 2^bits ≤ √x
    return Fraction(math.isqrt(math.floor(x * scale * scale)), scale)


def sqrt_hi(x: Fraction, bits: int = 64) -> Fraction:
    """A rational upper bound on √x (x ≥ 0)."""
    lo = sqrt_lo(x, bits)
    return lo if lo * lo == x else lo + Fraction(1, 1 << bits)


def ceil_quarter(opt: Any, base: int) -> int:
    """⌈(opt − base)/4⌉ for an exact rational ``opt``.

    A float is accepted as a solver's rounding of the optimum: it is read exactly and moved
    down by 1e-9 relative before the ceiling, since the value map has slack < 4 on the left
    of each integer but none on the right (opt = A·n + 4U is attained by the lifted cut).
    """
    if isinstance(opt, float):
        if not math.isfinite(opt):
            raise ValueError(f"cannot decode a non-finite optimum {opt!r}")
        x = Fraction(opt) - Fraction(abs(opt)) * Fraction(1, 10**9)
    else:
        x = Fraction(opt)
    return math.ceil((x - base) / 4)


def as_int(x: Fraction) -> Any:
    """An integral Fraction as int; anything else unchanged (and then never equal to an int)."""
    return x.numerator if x.denominator == 1 else x
