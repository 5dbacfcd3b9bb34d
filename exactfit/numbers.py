"""Exact numbers from user input: every number exactfit reads becomes a ``Fraction``.

Floats convert exactly (their binary value), strings ``"p/q"`` and decimals parse to the
rational they spell, and anything else is refused with a one-line :class:`InvalidInstance`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from fractions import Fraction
from numbers import Rational, Real
from typing import Any

import numpy as np

from exactfit.errors import InvalidInstance
from exactfit.limits import MAX_DIGITS, MAX_EXPONENT

__all__ = ["float_below", "short", "to_fraction", "to_matrix", "to_vector"]

#: The number strings exactfit reads: an integer or decimal with an optional exponent
#: (``"-0.25"``, ``"1e-30"``), or a rational ``"p/q"``.  The same pattern is in the JSON
#: Schema (``exactfit/schemas/``); digits are counted separately so that a long string is
#: refused before ``Fraction`` builds a huge integer from it.
NUMBER_PATTERN = r"^\s*[+-]?(?:\d+/\d+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*$"
_NUMBER = re.compile(NUMBER_PATTERN)
_EXPONENT = re.compile(r"[eE]([+-]?\d+)")
#: Bits of an integer with ``MAX_DIGITS`` decimal digits.
_MAX_BITS = int(MAX_DIGITS * math.log2(10)) + 1


def short(value: Any, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters, so a huge input stays a one-line message."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 12]}...({len(text):,} chars)"


def _check_size(q: Fraction, what: str) -> Fraction:
    """Refuse a rational whose numerator or denominator has more than ``MAX_DIGITS`` digits."""
    bits = max(q.numerator.bit_length(), q.denominator.bit_length())
    if bits > _MAX_BITS:
        raise InvalidInstance(
            f"{what}: expected a number of at most {MAX_DIGITS} digits (numerator and "
            f"denominator), found one of about {int(bits / math.log2(10)):,} digits; round it"
        )
    return q


def _parse_string(value: str, what: str) -> Fraction:
    """A number string as an exact Fraction, refused before parsing if it is too large."""
    if not _NUMBER.match(value):
        raise InvalidInstance(
            f"{what}: expected a number or a rational string like '3/7', found {short(value)}"
        )
    digits = sum(ch.isdigit() for ch in value.split("e")[0].split("E")[0])
    exponent = _EXPONENT.search(value)
    if digits > 2 * MAX_DIGITS or (exponent and len(exponent.group(1).lstrip("+-0")) > 6):
        raise InvalidInstance(
            f"{what}: expected a number of at most {MAX_DIGITS} digits, found {short(value)}"
        )
    if exponent and abs(int(exponent.group(1))) > MAX_EXPONENT:
        raise InvalidInstance(
            f"{what}: expected a decimal exponent within ±{MAX_EXPONENT}, found {short(value)}; "
            "rescale the data"
        )
    try:
        result = Fraction(value.strip())
    except ZeroDivisionError:
        raise InvalidInstance(
            f"{what}: expected a rational p/q with q ≠ 0, found {short(value)}"
        ) from None
    return _check_size(result, what)


def to_fraction(value: Any, what: str = "value") -> Fraction:
    """Convert a number to an exact ``Fraction``.

    Accepts ints, ``Fraction``/rationals, finite floats (converted exactly, so ``0.1`` becomes
    ``3602879701896397/36028797018963968``), numpy scalars, and strings such as ``"3"``, ``"-2/7"``
    or ``"0.25"`` (a decimal string is read as the decimal it spells, ``"0.1"`` = 1/10).
    Booleans, NaN and infinities are rejected with :class:`InvalidInstance`, and so are
    numbers with more than :data:`~exactfit.limits.MAX_DIGITS` digits in the numerator or
    denominator or a decimal exponent beyond :data:`~exactfit.limits.MAX_EXPONENT` (checked on
    the text, before any big integer is built).
    """
    if isinstance(value, bool | np.bool_):
        raise InvalidInstance(f"{what}: expected a number, found the boolean {value!r}")
    if isinstance(value, Fraction):
        return _check_size(value, what)
    if isinstance(value, int | np.integer):
        return _check_size(Fraction(int(value)), what)
    if isinstance(value, Rational):
        return _check_size(Fraction(value.numerator, value.denominator), what)
    if isinstance(value, float | np.floating):
        if not math.isfinite(float(value)):
            raise InvalidInstance(
                f"{what}: expected a finite number, found {float(value)!r}; remove or impute it"
            )
        return Fraction(float(value))
    if isinstance(value, str):
        return _parse_string(value, what)
    if isinstance(value, Real):
        return to_fraction(float(value), what)
    raise InvalidInstance(f"{what}: expected a number, found {type(value).__name__} {short(value)}")


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
