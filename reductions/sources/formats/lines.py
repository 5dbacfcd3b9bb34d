"""Reading a source file as numbered lines with one-line errors, and writing one atomically.

Every parse error is an :class:`~reductions.sources.types.InvalidSource` with one line
``WHERE:LINE: expected ..., found ...``; writers write a temporary file in the target directory
and rename it (``-`` writes to standard output).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from exactfit.errors import InputError
from exactfit.limits import MAX_INPUT_BYTES, MAX_SOURCE_ITEMS, MAX_SOURCE_VERTICES
from exactfit.numbers import short
from reductions.sources.types import InvalidSource

__all__ = ["Source"]

#: What the readers accept: a path, ``"-"`` (standard input) or a text stream.
Source = str | os.PathLike | IO[str]


def _open(source: Source) -> tuple[str, Iterator[str], IO[str] | None]:
    """Return (display name, line iterator, handle to close or None)."""
    if hasattr(source, "read"):
        return getattr(source, "name", "<stream>"), iter(source), None  # type: ignore[arg-type]
    if str(source) == "-":
        return "<stdin>", iter(sys.stdin), None
    path = Path(source)
    with _opening(path):
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InvalidSource(
                f"{path}: expected a file of at most {MAX_INPUT_BYTES:,} bytes, found {size:,}"
            )
        fh = path.open(encoding="utf-8")
    return str(path), iter(fh), fh


@contextlib.contextmanager
def _opening(path: Path) -> Iterator[None]:
    """Turn the errors of opening ``path`` into one-line :class:`InvalidSource` errors."""
    try:
        yield
    except FileNotFoundError:
        raise InvalidSource(f"{path}: file not found; check the path") from None
    except IsADirectoryError:
        raise InvalidSource(f"{path}: is a directory; expected a source file") from None


class _Lines:
    """Numbered, stripped, non-empty, non-comment lines of a source with a ``fail`` helper.

    Comment lines (``c`` alone or followed by white space) are not yielded: the last
    ``c name: NAME`` sets :attr:`name`, every other comment's text goes to :attr:`comments`.
    """

    def __init__(self, source: Source) -> None:
        self.where, self._it, self._fh = _open(source)
        self.lineno = 0
        self.name = ""
        self.comments: list[str] = []

    def __iter__(self) -> Iterator[tuple[int, str]]:
        try:
            for lineno, raw in enumerate(self._it, start=1):
                self.lineno = lineno
                line = raw.strip()
                if line and line[0] == "c" and (len(line) == 1 or line[1].isspace()):
                    self._comment(line)
                elif line:
                    yield lineno, line
        except UnicodeDecodeError:
            raise InvalidSource(
                f"{self.where}:{self.lineno + 1}: expected UTF-8 text, found undecodable bytes"
            ) from None
        finally:
            if self._fh is not None:
                self._fh.close()

    def _comment(self, line: str) -> None:
        got = _name_from_comment(line)
        if got is not None:
            self.name = got
        else:
            self.comments.append(line[2:] if len(line) > 1 else "")

    def fail(self, lineno: int, message: str) -> InvalidSource:
        return InvalidSource(f"{self.where}:{lineno}: {message}")


def _ints(lines: _Lines, lineno: int, tokens: Iterable[str], what: str) -> list[int]:
    out = []
    for tok in tokens:
        try:
            out.append(int(tok))
        except ValueError:
            raise lines.fail(lineno, f"expected an integer {what}, found {tok[:40]!r}") from None
    return out


def _header(
    lines: _Lines, lineno: int, line: str, kinds: tuple[str, ...], usage: str, seen: bool
) -> list[int]:
    """The numbers of a header ``p KIND ...``; ``seen`` says a header came before."""
    if seen:
        raise lines.fail(lineno, f"expected one header, found a second one {short(line)}")
    parts = line.split()
    if len(parts) < 4 or parts[1] not in kinds:
        raise lines.fail(lineno, f"expected a header '{usage}', found {line[:80]!r}")
    vals = _ints(lines, lineno, parts[2:], "in the header")
    # the counts size everything that follows: refuse absurd ones before reading on
    for value, cap, what in zip(
        vals, (MAX_SOURCE_VERTICES, MAX_SOURCE_ITEMS), ("first count", "second count"), strict=False
    ):
        if value > cap:
            raise lines.fail(
                lineno,
                f"expected a header with at most {cap:,} as its {what}, found {value:,} "
                f"in {line[:80]!r}; exactfit reads sources of up to {MAX_SOURCE_VERTICES:,} "
                f"vertices or variables and {MAX_SOURCE_ITEMS:,} edges or clauses",
            )
    return vals


def _counts_header(
    lines: _Lines, lineno: int, line: str, kinds: tuple[str, ...], usage: str, seen: bool
) -> tuple[int, int]:
    """(N, M) of a header ``p KIND N M`` with N ≥ 1 and M ≥ 0 (graphs and hypergraphs)."""
    vals = _header(lines, lineno, line, kinds, usage, seen)
    if len(vals) != 2 or vals[0] < 1 or vals[1] < 0:
        raise lines.fail(lineno, f"expected '{usage}' with N ≥ 1 and M ≥ 0, found {short(line)}")
    return vals[0], vals[1]


def _name_from_comment(text: str) -> str | None:
    body = text[1:].strip()
    if body.lower().startswith("name:"):
        return body[5:].strip()
    return None


def _atomic_write(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` atomically; ``-`` writes to standard output."""
    from exactfit.io import atomic_write

    try:
        with atomic_write(path) as fh:
            fh.write(text)
    except InvalidSource:
        raise
    except InputError as exc:
        raise InvalidSource(str(exc)) from None


def _comment_lines(comments: Iterable[str]) -> list[str]:
    out = []
    for c in comments:
        for part in str(c).splitlines() or [""]:
            out.append(f"c {part}".rstrip())
    return out


def _text(
    title: str | None, name: str, comments: Iterable[str], header: str, body: Iterable[str]
) -> str:
    """A source file's text: an optional title comment, ``c name:``, the comments, the header
    and the body lines."""
    out = [title] if title else []
    if name:
        out.append(f"c name: {name}")
    out += _comment_lines(comments)
    out.append(header)
    out += body
    return "\n".join(out) + "\n"
