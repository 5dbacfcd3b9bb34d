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

Each format lives in its own module under :mod:`reductions.sources.formats`; this module
re-exports their readers and writers and reads or writes any source by its header or suffix
(:func:`read_source`, :func:`write_source`).
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

from reductions.sources.formats.dimacs_cnf import (
    CNF_SUFFIXES,
    dimacs_cnf_text,
    read_dimacs_cnf,
    write_dimacs_cnf,
)
from reductions.sources.formats.dimacs_graph import (
    GRAPH_SUFFIXES,
    dimacs_graph_text,
    read_dimacs_graph,
    write_dimacs_graph,
)
from reductions.sources.formats.hypergraph import (
    HYPERGRAPH_SUFFIXES,
    hypergraph_text,
    read_hypergraph,
    write_hypergraph,
)
from reductions.sources.formats.lines import Source, _opening
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
        with _opening(path):
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise InvalidSource(
                    f"{path}: expected UTF-8 text, found undecodable bytes"
                ) from None
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
