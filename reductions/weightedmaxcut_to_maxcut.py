"""Weighted Max-Cut → unweighted Max-Cut (weight expansion by parallel paths of length 3).

Construction
------------
For a graph G = (V, E) with positive integer weights w_e, n vertices, m edges and total weight
W = Σ_e w_e, the unweighted simple graph G′ keeps V = {0, …, n − 1} and every edge uv itself,
and adds for each edge uv, w_uv − 1 paths u − a − b − v of length 3 through two fresh vertices
a, b (numbered n, n + 1, … in edge order, path by path).  An unweighted graph is mapped to
itself.

Path gadget.  On a path u − a − b − v whose inner vertices meet nothing else, the number of
cut path edges has the parity of [u and v on different sides] (each cut edge switches side),
so for fixed sides of u and v its maximum over the sides of a, b is 3 when uv is cut and 2
otherwise, attained by putting a opposite u and b with u.  So each path contributes exactly
2 + [uv cut] to a cut that chooses its inner vertices well, and at most that to any cut.

Value map (exact).  **MC(G′) = MC(G) + 2(W − m)**: ``lift`` extends a cut S of G by the best
inner sides (value exactly cut_G(S) + 2(W − m)); ``project`` restricts a cut of G′ to V, and
cut_G(S ∩ V) ≥ cut_G′(S) − 2(W − m), since the direct edge uv contributes [uv cut] and each of
the w_uv − 1 paths at most 2 + [uv cut].

Size and degree.  n′ = n + 2(W − m) vertices, m′ = m + 3(W − m) = 3W − 2m edges; a vertex of V
keeps its *weighted* degree as its degree, inner vertices have degree 2, so
Δ(G′) = max(Δ_w(G), 2) when some weight exceeds 1 (Δ(G) otherwise).  The weighted degree of the
graphs of :mod:`reductions.max2sat_to_maxcut` is bounded by a function of the number of
occurrences of each variable, which is what makes G′ bounded-degree in the Gap-ETH chain
(docs/reductions/sat3_to_unit_relu.md).

References
----------
Replacing an edge of weight w by w parallel odd paths is folklore for Max-Cut; this exact form
(one direct edge plus w − 1 paths of length 3) and its proof are this project's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from reductions.base import Reduction
from reductions.interval import Interval, as_int
from reductions.problems import MaxCutProblem
from reductions.sampling import GADGET_PROBABILITIES, seeded
from reductions.sources import generators as gen
from reductions.sources.types import Graph, InvalidSource

__all__ = ["ExpansionTrace", "WeightedMaxCutToMaxCut", "paths"]


@dataclass(frozen=True)
class ExpansionTrace:
    """Constants: n, m and W of the source, ``extra`` = W − m (the number of paths, so the map
    adds 2·extra) and the maximum degree ``delta`` of the expanded graph."""

    n: int
    m: int
    W: int
    extra: int
    delta: int


def paths(g: Graph) -> Iterator[tuple[int, int, int, int]]:
    """The paths (u, a, b, v) of the expansion of ``g``, in the order their inner vertices are
    numbered (a = n + 2k, b = n + 2k + 1 for the k-th path)."""
    k = 0
    for e, (u, v) in enumerate(g.edges):
        for _ in range(g.weight(e) - 1):
            yield u, g.n + 2 * k, g.n + 2 * k + 1, v
            k += 1


class WeightedMaxCutToMaxCut(Reduction):
    """Weighted Max-Cut → unweighted Max-Cut by parallel paths; see the module docstring."""

    name = "weightedmaxcut_to_maxcut"

    @property
    def source_problem(self) -> MaxCutProblem:
        return MaxCutProblem()

    @property
    def target_problem(self) -> MaxCutProblem:
        return MaxCutProblem()

    def relation(self) -> str:
        return "MC' = MC + 2(W − m)"

    def trace_of(self, g: Graph) -> ExpansionTrace:
        extra = g.total_weight - g.m
        deg = g.max_degree if extra == 0 else max(g.max_degree, 2)
        return ExpansionTrace(g.n, g.m, g.total_weight, extra, deg)

    def forward(self, g: Graph) -> tuple[Graph, ExpansionTrace]:
        self.source_problem.check_instance(g)
        t = self.trace_of(g)
        edges = list(g.edges)
        for u, a, b, v in paths(g):
            edges += [(u, a), (a, b), (b, v)]
        name = f"{g.name}-expanded" if g.name else "expanded"
        return Graph(g.n + 2 * t.extra, tuple(edges), None, name), t

    def lift(self, g: Graph, trace: ExpansionTrace, side: Any) -> tuple[int, ...]:
        s = {int(v) for v in side}
        if any(not (0 <= v < g.n) for v in s):
            raise InvalidSource(
                f"weightedmaxcut_to_maxcut: side {sorted(s)} has a vertex outside 0..{g.n - 1}"
            )
        out = set(s)
        for u, a, b, _ in paths(g):
            # a opposite u, b with u: the path then has 2 + [uv cut] cut edges
            out.add(b if u in s else a)
        return tuple(sorted(out))

    def project(self, g: Graph, trace: ExpansionTrace, side: Any) -> tuple[int, ...]:
        return tuple(sorted({int(v) for v in side if 0 <= int(v) < g.n}))

    def predicted(self, trace: ExpansionTrace, source_value: int) -> Interval:
        return Interval.point(source_value + 2 * trace.extra)

    def source_value(self, trace: ExpansionTrace, target_optimum: Any) -> int:
        return as_int(Fraction(target_optimum) - 2 * trace.extra)

    def lifted_value(self, trace: ExpansionTrace, source_value: int) -> Fraction:
        return Fraction(source_value + 2 * trace.extra)

    def size(self, g: Graph) -> tuple[int, int]:
        extra = g.total_weight - g.m
        return (g.n + 2 * extra, g.m + 3 * extra)

    def random_source(self, seed: int) -> Graph:
        """Weighted G(n, p) on 4..7 vertices with weights 1..4 (cut solvers only: the expanded
        graph has at most 7 + 2·3·21 vertices, far below what CP-SAT solves at once)."""
        rng, sub = seeded(seed)
        return gen.random_weighted_graph(
            rng.randint(4, 7), rng.choice(GADGET_PROBABILITIES), 4, sub
        )
