"""exactfit's hypergraph format (``.hgr``): ``p hyper n m`` and hyperedge lines
``e v1 v2 ... vr`` with r ≥ 2 distinct 1-based vertices (full description in
``docs/sources.md``)."""

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
from reductions.sources.types import Hypergraph

__all__ = ["HYPERGRAPH_SUFFIXES", "hypergraph_text", "read_hypergraph", "write_hypergraph"]

HYPERGRAPH_SUFFIXES = (".hgr",)

_NOT_HMETIS = "(exactfit hypergraph format; hMETIS files are not supported)"


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
    edges: list[tuple[int, ...]] = []
    seen: dict[tuple[int, ...], int] = {}
    for lineno, line in lines:
        kind = line.split(maxsplit=1)[0]
        if kind == "p":
            n, m = _counts_header(lines, lineno, line, ("hyper",), "p hyper N M", n is not None)
            header_line = lineno
            continue
        if kind != "e" and n is None:
            raise lines.fail(
                lineno,
                f"expected the header 'p hyper N M' first, found {short(line)} {_NOT_HMETIS}",
            )
        if kind != "e":
            raise lines.fail(
                lineno, f"expected a line starting with 'c', 'p' or 'e', found {short(line)}"
            )
        if n is None:
            raise lines.fail(
                lineno, f"expected the header 'p hyper N M' before the first edge {_NOT_HMETIS}"
            )
        key = _hyperedge(lines, lineno, line, n)
        if key in seen:
            raise lines.fail(lineno, f"hyperedge repeats line {seen[key]}; remove the duplicate")
        seen[key] = lineno
        edges.append(key)
    if n is None:
        raise lines.fail(lines.lineno, f"expected a header 'p hyper N M', found none {_NOT_HMETIS}")
    if len(edges) != m:
        raise lines.fail(
            header_line, f"header announces {m} hyperedges but the file has {len(edges)}"
        )
    return Hypergraph(n, tuple(edges), lines.name)


def _hyperedge(lines: _Lines, lineno: int, line: str, n: int) -> tuple[int, ...]:
    """The sorted 0-based vertices of the hyperedge line ``e V1 ... VR``."""
    vals = _ints(lines, lineno, line.split()[1:], "vertex")
    for x in vals:
        if not 1 <= x <= n:
            raise lines.fail(lineno, f"vertex {x} is outside 1..{n}; vertices are 1-based")
    if len(set(vals)) < 2 or len(set(vals)) != len(vals):
        raise lines.fail(
            lineno, f"expected a hyperedge of ≥ 2 distinct vertices, found {short(line)}"
        )
    return tuple(sorted(x - 1 for x in vals))


def hypergraph_text(h: Hypergraph, comments: Iterable[str] = ()) -> str:
    """The text of ``h`` in the exactfit hypergraph format."""
    body = ["e " + " ".join(str(v + 1) for v in e) for e in h.edges]
    title = "c exactfit hypergraph (1-based vertices, one hyperedge per line)"
    return _text(title, h.name, comments, f"p hyper {h.n} {len(h.edges)}", body)


def write_hypergraph(h: Hypergraph, path: str | os.PathLike, comments: Iterable[str] = ()) -> None:
    """Write ``h`` in the hypergraph format atomically."""
    _atomic_write(path, hypergraph_text(h, comments))
