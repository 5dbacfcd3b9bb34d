"""(Weighted) Max-2-SAT → weighted Max-Cut.

Construction
------------
Vertices: a root r = 0 (the "false side"), and for each variable x the literal vertices
x ↦ 2x − 1 and ¬x ↦ 2x.  A literal is *true* iff its vertex is cut from r.  Edges (weights
added up when several gadgets use the same pair):

* a variable edge {x, ¬x} of weight M_x = 2·occ(x) + 1, where occ(x) is the total weight of the
  clauses mentioning x or ¬x (each clause counted once);
* a 2-clause (a ∨ b) of weight w (a ≠ b) becomes the triangle {a, b, r}, each edge weight w;
* a unit clause (a), and a 2-clause (a ∨ a), becomes the edge {a, r} of weight 2w.

Gadget values, for a cut in which every x is separated from ¬x: the triangle {a, b, r} is cut
in 2 edges (value 2w) iff a or b is on the far side of r, i.e. the clause is satisfied, and in
0 edges otherwise; the unit edge gives 2w iff a is true.  (The tautology (x ∨ ¬x) is a
triangle {x, ¬x, r} whose {x, ¬x} edge merges with the variable edge; it gives 2w, as it should.)

Proof that an optimal cut separates every x from ¬x.  If x and ¬x are on the same side, move
the vertex x: the variable edge becomes cut (+M_x) and each gadget touching x changes by at
most its weight incident to x, which is 2w per clause mentioning x; in total at most 2·occ(x)
< M_x.  So the move strictly gains, and ``project`` performs such moves (choosing the better of
the two vertices) before reading the assignment.

Value map (exact).  **MC = Σ_x M_x + 2·OPT₂**: ``lift`` puts r and the false literals on one
side (cut value exactly Σ M_x + 2·val); ``project`` returns an assignment of value at least
(cut − Σ M_x)/2.

References
----------
The classical reduction from Max-2-SAT to Max-Cut, e.g. M. R. Garey, D. S. Johnson,
L. Stockmeyer (1976); the weights M_x here are this project's choice, proved above.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from reductions.base import Reduction
from reductions.interval import Interval, as_int
from reductions.problems import MaxCutProblem, MaxSatProblem
from reductions.sampling import seeded, signed_clause
from reductions.sources.types import CNF, Graph, InvalidSource

__all__ = ["Max2SatToMaxCut", "Max2SatTrace", "literal_vertex"]


@dataclass(frozen=True)
class Max2SatTrace:
    """``M[x − 1]`` is the variable-edge weight of x; ``sum_M`` = Σ M_x; root vertex is 0."""

    num_vars: int
    M: tuple[int, ...]
    sum_M: int


def literal_vertex(lit: int) -> int:
    """Vertex of a literal: x ↦ 2x − 1, ¬x ↦ 2x (the root is 0)."""
    return 2 * lit - 1 if lit > 0 else -2 * lit


def _edges(f: CNF) -> tuple[dict[tuple[int, int], int], tuple[int, ...]]:
    occ = [0] * (f.num_vars + 1)
    for i, cl in enumerate(f.clauses):
        if len(cl) > 2:
            raise InvalidSource(
                f"max2sat_to_maxcut: clause {i} has {len(cl)} literals; expected 1 or 2 "
                "(use sat3_to_max2sat first)"
            )
        for x in {abs(t) for t in cl}:
            occ[x] += f.weight(i)
    M = tuple(2 * occ[x] + 1 for x in range(1, f.num_vars + 1))
    acc: dict[tuple[int, int], int] = {}

    def add(u: int, v: int, w: int) -> None:
        key = (min(u, v), max(u, v))
        acc[key] = acc.get(key, 0) + w

    for x in range(1, f.num_vars + 1):
        add(2 * x - 1, 2 * x, M[x - 1])
    for i, cl in enumerate(f.clauses):
        w = f.weight(i)
        lits = set(cl)
        if len(lits) == 1:
            add(literal_vertex(cl[0]), 0, 2 * w)
        else:
            a, b = (literal_vertex(t) for t in cl)
            add(a, b, w)
            add(a, 0, w)
            add(b, 0, w)
    return acc, M


class Max2SatToMaxCut(Reduction):
    """Max-2-SAT → weighted Max-Cut; see the module docstring."""

    name = "max2sat_to_maxcut"

    @property
    def source_problem(self) -> MaxSatProblem:
        return MaxSatProblem()

    @property
    def target_problem(self) -> MaxCutProblem:
        return MaxCutProblem()

    def relation(self) -> str:
        return "MC = Σ_x M_x + 2·OPT2 with M_x = 2·occ(x) + 1"

    def forward(self, f: CNF) -> tuple[Graph, Max2SatTrace]:
        self.source_problem.check_instance(f)
        acc, M = _edges(f)
        keys = sorted(acc)
        name = f"{f.name}-maxcut" if f.name else "maxcut"
        g = Graph(2 * f.num_vars + 1, tuple(keys), tuple(acc[k] for k in keys), name)
        return g, Max2SatTrace(f.num_vars, M, sum(M))

    def lift(self, f: CNF, trace: Max2SatTrace, assignment: Any) -> tuple[int, ...]:
        a = [bool(v) for v in assignment]
        if len(a) != f.num_vars:
            raise InvalidSource(
                f"max2sat_to_maxcut: expected {f.num_vars} truth values, found {len(a)}"
            )
        side = [0]
        for x in range(1, f.num_vars + 1):
            side.append(2 * x if a[x - 1] else 2 * x - 1)  # the false literal joins r
        return tuple(sorted(side))

    def project(self, f: CNF, trace: Max2SatTrace, side: Any) -> tuple[bool, ...]:
        g, _ = self.forward(f)
        s = set(int(v) for v in side)
        root_side = s if 0 in s else set(range(g.n)) - s
        adj: list[dict[int, int]] = [{} for _ in range(g.n)]
        for e, (u, v) in enumerate(g.edges):
            adj[u][v] = g.weight(e)
            adj[v][u] = g.weight(e)

        def gain(v: int) -> int:
            here = v in root_side
            return sum(w if (u in root_side) == here else -w for u, w in adj[v].items())

        for x in range(1, f.num_vars + 1):
            p, q = 2 * x - 1, 2 * x
            if (p in root_side) == (q in root_side):
                move = p if gain(p) >= gain(q) else q
                root_side ^= {move}
        return tuple(2 * x - 1 not in root_side for x in range(1, f.num_vars + 1))

    def predicted(self, trace: Max2SatTrace, source_value: int) -> Interval:
        return Interval.point(trace.sum_M + 2 * source_value)

    def source_value(self, trace: Max2SatTrace, target_optimum: Any) -> int:
        return as_int((Fraction(target_optimum) - trace.sum_M) / 2)

    def lifted_value(self, trace: Max2SatTrace, source_value: int) -> Fraction:
        return Fraction(trace.sum_M + 2 * source_value)

    def size(self, f: CNF) -> tuple[int, int]:
        acc, _ = _edges(f)
        return (2 * f.num_vars + 1, len(acc))

    def random_source(self, seed: int) -> CNF:
        """2-CNF on 3..8 variables, n..4n clauses, each of 2 literals with probability 3/4."""
        rng, _ = seeded(seed)
        n = rng.randint(3, 8)
        m = rng.randint(n, 4 * n)
        clauses = tuple(signed_clause(rng, n, rng.choice((1, 2, 2, 2))) for _ in range(m))
        return CNF(n, clauses, None, f"random2cnf:seed={seed}")
