"""Exact numbers from user input: every number exactfit reads becomes a ``Fraction``.

Floats convert exactly (their binary value), strings ``"p/q"`` and decimals parse to the
rational they spell, and anything else is refused with a one-line :class:`InvalidInstance`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction
from numbers import Rational, Real
from typing import Any

import numpy as np

from exactfit.errors import InvalidInstance

__all__ = ["float_below", "to_fraction", "to_matrix", "to_vector"]


def to_fraction(value: Any, what: str = "value") -> Fraction:
    """Convert a number to an exact ``Fraction``.

    Accepts ints, ``Fraction``/rationals, finite floats (converted exactly, so ``0.1`` becomes
    ``3602879701896397/36028797018963968``), numpy scalars, and strings such as ``"3"``, ``"-2/7"``
    or ``"0.25"`` (a decimal string is read as the decimal it spells, ``"0.1"`` = 1/10).
    Booleans, NaN and infinities are rejected with :class:`InvalidInstance`.
    """
    if isinstance(value, bool | np.bool_):
        raise InvalidInstance(f"{what}: expected a number, found the boolean {value!r}")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int | np.integer):
        return Fraction(int(value))
    if isinstance(value, Rational):
        return Fraction(value.numerator, value.denominator)
    if isinstance(value, float | np.floating):
        if not math.isfinite(float(value)):
            raise InvalidInstance(
                f"{what}: expected a finite number, found {float(value)!r}; remove or impute it"
            )
        return Fraction(float(value))
    if isinstance(value, str):
        text = value.strip()
        try:
            result = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise InvalidInstance(
                f"{what}: expected a number or a rational string like '3/7', found {value!r}"
            ) from None
        return result
    if isinstance(value, Real):
        return to_fraction(float(value), what)
    raise InvalidInstance(f"{what}: expected a number, found {type(value).__name__} {value!r}")


def to_vector(values: Any, what: str) -> tuple[Fraction, ...]:
    """A sequence of numbers as exact Fractions; ``what`` names it in error messages."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidInstance(f"{what}: expected a list of numbers, found {type(values).__name__}")
    return tuple(to_fraction(v, f"{what}[{i}]") for i, v in enumerate(values))


def to_matrix(rows: Any, what: str) -> tuple[tuple[Fraction, ...], ...]:
    """Rows of numbers (all of one length) as exact Fractions; ragged rows are refused."""
    if isinstance(rows, np.ndarray):
        if rows.ndim != 2:
            raise InvalidInstance(
                f"{what}: expected a 2-D array (n samples × d features), found {rows.ndim}-D"
            )
        rows = rows.tolist()
    if isinstance(rows, str | bytes) or not isinstance(rows, Iterable):
        raise InvalidInstance(f"{what}: expected a list of rows, found {type(rows).__name__}")
    out = []
    width = None
    for i, row in enumerate(rows):
        if isinstance(row, str | bytes) or not isinstance(row, Iterable):
            raise InvalidInstance(
                f"{what}[{i}]: expected a row (a list of numbers), found {type(row).__name__}; "
                "write X as a list of rows, one per sample"
            )
        vec = to_vector(row, f"{what}[{i}]")
        if width is None:
            width = len(vec)
        elif len(vec) != width:
            raise InvalidInstance(
                f"{what}: ragged rows: row 0 has {width} entries but row {i} has {len(vec)}; "
                "every sample needs the same number of features"
            )
        out.append(vec)
    return tuple(out)


def float_below(v: Fraction) -> float:
    """The largest float ``≤ v``: a float lower bound that stays a valid statement."""
    f = float(v)
    return f if Fraction(f) <= v else math.nextafter(f, -math.inf)
