"""Source problems of the reductions: graphs, hypergraphs and CNF formulas.

Vertices are ``0..n-1`` and variables ``1..num_vars`` (DIMACS literals: ``v`` or ``-v``).
All types are frozen and validated on creation; errors raise ``InvalidSource`` with one line.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from exactfit.errors import InvalidSource

__all__ = ["CNF", "Graph", "Hypergraph", "InvalidSource"]


@dataclass(frozen=True)
class Graph:
    """A simple undirected graph on vertices ``0..n-1`` with positive integer edge weights.

    ``edges`` are normalised to ``(u, v)`` with ``u < v``, sorted, without duplicates;
    ``weights[e]`` belongs to ``edges[e]`` (all 1 for an unweighted graph).
    """

    n: int
    edges: tuple[tuple[int, int], ...]
    weights: tuple[int, ...] | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.n, bool) or not isinstance(self.n, int) or self.n < 1:
            raise InvalidSource(f"graph: expected a vertex count n ≥ 1, found {self.n!r}")
        ws = None if self.weights is None else tuple(self.weights)
        if ws is not None and len(ws) != len(tuple(self.edges)):
            raise InvalidSource(
                f"graph: {len(tuple(self.edges))} edges but {len(ws)} weights; give one per edge"
            )
        merged: dict[tuple[int, int], int] = {}
        for i, e in enumerate(self.edges):
            u, v = (int(t) for t in e)
            if not (0 <= u < self.n and 0 <= v < self.n):
                raise InvalidSource(
                    f"graph: edge {i} = ({u}, {v}) has an endpoint outside 0..{self.n - 1}"
                )
            if u == v:
                raise InvalidSource(f"graph: edge {i} is a self-loop on vertex {u}; remove it")
            w = 1 if ws is None else ws[i]
            if isinstance(w, bool) or not isinstance(w, int) or w < 1:
                raise InvalidSource(f"graph: edge {i} has weight {w!r}; expected an integer ≥ 1")
            key = (min(u, v), max(u, v))
            if key in merged:
                raise InvalidSource(f"graph: edge {key} appears twice; merge it into one edge")
            merged[key] = w
        keys = sorted(merged)
        object.__setattr__(self, "edges", tuple(keys))
        object.__setattr__(self, "weights", None if ws is None else tuple(merged[k] for k in keys))

    @property
    def m(self) -> int:
        return len(self.edges)

    @property
    def weighted(self) -> bool:
        return self.weights is not None

    def weight(self, e: int) -> int:
        return 1 if self.weights is None else self.weights[e]

    @property
    def total_weight(self) -> int:
        return self.m if self.weights is None else sum(self.weights)

    def degrees(self) -> list[int]:
        """Weighted degrees (plain degrees when unweighted)."""
        deg = [0] * self.n
        for e, (u, v) in enumerate(self.edges):
            deg[u] += self.weight(e)
            deg[v] += self.weight(e)
        return deg

    @property
    def max_degree(self) -> int:
        return max(self.degrees(), default=0)

    def cut_value(self, side: Iterable[int]) -> int:
        """Total weight of edges with exactly one endpoint in ``side``."""
        s = set(side)
        return sum(self.weight(e) for e, (u, v) in enumerate(self.edges) if (u in s) != (v in s))

    def induced_edges(self, vertices: Iterable[int]) -> int:
        """Total weight of edges with both endpoints in ``vertices``."""
        s = set(vertices)
        return sum(self.weight(e) for e, (u, v) in enumerate(self.edges) if u in s and v in s)

    def to_networkx(self) -> nx.Graph:
        g = nx.Graph()
        g.add_nodes_from(range(self.n))
        for e, (u, v) in enumerate(self.edges):
            g.add_edge(u, v, weight=self.weight(e))
        return g

    @classmethod
    def from_networkx(cls, g: nx.Graph, name: str = "", weight: str | None = None) -> Graph:
        """Relabel ``g``'s nodes to ``0..n-1`` in sorted order (insertion order if unsortable)."""
        nodes = list(g.nodes)
        with contextlib.suppress(TypeError):  # unsortable labels keep insertion order
            nodes = sorted(nodes)
        index = {v: i for i, v in enumerate(nodes)}
        edges = [(index[u], index[v]) for u, v in g.edges]
        ws = None if weight is None else [int(g.edges[u, v][weight]) for u, v in g.edges]
        return cls(len(nodes), tuple(edges), None if ws is None else tuple(ws), name)


