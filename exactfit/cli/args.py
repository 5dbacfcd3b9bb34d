"""argparse pieces every sub-command shares: one-line usage errors and validated numbers."""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

__all__ = [
    "OneLineParser",
    "int_at_least",
    "number_arg",
    "one_line",
    "positive_float",
    "positive_int",
    "signs_arg",
]


def one_line(message: str, limit: int = 600) -> str:
    """``message`` as one line of at most about ``limit`` characters.

    Messages quote the user's input, which may hold line breaks or be megabytes long; the
    contract is one readable line, so breaks are escaped and the middle of a long one is cut.
    """
    text = message.replace("\r", "\\r").replace("\n", "\\n")
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]} ...({len(text) - limit:,} characters cut)... {text[-half:]}"


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see {self.prog} --help)\n")


def number_arg(
    kind: type = float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict: bool = False,
    what: str | None = None,
) -> Any:
    """An argparse ``type`` accepting a finite ``kind`` number in a range.

    ``strict`` makes the minimum exclusive (``> minimum``).  Errors name what was expected
    and what was found.
    """
    noun = what or ("an integer" if kind is int else "a number")
    if minimum is not None:
        noun += f" {'>' if strict else '≥'} {minimum:g}"
    if maximum is not None:
        noun += f" and ≤ {maximum:g}" if minimum is not None else f" ≤ {maximum:g}"

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {noun}, found {text!r}") from None
        ok = value == value and abs(value) != float("inf")
        if minimum is not None:
            ok = ok and (value > minimum if strict else value >= minimum)
        if maximum is not None:
            ok = ok and value <= maximum
        if not ok:
            raise argparse.ArgumentTypeError(f"expected {noun}, found {text!r}")
        return value

    return parse


def int_at_least(low: int) -> Any:
    """An argparse ``type`` accepting an integer ≥ ``low``."""
    return number_arg(int, minimum=low)


positive_float = number_arg(float, minimum=0, strict=True, what="a positive number")
positive_int = number_arg(int, minimum=1, what="a positive integer")


def signs_arg(text: str) -> Any:
    if text in ("free", "nonnegative"):
        return None if text == "free" else "nonnegative"
    try:
        return [int(s) for s in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected 'free', 'nonnegative' or a list like '1,-1', found {text!r}"
        ) from None
