"""File plumbing every reader and writer shares: bounded reads, JSON parsing that cannot
crash, output paths checked before any work, and atomic writes.

Each failure is one :class:`~exactfit.errors.InputError` line naming the file, what was
expected and what was found.  The caps come from :mod:`exactfit.limits`.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from exactfit.errors import InputError
from exactfit.limits import MAX_DIGITS, MAX_INPUT_BYTES, MAX_JSON_DEPTH, MAX_JSON_VALUES
from exactfit.numbers import short

__all__ = ["atomic_write", "check_output_path", "json_depth", "parse_json", "read_text"]


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a UTF-8 file, or standard input for ``"-"``, of at most ``MAX_INPUT_BYTES``.

    Raises
    ------
    InputError
        Missing file, a directory, not UTF-8, or larger than the cap.
    """
    too_big = f"{path}: expected a file of at most {MAX_INPUT_BYTES:,} bytes"
    if str(path) == "-":
        text = sys.stdin.read(MAX_INPUT_BYTES + 1)
        if len(text) > MAX_INPUT_BYTES:
            raise InputError(f"{too_big}, found more on standard input; split the input")
        return text
    try:
        size = os.stat(path).st_size
        if size > MAX_INPUT_BYTES:
            raise InputError(f"{too_big}, found {size:,}; split the input")
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory; expected a file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not a UTF-8 text file ({exc.reason})") from None
    except OSError as exc:
        raise InputError(
            f"{path}: cannot be read ({exc.strerror or exc}); check the path"
        ) from None


def _int(text: str) -> int:
    # json.loads would call int() on any digit string; Python refuses (with a traceback)
    # beyond 4300 digits, and far fewer are enough to hang later arithmetic.
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _JsonValueError(
            f"expected an integer of at most {MAX_DIGITS} digits, found one of "
            f"{len(text.lstrip('-')):,}; write it with fewer digits"
        )
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _JsonValueError(
            f"the number {text[:30]} overflows a float; expected magnitudes below 1.8e308 "
            "(rescale the data)"
        )
    return value


def _constant(name: str) -> Any:
    raise _JsonValueError(f"found {name} in the JSON; expected finite numbers only")


def _counted(cap: int) -> tuple[Any, Any]:
    """``parse_int`` and ``parse_float`` hooks that also count the numbers, and stop the
    parse at the first one over ``cap``."""
    seen = [0]

    def count() -> None:
        seen[0] += 1
        if seen[0] > cap:
            raise _JsonValueError(
                f"expected at most {cap:,} numbers in the document, found more; subsample "
                "the data or reduce the features"
            )

    def parse_int(text: str) -> int:
        count()
        return _int(text)

    def parse_float(text: str) -> float:
        count()
        return _float(text)

    return parse_int, parse_float


class _JsonValueError(Exception):
    """A number in the JSON text that is refused while parsing (turned into InputError)."""


def parse_json(text: str, source: str, max_numbers: int | None = None) -> Any:
    """Parse JSON text from ``source`` with finite, bounded numbers and bounded nesting.

    Sizes are checked before the values are allocated: the values of the document on the
    raw text (at most its commas + 1, against ``MAX_JSON_VALUES``), and, with
    ``max_numbers``, its numbers while the parser meets them (the parse stops at the first
    one over the cap).

    Raises
    ------
    InputError
        Malformed JSON, NaN/Infinity, an overflowing or over-long number, nesting deeper
        than ``MAX_JSON_DEPTH``, or more values or numbers than the caps.
    """
    values = text.count(",") + 1  # C-speed scan, no allocation
    if values > MAX_JSON_VALUES:
        raise InputError(
            f"{source}: expected at most {MAX_JSON_VALUES:,} values in the JSON document, "
            f"found up to {values:,} (its commas + 1); subsample the data"
        )
    hooks = _counted(max_numbers) if max_numbers is not None else (_int, _float)
    try:
        data = json.loads(text, parse_int=hooks[0], parse_float=hooks[1], parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except _JsonValueError as exc:
        raise InputError(f"{source}: {exc}") from None
    except RecursionError:
        raise InputError(
            f"{source}: expected JSON nested at most {MAX_JSON_DEPTH} levels deep, found far "
            "deeper nesting; flatten the document"
        ) from None
    depth = json_depth(data)
    if depth > MAX_JSON_DEPTH:
        raise InputError(
            f"{source}: expected JSON nested at most {MAX_JSON_DEPTH} levels deep, found "
            f"{depth} levels; flatten the document"
        )
    return data


def json_depth(data: Any) -> int:
    """Nesting depth of parsed JSON (a scalar is 0), computed without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        obj, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(obj, dict):
            children = obj.values()
        elif isinstance(obj, list):
            children = obj
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_JSON_DEPTH:  # no need to walk the rest
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def check_output_path(
    path: str | os.PathLike[str], option: str, suffixes: Iterable[str] = ()
) -> None:
    """Refuse an output path that cannot be written, before any work is done.

    Parameters
    ----------
    path : path or ``"-"``
        Where a command will write (``"-"``, standard output, is always fine).
    option : str
        The option that named it (``-o``, ``--plot``), for the message.
    suffixes : iterable of str
        Accepted file name endings (lower case, with the dot); empty accepts any.

    Raises
    ------
    InputError
        The path is a directory, its directory does not exist, or its suffix is not accepted.
    """
    if str(path) == "-":
        return
    target = Path(path)
    try:
        os.stat(target)
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte, no permission
        why = getattr(exc, "strerror", None) or str(exc)
        raise InputError(f"{option} {short(str(path))}: cannot be written ({why})") from None
    if str(path) == "" or target.is_dir() or str(path).endswith(("/", os.sep)):
        raise InputError(f"{option} {short(str(path))}: is a directory; expected a file name")
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"{option} {path}: directory {directory} does not exist; create it first")
    allowed = tuple(suffixes)
    if allowed and not target.name.lower().endswith(allowed):
        raise InputError(
            f"{option} {short(str(path))}: expected a file ending in {', '.join(allowed)}, "
            f"found {short(target.suffix) if target.suffix else 'no suffix'}"
        )


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[TextIO]:
    """Open a temporary file beside ``path``; rename it over ``path`` only on success.

    ``"-"`` writes to standard output.
    """
    if str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    check_output_path(path, "output")
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        # mkstemp creates 0600; give the file the mode an ordinary open() would (umask applied).
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