@dataclass(frozen=True)
class Hypergraph:
    """A hypergraph on ``0..n-1``; each hyperedge a sorted tuple of ≥ 2 distinct vertices."""

    n: int
    edges: tuple[tuple[int, ...], ...]
    name: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.n, bool) or not isinstance(self.n, int) or self.n < 1:
            raise InvalidSource(f"hypergraph: expected a vertex count n ≥ 1, found {self.n!r}")
        seen = set()
        out = []
        for i, e in enumerate(self.edges):
            t = tuple(sorted(int(v) for v in e))
            if len(t) < 2 or len(set(t)) != len(t):
                raise InvalidSource(
                    f"hypergraph: edge {i} = {tuple(e)} needs at least 2 distinct vertices"
                )
            if t[0] < 0 or t[-1] >= self.n:
                raise InvalidSource(
                    f"hypergraph: edge {i} = {t} has a vertex outside 0..{self.n - 1}"
                )
            if t in seen:
                raise InvalidSource(f"hypergraph: edge {t} appears twice")
            seen.add(t)
            out.append(t)
        object.__setattr__(self, "edges", tuple(out))

    @property
    def rank(self) -> int:
        """Largest hyperedge size ``r``."""
        return max((len(e) for e in self.edges), default=2)

    @classmethod
    def from_graph(cls, g: Graph) -> Hypergraph:
        return cls(g.n, g.edges, g.name)


@dataclass(frozen=True)
class CNF:
    """A CNF formula over variables ``1..num_vars``; clauses are tuples of DIMACS literals.

    ``weights`` (optional, positive integers) make it a weighted Max-SAT instance.
    """

    num_vars: int
    clauses: tuple[tuple[int, ...], ...]
    weights: tuple[int, ...] | None = None
    name: str = ""
    comments: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.num_vars, bool) or not isinstance(self.num_vars, int):
            raise InvalidSource(f"cnf: expected an integer variable count, found {self.num_vars!r}")
        if self.num_vars < 0:
            raise InvalidSource(f"cnf: expected a variable count ≥ 0, found {self.num_vars}")
        out = []
        for i, c in enumerate(self.clauses):
            t = tuple(int(lit) for lit in c)
            if not t:
                raise InvalidSource(f"cnf: clause {i} is empty")
            for lit in t:
                if lit == 0 or abs(lit) > self.num_vars:
                    raise InvalidSource(
                        f"cnf: clause {i} has literal {lit}; expected ±1..±{self.num_vars}"
                    )
            out.append(t)
        object.__setattr__(self, "clauses", tuple(out))
        if self.weights is not None:
            ws = tuple(self.weights)
            if len(ws) != len(out):
                raise InvalidSource(f"cnf: {len(out)} clauses but {len(ws)} weights")
            if any(isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in ws):
                raise InvalidSource("cnf: clause weights must be integers ≥ 1")
            object.__setattr__(self, "weights", ws)

    @property
    def m(self) -> int:
        return len(self.clauses)

    def weight(self, i: int) -> int:
        return 1 if self.weights is None else self.weights[i]

    def satisfied(self, assignment: dict[int, bool] | list[bool] | tuple[bool, ...]) -> int:
        """Total weight of clauses satisfied; a sequence is indexed by ``var - 1``."""

        def val(lit: int) -> bool:
            v = assignment[abs(lit)] if isinstance(assignment, dict) else assignment[abs(lit) - 1]
            return bool(v) if lit > 0 else not bool(v)

        return sum(self.weight(i) for i, c in enumerate(self.clauses) if any(val(t) for t in c))
