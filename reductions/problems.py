"""The problems a reduction maps between, and the canonical identity of a source instance.

A *problem* (:class:`_Problem`) knows its instance type, its sense (``max``/``min``), how to
evaluate and validate a solution and how to solve an instance exactly: the source problems
Max-Cut, Densest κ-Subgraph, Max-SAT and k-colourability, and the fitting target :data:`FIT`.
:func:`source_hash` is the sha256 of a source's canonical JSON (:func:`source_json`), which
fitting instances record in their ``meta``.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from exactfit.errors import InvalidSolution
from exactfit.problem import FitProblem, ReluNetwork, exact_loss, network_violations
from reductions.sources.types import CNF, Graph, Hypergraph, InvalidSource

__all__ = [
    "FIT",
    "ColourableProblem",
    "DensestSubgraphProblem",
    "FitTarget",
    "InvalidSolution",
    "MaxCutProblem",
    "MaxSatProblem",
    "source_hash",
    "source_json",
]


class _Problem(ABC):
    """An optimisation problem over some instance type: evaluate, validate, solve exactly."""

    name: ClassVar[str]
    sense: ClassVar[str]  # "max" or "min"
    instance_type: ClassVar[type]

    def check_instance(self, instance: Any) -> None:
        if not isinstance(instance, self.instance_type):
            raise InvalidSource(
                f"{self.name}: expected a {self.instance_type.__name__}, "
                f"found {type(instance).__name__}"
            )

    @abstractmethod
    def evaluate(self, instance: Any, solution: Any) -> Any:
        """The objective value of a valid solution (raise :class:`InvalidSolution` if invalid)."""

    @abstractmethod
    def solve(self, instance: Any, method: str = "auto") -> Any:
        """An exact optimum with certificate (a ``SourceSolution``)."""

    def value_range(self, instance: Any) -> range:
        """Every value a solution of ``instance`` can have, a superset of the attainable ones
        (what a check's discrimination ranges over: the values a target bracket could mean)."""
        raise InvalidSource(f"{self.name}: no range of solution values is declared")

    def describe(self) -> str:
        return self.name


class MaxCutProblem(_Problem):
    """Weighted Max-Cut; a solution is the tuple of vertices on one side."""

    name = "max-cut"
    sense = "max"
    instance_type = Graph

    def evaluate(self, g: Graph, side: Iterable[int]) -> int:
        side = tuple(side)
        if any(not (0 <= v < g.n) for v in side):
            raise InvalidSolution(f"max-cut: side {side} has a vertex outside 0..{g.n - 1}")
        return g.cut_value(side)

    def value_range(self, g: Graph) -> range:
        return range(g.total_weight + 1)

    def solve(self, g: Graph, method: str = "auto") -> Any:
        from reductions.sources.solvers import max_cut

        return max_cut(g, method=method)


@dataclass(frozen=True)
class DensestSubgraphProblem(_Problem):
    """Densest κ-subgraph: a solution is a set of exactly κ vertices; value = induced edges."""

    kappa: int
    name: ClassVar[str] = "densest-subgraph"
    sense: ClassVar[str] = "max"
    instance_type: ClassVar[type] = Graph

    def evaluate(self, g: Graph, vertices: Iterable[int]) -> int:
        s = tuple(vertices)
        if len(set(s)) != self.kappa or any(not (0 <= v < g.n) for v in s):
            raise InvalidSolution(
                f"densest-subgraph: expected {self.kappa} distinct vertices of 0..{g.n - 1}, "
                f"found {s}"
            )
        return g.induced_edges(s)

    def value_range(self, g: Graph) -> range:
        return range(min(g.m, self.kappa * (self.kappa - 1) // 2) + 1)

    def solve(self, g: Graph, method: str = "auto") -> Any:
        from reductions.sources.solvers import densest_subgraph

        return densest_subgraph(g, self.kappa, method=method)

    def describe(self) -> str:
        return f"{self.name} (κ = {self.kappa})"


class MaxSatProblem(_Problem):
    """Weighted Max-SAT; a solution is a tuple of bools indexed by ``var − 1``."""

    name = "max-sat"
    sense = "max"
    instance_type = CNF

    def evaluate(self, f: CNF, assignment: Sequence[bool]) -> int:
        a = tuple(assignment)
        if len(a) != f.num_vars:
            raise InvalidSolution(
                f"max-sat: expected an assignment of {f.num_vars} booleans, found {len(a)}"
            )
        return f.satisfied(a)

    def value_range(self, f: CNF) -> range:
        return range(sum(f.weight(i) for i in range(f.m)) + 1)

    def solve(self, f: CNF, method: str = "auto") -> Any:
        from reductions.sources.solvers import max_sat

        return max_sat(f, method=method)


@dataclass(frozen=True)
class ColourableProblem(_Problem):
    """k-colourability as a 0/1 value: 1 for a proper colouring with colours 0..k−1, else 0."""

    k: int
    name: ClassVar[str] = "colourable"
    sense: ClassVar[str] = "max"
    instance_type: ClassVar[type] = Hypergraph

    def evaluate(self, h: Hypergraph, colouring: Sequence[int]) -> int:
        c = tuple(colouring)
        if len(c) != h.n or any(not (0 <= x < self.k) for x in c):
            raise InvalidSolution(
                f"colourable: expected {h.n} colours in 0..{self.k - 1}, found {c}"
            )
        return int(all(len({c[v] for v in e}) > 1 for e in h.edges))

    def value_range(self, h: Hypergraph) -> range:
        return range(2)

    def solve(self, h: Hypergraph, method: str = "auto") -> Any:
        from reductions.sources.solvers import colourable

        return colourable(h, self.k, method=method)

    def describe(self) -> str:
        return f"{self.k}-colourable"


class FitTarget(_Problem):
    """The fitting problem: value = exact rational loss of a network in the class."""

    name = "relu-fit"
    sense = "min"
    instance_type = FitProblem

    def evaluate(self, problem: FitProblem, network: ReluNetwork) -> Fraction:
        bad = network_violations(problem, network)
        if bad:
            raise InvalidSolution(f"relu-fit: network outside the class: {bad[0]}")
        return exact_loss(problem, network)

    def solve(self, problem: FitProblem, method: str = "auto") -> Any:
        import exactfit

        return exactfit.solve(problem, method)


FIT = FitTarget()


def source_json(source: Graph | Hypergraph | CNF) -> dict[str, Any]:
    """A canonical JSON-able description of a source (what :func:`source_hash` hashes)."""
    if isinstance(source, Graph):
        return {
            "type": "graph",
            "n": source.n,
            "edges": [list(e) for e in source.edges],
            "weights": None if source.weights is None else list(source.weights),
        }
    if isinstance(source, Hypergraph):
        return {"type": "hypergraph", "n": source.n, "edges": [list(e) for e in source.edges]}
    if isinstance(source, CNF):
        return {
            "type": "cnf",
            "num_vars": source.num_vars,
            "clauses": [list(c) for c in source.clauses],
            "weights": None if source.weights is None else list(source.weights),
        }
    raise InvalidSource(f"expected a Graph, Hypergraph or CNF, found {type(source).__name__}")


def source_hash(source: Graph | Hypergraph | CNF) -> str:
    """sha256 of the canonical serialisation (sorted keys, no spaces, names excluded)."""
    text = json.dumps(source_json(source), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
