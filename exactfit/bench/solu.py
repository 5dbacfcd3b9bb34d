"""``.solu`` answer files and the ``quick.txt`` subset list of an instance library.

A ``.solu`` file (the convention of MIPLIB and SCIP's check scripts) has one line per instance::

    =opt=  name  value     the optimum, proved (for the library: by two independent methods)
    =best= name  value     the best known objective (an upper bound on the optimum)
    =inf=  name            infeasible
    =unkn= name            nothing known

Values are decimal numbers or exact rationals ``p/q`` (kept exact).  Blank lines and lines
starting with ``#`` are comments.  ``quick.txt`` lists instance names, one per line, with the
same comment rule; it lives beside ``index.solu`` at the library root (see ``docs/bench.md``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from exactfit.errors import InvalidSolu
from exactfit.io import read_text
from exactfit.numbers import short

__all__ = [
    "QUICK_NAME",
    "SOLU_NAME",
    "SoluEntry",
    "find_library_file",
    "format_solu",
    "known_entry",
    "parse_quick",
    "parse_solu",
    "read_quick",
    "read_solu",
    "write_solu",
]

#: File names looked up at the library root.
SOLU_NAME = "index.solu"
QUICK_NAME = "quick.txt"

_KINDS = {"=opt=": "opt", "=best=": "best", "=inf=": "inf", "=unkn=": "unkn"}
_TAGS = {v: k for k, v in _KINDS.items()}


@dataclass(frozen=True)
class SoluEntry:
    """What is known about one instance.

    Attributes
    ----------
    name : str
        Instance name (the instance file name without ``.json``).
    kind : {"opt", "best", "inf", "unkn"}
    value : Fraction or None
        The optimum (``opt``) or best known objective (``best``); ``None`` otherwise.
    """

    name: str
    kind: str
    value: Fraction | None = None

    def __post_init__(self) -> None:
        if self.kind not in _TAGS:
            raise InvalidSolu(
                f"solu kind: expected one of {sorted(_TAGS)}, found {short(self.kind)}"
            )
        if not self.name or any(ch.isspace() for ch in self.name):
            raise InvalidSolu(
                f"solu name: expected a name without spaces, found {short(self.name)}"
            )
        needs_value = self.kind in ("opt", "best")
        if needs_value and self.value is None:
            raise InvalidSolu(f"solu entry {self.name}: ={self.kind}= needs a value")
        if not needs_value and self.value is not None:
            raise InvalidSolu(f"solu entry {self.name}: ={self.kind}= takes no value")
        if self.value is not None:
            object.__setattr__(self, "value", Fraction(self.value))


def _value(text: str, where: str) -> Fraction:
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise InvalidSolu(
            f"{where}: expected a number or a rational 'p/q', found {short(text)}"
        ) from None
    return value


def parse_solu(text: str, source: str = "solu") -> dict[str, SoluEntry]:
    """Parse ``.solu`` text into ``{name: entry}``; duplicate names are an error."""
    out: dict[str, SoluEntry] = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{source}:{lineno}"
        parts = line.split()
        kind = _KINDS.get(parts[0])
        if kind is None:
            raise InvalidSolu(
                f"{where}: expected a line starting with =opt=, =best=, =inf= or =unkn=, "
                f"found {short(parts[0])}"
            )
        expected = 3 if kind in ("opt", "best") else 2
        if len(parts) != expected:
            shape = f"{parts[0]} name value" if expected == 3 else f"{parts[0]} name"
            raise InvalidSolu(f"{where}: expected '{shape}', found {short(line)}")
        name = parts[1]
        if name in out:
            raise InvalidSolu(f"{where}: instance {short(name)} is listed twice; keep one line")
        value = _value(parts[2], where) if expected == 3 else None
        out[name] = SoluEntry(name, kind, value)
    return out


def read_solu(path: str | os.PathLike[str]) -> dict[str, SoluEntry]:
    """Read a ``.solu`` file."""
    return parse_solu(read_text(path), str(path))


def _format_value(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    # A decimal is written only if it reads back (as a decimal) as exactly the same number:
    # 0.25 yes; the binary value of 0.1 no (it is written as p/q).
    text = repr(float(value))
    if "e" not in text and Fraction(text) == value:
        return text
    return f"{value.numerator}/{value.denominator}"


def format_solu(entries: Iterable[SoluEntry]) -> str:
    """``.solu`` text, one line per entry, sorted by name; values are written exactly."""
    lines = []
    for e in sorted(entries, key=lambda e: e.name):
        tag = _TAGS[e.kind]
        if e.value is None:
            lines.append(f"{tag:<7}{e.name}")
        else:
            lines.append(f"{tag:<7}{e.name}  {_format_value(e.value)}")
    return "\n".join(lines) + ("\n" if lines else "")


def write_solu(entries: Iterable[SoluEntry] | Mapping[str, SoluEntry], path: str) -> None:
    """Write a ``.solu`` file atomically (a temporary file renamed over ``path``)."""
    from exactfit.io import atomic_write

    if isinstance(entries, Mapping):
        entries = entries.values()
    text = format_solu(entries)
    with atomic_write(path) as fh:
        fh.write(text)


def parse_quick(text: str) -> list[str]:
    """Instance names from ``quick.txt`` text (order kept, comments and blanks skipped)."""
    names = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            names.append(line)
    return names


def read_quick(path: str | os.PathLike[str]) -> list[str]:
    """Read ``quick.txt``."""
    return parse_quick(read_text(path))


def find_library_file(start: str | os.PathLike[str], name: str) -> Path | None:
    """The nearest ``name`` in ``start`` (a directory, or a file's directory) or its parents."""
    here = Path(start).resolve()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def known_entry(instance: str | os.PathLike[str]) -> tuple[SoluEntry, Path] | None:
    """What the nearest ``index.solu`` knows about the instance file ``instance``.

    The entry is matched by the file's stem (``planted_n30_d1_k1.json`` →
    ``planted_n30_d1_k1``), as ``bench`` does.  Returns ``(entry, solu file)`` or ``None``
    (standard input, no answers file, or no line for this instance).

    Raises
    ------
    InvalidSolu
        The answers file that was found is malformed.
    """
    if str(instance) == "-" or not Path(instance).is_file():
        return None
    solu = find_library_file(instance, SOLU_NAME)
    if solu is None:
        return None
    entry = read_solu(solu).get(Path(instance).stem)
    return None if entry is None else (entry, solu)
