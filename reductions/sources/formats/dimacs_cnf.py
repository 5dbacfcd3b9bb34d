"""The DIMACS CNF format (``.cnf``, ``.wcnf``): ``p cnf V C`` or ``p wcnf V C [top]`` and clauses
of literals ``±1..±V`` terminated by ``0`` (full description in ``docs/sources.md``)."""

from __future__ import annotations

import os

from exactfit.numbers import short
from reductions.sources.formats.lines import (
    Source,
    _atomic_write,
    _header,
    _ints,
    _Lines,
    _name_from_comment,
    _text,
)
from reductions.sources.types import CNF

__all__ = ["CNF_SUFFIXES", "dimacs_cnf_text", "read_dimacs_cnf", "write_dimacs_cnf"]

CNF_SUFFIXES = (".cnf", ".wcnf")


def read_dimacs_cnf(source: Source) -> CNF:
    """Read a DIMACS CNF (``p cnf V C``) or weighted CNF (``p wcnf V C [top]``).

    Clauses are sequences of non-zero literals terminated by ``0`` and may span lines.  A line
    ``%`` ends the formula (the SATLIB trailer ``%`` / ``0`` is ignored).  Comment lines are kept
    in :attr:`CNF.comments`; ``c name: X`` also sets the name.

    Raises
    ------
    InvalidSource
        One line with the line number: missing or bad header, literal outside ``±1..±V``, a clause
        without its terminating ``0``, an empty clause, a clause count differing from the header,
        a weight < 1 or a hard clause in ``wcnf``.
    """
    lines = _Lines(source)
    num_vars = count = None
    header_line = 0
    weighted = False
    top: int | None = None
    clauses: list[tuple[int, ...]] = []
    weights: list[int] = []
    current: list[int] = []
    clause_start = 0
    for lineno, line in lines:
        if line == "%" or line.startswith("%"):
            break
        if line[0] == "p":
            num_vars, count, weighted, top = _cnf_header(lines, lineno, line, num_vars is not None)
            header_line = lineno
            continue
        if num_vars is None:
            raise lines.fail(
                lineno, f"expected the header 'p cnf VARS CLAUSES' first, found {short(line)}"
            )
        for lit in _ints(lines, lineno, line.split(), "literal"):
            if not current:
                clause_start = lineno
            if lit == 0:
                body, w = _clause(lines, lineno, clause_start, current, weighted, top)
                clauses.append(body)
                weights.append(w)
                current = []
                continue
            # in wcnf the first number of a clause is its weight, not a literal
            if not (weighted and not current) and abs(lit) > num_vars:
                raise lines.fail(lineno, f"literal {lit} is outside ±1..±{num_vars}")
            current.append(lit)
    if num_vars is None:
        raise lines.fail(lines.lineno, "expected a header 'p cnf VARS CLAUSES', found none")
    if current:
        raise lines.fail(
            clause_start, "clause starting here is not terminated by 0; end every clause with 0"
        )
    if len(clauses) != count:
        raise lines.fail(
            header_line, f"header announces {count} clauses but the file has {len(clauses)}"
        )
    return CNF(
        num_vars,
        tuple(clauses),
        tuple(weights) if weighted else None,
        lines.name,
        tuple(lines.comments),
    )


def _cnf_header(
    lines: _Lines, lineno: int, line: str, seen: bool
) -> tuple[int, int, bool, int | None]:
    """(variables, clauses, weighted?, top or None) of ``p cnf V C`` / ``p wcnf V C [top]``."""
    vals = _header(lines, lineno, line, ("cnf", "wcnf"), "p cnf VARS CLAUSES", seen)
    weighted = line.split()[1] == "wcnf"
    top = None
    if len(vals) == 3 and weighted:
        top = vals[2]
    elif len(vals) != 2:
        raise lines.fail(lineno, f"expected 'p cnf VARS CLAUSES', found {short(line)}")
    if vals[0] < 0 or vals[1] < 0:
        raise lines.fail(lineno, f"expected non-negative counts in the header, found {short(line)}")
    return vals[0], vals[1], weighted, top


def _clause(
    lines: _Lines,
    lineno: int,
    clause_start: int,
    current: list[int],
    weighted: bool,
    top: int | None,
) -> tuple[tuple[int, ...], int]:
    """The literals and weight of the clause ``current`` that a 0 on line ``lineno`` ends."""
    if weighted:
        if not current:
            raise lines.fail(lineno, "expected a clause weight before 0, found none")
        w, body = current[0], current[1:]
        if w < 1:
            raise lines.fail(clause_start, f"clause weight {w} must be ≥ 1")
        if top is not None and w >= top:
            raise lines.fail(
                clause_start,
                f"hard clause (weight {w} ≥ top {top}) is not supported; "
                "give every clause a weight below top",
            )
    else:
        w, body = 1, current
    if not body:
        raise lines.fail(lineno, "empty clause (a lone 0); remove it")
    return tuple(body), w


def dimacs_cnf_text(cnf: CNF) -> str:
    """The DIMACS text of ``cnf`` (``p wcnf`` with weights iff it is weighted)."""
    comments = [c for c in cnf.comments if _name_from_comment("c " + c) is None]
    if cnf.weights is None:
        header = f"p cnf {cnf.num_vars} {cnf.m}"
        body = [" ".join(map(str, c)) + " 0" for c in cnf.clauses]
    else:
        header = f"p wcnf {cnf.num_vars} {cnf.m} {sum(cnf.weights) + 1}"
        body = [
            " ".join(map(str, (w, *c))) + " 0"
            for w, c in zip(cnf.weights, cnf.clauses, strict=True)
        ]
    return _text(None, cnf.name, comments, header, body)


def write_dimacs_cnf(cnf: CNF, path: str | os.PathLike) -> None:
    """Write ``cnf`` as DIMACS (comments included) atomically."""
    _atomic_write(path, dimacs_cnf_text(cnf))
