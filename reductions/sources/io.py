"""Readers and writers for source instances: DIMACS graphs, DIMACS CNF and hypergraphs.

Formats (full description in ``docs/sources.md``; vertices and variables are 1-based on disk and
0-based in :class:`Graph` / :class:`Hypergraph`):

* **DIMACS graph** (``.col``, ``.gr``, ``.dimacs``, ``.clq``): comment lines ``c ...``, one header
  ``p edge n m`` (``p col n m`` is accepted too), then ``m`` lines ``e u v`` or ``e u v w`` with an
  integer weight ``w ≥ 1``.  An edge listed twice with the same weight (some benchmark files list
  both orientations) is kept once; with different weights it is an error.
* **DIMACS CNF** (``.cnf``): comments, header ``p cnf V C``, then ``C`` clauses of literals
  ``±1..±V``, each terminated by ``0``; a clause may span lines and a line may hold several.
  A line consisting of ``%`` ends the formula (SATLIB files end with ``%`` and ``0``).
  ``p wcnf V C [top]`` gives a weighted formula: each clause starts with its weight ``≥ 1``;
  hard clauses (weight ``≥ top``) are refused since a :class:`CNF` has only soft clauses.
* **Hypergraph** (``.hgr``): comments, header ``p hyper n m``, then ``m`` lines ``e v1 v2 ... vr``
  (``r ≥ 2`` distinct vertices in ``1..n``).

A comment ``c name: NAME`` sets the instance's name; for CNF every other comment line is kept
in :attr:`CNF.comments` (without the leading ``c ``), so generators can record planted
assignments.
Every parse error raises :class:`InvalidSource` with one line
``WHERE:LINE: expected ..., found ...``.
Writers are atomic: they write a temporary file in the target directory and rename it.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from exactfit.errors import InputError
from reductions.sources.types import CNF, Graph, Hypergraph, InvalidSource

__all__ = [
    "CNF_SUFFIXES",
    "GRAPH_SUFFIXES",
    "HYPERGRAPH_SUFFIXES",
    "dimacs_cnf_text",
    "dimacs_graph_text",
    "hypergraph_text",
    "read_dimacs_cnf",
    "read_dimacs_graph",
    "read_hypergraph",
    "read_source",
    "write_dimacs_cnf",
    "write_dimacs_graph",
    "write_hypergraph",
    "write_source",
]

GRAPH_SUFFIXES = (".col", ".gr", ".dimacs", ".clq")
CNF_SUFFIXES = (".cnf", ".wcnf")
HYPERGRAPH_SUFFIXES = (".hgr",)

Source = str | os.PathLike | IO[str]


# --------------------------------------------------------------------------- plumbing
def _open(source: Source) -> tuple[str, Iterator[str], IO[str] | None]:
    """Return (display name, line iterator, handle to close or None)."""
    if hasattr(source, "read"):
        return getattr(source, "name", "<stream>"), iter(source), None  # type: ignore[arg-type]
    if str(source) == "-":
        return "<stdin>", iter(sys.stdin), None
    path = Path(source)
    try:
        fh = path.open(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidSource(f"{path}: file not found; check the path") from None
    except IsADirectoryError:
        raise InvalidSource(f"{path}: is a directory; expected a source file") from None
    return str(path), iter(fh), fh


class _Lines:
    """Numbered, stripped, non-empty lines of a source with a ``fail`` helper."""

    def __init__(self, source: Source) -> None:
        self.where, self._it, self._fh = _open(source)
        self.lineno = 0

    def __iter__(self) -> Iterator[tuple[int, str]]:
        try:
            for lineno, raw in enumerate(self._it, start=1):
                self.lineno = lineno
                line = raw.strip()
                if line:
                    yield lineno, line
        except UnicodeDecodeError:
            raise InvalidSource(
                f"{self.where}:{self.lineno + 1}: expected UTF-8 text, found undecodable bytes"
            ) from None
        finally:
            if self._fh is not None:
                self._fh.close()

    def fail(self, lineno: int, message: str) -> InvalidSource:
        return InvalidSource(f"{self.where}:{lineno}: {message}")


def _ints(lines: _Lines, lineno: int, tokens: Iterable[str], what: str) -> list[int]:
    out = []
    for tok in tokens:
        try:
            out.append(int(tok))
        except ValueError:
            raise lines.fail(lineno, f"expected an integer {what}, found {tok!r}") from None
    return out


def _header(lines: _Lines, lineno: int, line: str, kinds: tuple[str, ...], usage: str) -> list[int]:
    parts = line.split()
    if len(parts) < 4 or parts[1] not in kinds:
        raise lines.fail(lineno, f"expected a header '{usage}', found {line!r}")
    return _ints(lines, lineno, parts[2:], "in the header")


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


# --------------------------------------------------------------------------- DIMACS graph
def read_dimacs_graph(source: Source) -> Graph:
    """Read a DIMACS graph (``p edge n m`` / ``e u v [w]``, 1-based) into a :class:`Graph`.

    Parameters
    ----------
    source : path, ``"-"`` (standard input) or text stream

    Returns
    -------
    Graph
        Vertices ``0..n-1``; weighted iff some edge line carries a weight (missing weights are 1).

    Raises
    ------
    InvalidSource
        One line with the line number: missing or bad header, edge before the header, endpoint
        outside ``1..n``, self-loop, non-positive weight, conflicting duplicate, edge count
        differing from the header.
    """
    lines = _Lines(source)
    n = m = None
    header_line = 0
    name = ""
    edges: dict[tuple[int, int], tuple[int, int | None]] = {}
    count = 0
    for lineno, line in lines:
        kind = line.split(maxsplit=1)[0]
        if kind == "c":
            got = _name_from_comment(line)
            if got is not None:
                name = got
            continue
        if kind == "p":
            if n is not None:
                raise lines.fail(lineno, f"expected one header, found a second one {line!r}")
            vals = _header(lines, lineno, line, ("edge", "col", "edges"), "p edge N M")
            if len(vals) != 2 or vals[0] < 1 or vals[1] < 0:
                raise lines.fail(
                    lineno, f"expected 'p edge N M' with N ≥ 1 and M ≥ 0, found {line!r}"
                )
            n, m = vals
            header_line = lineno
            continue
        if kind != "e":
            raise lines.fail(
                lineno, f"expected a line starting with 'c', 'p' or 'e', found {line!r}"
            )
        if n is None:
            raise lines.fail(lineno, "expected the header 'p edge N M' before the first edge")
        vals = _ints(lines, lineno, line.split()[1:], "edge field")
        if len(vals) not in (2, 3):
            raise lines.fail(lineno, f"expected 'e U V' or 'e U V WEIGHT', found {line!r}")
        u, v = vals[0], vals[1]
        for x in (u, v):
            if not 1 <= x <= n:
                raise lines.fail(
                    lineno, f"edge endpoint {x} is outside 1..{n}; vertices are 1-based"
                )
        if u == v:
            raise lines.fail(lineno, f"edge {u} {v} is a self-loop; remove it")
        w = vals[2] if len(vals) == 3 else None
        if w is not None and w < 1:
            raise lines.fail(lineno, f"edge weight {w} must be an integer ≥ 1")
        key = (min(u, v) - 1, max(u, v) - 1)
        count += 1
        if key in edges:
            first_line, first_w = edges[key]
            if (first_w or 1) != (w or 1):
                raise lines.fail(
                    lineno,
                    f"edge {u} {v} repeats line {first_line} with weight {w or 1} ≠ {first_w or 1}",
                )
            continue
        edges[key] = (lineno, w)
    if n is None:
        raise lines.fail(lines.lineno, "expected a header 'p edge N M', found none")
    if count != m:
        raise lines.fail(
            header_line, f"header announces {m} edges but the file has {count} edge lines"
        )
    keys = sorted(edges)
    weighted = any(w is not None for _, w in edges.values())
    weights = tuple((edges[k][1] or 1) for k in keys) if weighted else None
    return Graph(n, tuple(keys), weights, name)


def dimacs_graph_text(graph: Graph, comments: Iterable[str] = ()) -> str:
    """The DIMACS text of ``graph`` (weights written iff the graph is weighted)."""
    out = ["c exactfit DIMACS graph (1-based vertices)"]
    if graph.name:
        out.append(f"c name: {graph.name}")
    out += _comment_lines(comments)
    out.append(f"p edge {graph.n} {graph.m}")
    for e, (u, v) in enumerate(graph.edges):
        out.append(
            f"e {u + 1} {v + 1} {graph.weight(e)}" if graph.weighted else f"e {u + 1} {v + 1}"
        )
    return "\n".join(out) + "\n"


def write_dimacs_graph(graph: Graph, path: str | os.PathLike, comments: Iterable[str] = ()) -> None:
    """Write ``graph`` as DIMACS atomically (temporary file, then rename)."""
    _atomic_write(path, dimacs_graph_text(graph, comments))


# --------------------------------------------------------------------------- DIMACS CNF
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
    name = ""
    comments: list[str] = []
    clauses: list[tuple[int, ...]] = []
    weights: list[int] = []
    current: list[int] = []
    clause_start = 0
    for lineno, line in lines:
        if line == "%" or line.startswith("%"):
            break
        if line[0] == "c" and (len(line) == 1 or line[1].isspace()):
            got = _name_from_comment(line)
            if got is not None:
                name = got
            else:
                comments.append(line[2:] if len(line) > 1 else "")
            continue
        if line[0] == "p":
            if num_vars is not None:
                raise lines.fail(lineno, f"expected one header, found a second one {line!r}")
            vals = _header(lines, lineno, line, ("cnf", "wcnf"), "p cnf VARS CLAUSES")
            weighted = line.split()[1] == "wcnf"
            if len(vals) == 3 and weighted:
                top = vals[2]
            elif len(vals) != 2:
                raise lines.fail(lineno, f"expected 'p cnf VARS CLAUSES', found {line!r}")
            num_vars, count = vals[0], vals[1]
            if num_vars < 0 or count < 0:
                raise lines.fail(
                    lineno, f"expected non-negative counts in the header, found {line!r}"
                )
            header_line = lineno
            continue
        if num_vars is None:
            raise lines.fail(
                lineno, f"expected the header 'p cnf VARS CLAUSES' first, found {line!r}"
            )
        for lit in _ints(lines, lineno, line.split(), "literal"):
            if not current:
                clause_start = lineno
            if lit == 0:
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
                clauses.append(tuple(body))
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
        name,
        tuple(comments),
    )


def dimacs_cnf_text(cnf: CNF) -> str:
    """The DIMACS text of ``cnf`` (``p wcnf`` with weights iff it is weighted)."""
    out = [f"c name: {cnf.name}"] if cnf.name else []
    out += _comment_lines(c for c in cnf.comments if _name_from_comment("c " + c) is None)
    if cnf.weights is None:
        out.append(f"p cnf {cnf.num_vars} {cnf.m}")
        out += [" ".join(map(str, c)) + " 0" for c in cnf.clauses]
    else:
        top = sum(cnf.weights) + 1
        out.append(f"p wcnf {cnf.num_vars} {cnf.m} {top}")
        out += [
            " ".join(map(str, (w, *c))) + " 0"
            for w, c in zip(cnf.weights, cnf.clauses, strict=True)
        ]
    return "\n".join(out) + "\n"


def write_dimacs_cnf(cnf: CNF, path: str | os.PathLike) -> None:
    """Write ``cnf`` as DIMACS (comments included) atomically."""
    _atomic_write(path, dimacs_cnf_text(cnf))


# --------------------------------------------------------------------------- hypergraph
def read_hypergraph(source: Source) -> Hypergraph:
    """Read the hypergraph format ``p hyper n m`` / ``e v1 ... vr`` (1-based) into a Hypergraph.

    Raises
    ------
    InvalidSource
        One line with the line number: bad header, a hyperedge with fewer than 2 distinct
        vertices, a vertex outside ``1..n``, a repeated hyperedge, a count differing from the
        header.
    """
    lines = _Lines(source)
    n = m = None
    header_line = 0
    name = ""
    edges: list[tuple[int, ...]] = []
    seen: dict[tuple[int, ...], int] = {}
    for lineno, line in lines:
        kind = line.split(maxsplit=1)[0]
        if kind == "c":
            got = _name_from_comment(line)
            if got is not None:
                name = got
            continue
        if kind == "p":
            if n is not None:
                raise lines.fail(lineno, f"expected one header, found a second one {line!r}")
            vals = _header(lines, lineno, line, ("hyper",), "p hyper N M")
            if len(vals) != 2 or vals[0] < 1 or vals[1] < 0:
                raise lines.fail(
                    lineno, f"expected 'p hyper N M' with N ≥ 1 and M ≥ 0, found {line!r}"
                )
            n, m = vals
            header_line = lineno
            continue
        if kind != "e" and n is None:
            raise lines.fail(
                lineno,
                f"expected the header 'p hyper N M' first, found {line!r} "
                "(exactfit hypergraph format; hMETIS files are not supported)",
            )
        if kind != "e":
            raise lines.fail(
                lineno, f"expected a line starting with 'c', 'p' or 'e', found {line!r}"
            )
        if n is None:
            raise lines.fail(
                lineno,
                "expected the header 'p hyper N M' before the first edge "
                "(exactfit hypergraph format; hMETIS files are not supported)",
            )
        vals = _ints(lines, lineno, line.split()[1:], "vertex")
        for x in vals:
            if not 1 <= x <= n:
                raise lines.fail(lineno, f"vertex {x} is outside 1..{n}; vertices are 1-based")
        if len(set(vals)) < 2 or len(set(vals)) != len(vals):
            raise lines.fail(
                lineno, f"expected a hyperedge of ≥ 2 distinct vertices, found {line!r}"
            )
        key = tuple(sorted(x - 1 for x in vals))
        if key in seen:
            raise lines.fail(lineno, f"hyperedge repeats line {seen[key]}; remove the duplicate")
        seen[key] = lineno
        edges.append(key)
    if n is None:
        raise lines.fail(
            lines.lineno,
            "expected a header 'p hyper N M', found none "
            "(exactfit hypergraph format; hMETIS files are not supported)",
        )
    if len(edges) != m:
        raise lines.fail(
            header_line, f"header announces {m} hyperedges but the file has {len(edges)}"
        )
    return Hypergraph(n, tuple(edges), name)


def hypergraph_text(h: Hypergraph, comments: Iterable[str] = ()) -> str:
    """The text of ``h`` in the exactfit hypergraph format."""
    out = ["c exactfit hypergraph (1-based vertices, one hyperedge per line)"]
    if h.name:
        out.append(f"c name: {h.name}")
    out += _comment_lines(comments)
    out.append(f"p hyper {h.n} {len(h.edges)}")
    out += ["e " + " ".join(str(v + 1) for v in e) for e in h.edges]
    return "\n".join(out) + "\n"


def write_hypergraph(h: Hypergraph, path: str | os.PathLike, comments: Iterable[str] = ()) -> None:
    """Write ``h`` in the hypergraph format atomically."""
    _atomic_write(path, hypergraph_text(h, comments))


# --------------------------------------------------------------------------- dispatch
def _sniff(text: str) -> str | None:
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "c%":
            continue
        parts = line.split()
        if parts[0] == "p" and len(parts) > 1:
            return {
                "edge": "graph",
                "col": "graph",
                "edges": "graph",
                "cnf": "cnf",
                "wcnf": "cnf",
                "hyper": "hyper",
            }.get(parts[1])
        return None
    return None


def read_source(source: Source) -> Graph | CNF | Hypergraph:
    """Read a graph, CNF or hypergraph, choosing the format by the header line.

    The ``p`` line decides (``p edge``/``p col`` → graph, ``p cnf``/``p wcnf`` → CNF,
    ``p hyper`` → hypergraph); a file without a recognisable header falls back to its extension
    (``.col .gr .dimacs .clq`` graph, ``.cnf .wcnf`` CNF, ``.hgr`` hypergraph) so that the reader's
    own error message explains what is wrong.
    """
    if hasattr(source, "read"):
        text = source.read()  # type: ignore[union-attr]
        where = getattr(source, "name", "<stream>")
        suffix = ""
    elif str(source) == "-":
        text, where, suffix = sys.stdin.read(), "<stdin>", ""
    else:
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InvalidSource(f"{path}: file not found; check the path") from None
        except IsADirectoryError:
            raise InvalidSource(f"{path}: is a directory; expected a source file") from None
        except UnicodeDecodeError:
            raise InvalidSource(f"{path}: expected UTF-8 text, found undecodable bytes") from None
        where, suffix = str(path), path.suffix.lower()
    kind = _sniff(text)
    if kind is None:
        kind = (
            "graph"
            if suffix in GRAPH_SUFFIXES
            else "cnf"
            if suffix in CNF_SUFFIXES
            else "hyper"
            if suffix in HYPERGRAPH_SUFFIXES
            else None
        )
    if kind is None:
        raise InvalidSource(
            f"{where}: expected a header 'p edge', 'p cnf' or 'p hyper' (or a .col/.cnf/.hgr "
            "file), found none; see docs/sources.md"
        )
    stream = io.StringIO(text)
    stream.name = where  # type: ignore[attr-defined]
    reader = {"graph": read_dimacs_graph, "cnf": read_dimacs_cnf, "hyper": read_hypergraph}[kind]
    return reader(stream)


def write_source(obj: Graph | CNF | Hypergraph, path: str | os.PathLike) -> None:
    """Write a graph, CNF or hypergraph in its format, refusing a mismatching file extension."""
    suffix = "" if str(path) == "-" else Path(path).suffix.lower()
    if isinstance(obj, Graph):
        expected, writer = GRAPH_SUFFIXES, write_dimacs_graph
    elif isinstance(obj, CNF):
        expected, writer = CNF_SUFFIXES, write_dimacs_cnf
    elif isinstance(obj, Hypergraph):
        expected, writer = HYPERGRAPH_SUFFIXES, write_hypergraph
    else:
        raise InvalidSource(
            f"expected a Graph, CNF or Hypergraph to write, found {type(obj).__name__}"
        )
    known = GRAPH_SUFFIXES + CNF_SUFFIXES + HYPERGRAPH_SUFFIXES
    if suffix in known and suffix not in expected:
        raise InvalidSource(
            f"{path}: a {type(obj).__name__} is written in a {'/'.join(expected)} file, "
            f"not {suffix}; change the file name"
        )
    writer(obj, path)  # type: ignore[operator]
