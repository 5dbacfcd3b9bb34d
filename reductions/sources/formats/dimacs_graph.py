"""The DIMACS graph format (``.col``, ``.gr``, ``.dimacs``, ``.clq``): ``p edge n m`` and edge
lines ``e u v [w]`` with 1-based vertices (full description in ``docs/sources.md``)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from exactfit.numbers import short
from reductions.sources.formats.lines import (
    Source,
    _atomic_write,
    _counts_header,
    _ints,
    _Lines,
    _text,
)
from reductions.sources.types import Graph

__all__ = ["GRAPH_SUFFIXES", "dimacs_graph_text", "read_dimacs_graph", "write_dimacs_graph"]

GRAPH_SUFFIXES = (".col", ".gr", ".dimacs", ".clq")


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
    edges: dict[tuple[int, int], tuple[int, int | None]] = {}
    count = 0
    for lineno, line in lines:
        kind = line.split(maxsplit=1)[0]
        if kind == "p":
            usage = "p edge N M"
            n, m = _counts_header(
                lines, lineno, line, ("edge", "col", "edges"), usage, n is not None
            )
            header_line = lineno
            continue
        if kind != "e":
            raise lines.fail(
                lineno, f"expected a line starting with 'c', 'p' or 'e', found {short(line)}"
            )
        if n is None:
            raise lines.fail(lineno, "expected the header 'p edge N M' before the first edge")
        count += 1
        _add_edge(lines, lineno, line, n, edges)
    if n is None:
        raise lines.fail(lines.lineno, "expected a header 'p edge N M', found none")
    if count != m:
        raise lines.fail(
            header_line, f"header announces {m} edges but the file has {count} edge lines"
        )
    keys = sorted(edges)
    weighted = any(w is not None for _, w in edges.values())
    weights = tuple((edges[k][1] or 1) for k in keys) if weighted else None
    return Graph(n, tuple(keys), weights, lines.name)


def _add_edge(
    lines: _Lines, lineno: int, line: str, n: int, edges: dict[tuple[int, int], tuple]
) -> None:
    """Validate the edge line ``e U V [W]`` and record it in ``edges`` as
    (0-based pair) -> (first line, weight or None); a repeat must have the same weight."""
    vals = _ints(lines, lineno, line.split()[1:], "edge field")
    if len(vals) not in (2, 3):
        raise lines.fail(lineno, f"expected 'e U V' or 'e U V WEIGHT', found {short(line)}")
    u, v = vals[0], vals[1]
    for x in (u, v):
        if not 1 <= x <= n:
            raise lines.fail(lineno, f"edge endpoint {x} is outside 1..{n}; vertices are 1-based")
    if u == v:
        raise lines.fail(lineno, f"edge {u} {v} is a self-loop; remove it")
    w = vals[2] if len(vals) == 3 else None
    if w is not None and w < 1:
        raise lines.fail(lineno, f"edge weight {w} must be an integer ≥ 1")
    key = (min(u, v) - 1, max(u, v) - 1)
    if key in edges:
        first_line, first_w = edges[key]
        if (first_w or 1) != (w or 1):
            raise lines.fail(
                lineno,
                f"edge {u} {v} repeats line {first_line} with weight {w or 1} ≠ {first_w or 1}",
            )
        return
    edges[key] = (lineno, w)


def dimacs_graph_text(graph: Graph, comments: Iterable[str] = ()) -> str:
    """The DIMACS text of ``graph`` (weights written iff the graph is weighted)."""
    body = [
        f"e {u + 1} {v + 1} {graph.weight(e)}" if graph.weighted else f"e {u + 1} {v + 1}"
        for e, (u, v) in enumerate(graph.edges)
    ]
    title = "c exactfit DIMACS graph (1-based vertices)"
    return _text(title, graph.name, comments, f"p edge {graph.n} {graph.m}", body)


def write_dimacs_graph(graph: Graph, path: str | os.PathLike, comments: Iterable[str] = ()) -> None:
    """Write ``graph`` as DIMACS atomically (temporary file, then rename)."""
    _atomic_write(path, dimacs_graph_text(graph, comments))
