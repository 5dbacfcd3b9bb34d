"""The reduction protocol, value intervals, source problems, chains and the registry.

A *reduction* R from a source problem P to a target problem T is a bundle of maps

* ``forward(source) -> (target, trace)``: the instance map; ``trace`` is a typed frozen
  dataclass holding every constant the other maps need (A, B, Δ, literal-vertex maps, ...);
* ``lift(source, trace, solution) -> target_solution``: completeness, a source solution
  becomes a target solution (for fitting targets a :class:`~exactfit.ReluNetwork`);
* ``project(source, trace, target_solution) -> solution``: soundness, any target solution
  becomes a source solution;
* ``predicted(trace, v) -> Interval``: where the target optimum lies when the source optimum
  is ``v``;
* ``source_value(trace, opt)``: the source optimum decoded from the target optimum, when the
  value map is exact (``None`` otherwise);
* ``lifted_value(trace, v)``: the exact target value of ``lift`` applied to a source solution
  of value ``v`` (the completeness value), when it has a closed form;
* ``size(source) -> (n, d)``: declared size (points and dimension for fitting targets,
  (vertices, edges) or (variables, clauses) for source-side targets).

The value maps take the trace, not only the source value, because the constants of every
construction here (A = 2Δm + 1, ...) depend on the instance.

Every projection satisfies the *soundness inequality* checked by :mod:`reductions.check`:
for any target solution ``t`` with value ``val(t)`` and ``s = project(t)``,
``val(t) ≥ predicted(val(s)).lo`` for minimisation targets (the loss of any network is at
least what the projected source solution predicts) and ``val(t) ≤ predicted(val(s)).hi`` for
maximisation targets.

A :class:`Chain` composes reductions: forward in order, lift in order, project in reverse,
``predicted`` composed forwards (through the integer points of intermediate intervals) and
``source_value`` composed backwards.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import itertools
import json
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from exactfit.errors import (
    InputError,
    InvalidSolution,
    UnknownReduction,
    UnsoundReduction,
)
from exactfit.problem import FitProblem, ReluNetwork, exact_loss, network_violations
from reductions.sources.types import CNF, Graph, Hypergraph, InvalidSource

__all__ = [
    "FIT",
    "REGISTRY",
    "Chain",
    "ChainTrace",
    "ColourableProblem",
    "DensestSubgraphProblem",
    "FitTarget",
    "Interval",
    "InvalidSolution",
    "MaxCutProblem",
    "MaxSatProblem",
    "Reduction",
    "UnknownReduction",
    "UnsoundReduction",
    "get_reduction",
    "reduction_names",
    "source_hash",
    "sqrt_hi",
    "sqrt_lo",
]

Number = int | Fraction


# --------------------------------------------------------------------------- intervals
@dataclass(frozen=True)
class Interval:
    """A real interval with exact rational end points; ``None`` is −∞ (lo) or +∞ (hi).

    ``lo_open``/``hi_open`` make an end strict (e.g. ``(0, ∞)`` for "the optimum is positive").
    """

    lo: Fraction | None
    hi: Fraction | None
    lo_open: bool = False
    hi_open: bool = False

    def __post_init__(self) -> None:
        lo = None if self.lo is None else Fraction(self.lo)
        hi = None if self.hi is None else Fraction(self.hi)
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"empty interval: lo {lo} > hi {hi}")
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "hi", hi)

    @classmethod
    def point(cls, v: Number) -> Interval:
        return cls(Fraction(v), Fraction(v))

    @property
    def is_point(self) -> bool:
        return self.lo is not None and self.lo == self.hi and not (self.lo_open or self.hi_open)

    def contains(self, x: Number) -> bool:
        """Exact membership of a rational ``x``."""
        x = Fraction(x)
        if self.lo is not None and (x < self.lo or (self.lo_open and x == self.lo)):
            return False
        return not (self.hi is not None and (x > self.hi or (self.hi_open and x == self.hi)))

    def brackets(self, lower: float, upper: float, tol: float) -> bool:
        """Whether a value proven to lie in ``[lower, upper]`` lies in this interval, allowing
        the solver tolerance ``tol`` on closed ends; an open end must be cleared by ``tol``."""
        if self.lo is not None:
            lo = float(self.lo)
            if self.lo_open and not lower > lo + tol:
                return False
            if not self.lo_open and lower < lo - tol:
                return False
        if self.hi is not None:
            hi = float(self.hi)
            if self.hi_open and not upper < hi - tol:
                return False
            if not self.hi_open and upper > hi + tol:
                return False
        return True

    def integers(self) -> range:
        """The integers in the interval (it must be bounded)."""
        if self.lo is None or self.hi is None:
            raise ValueError(f"cannot enumerate the integers of the unbounded interval {self}")
        lo = math.ceil(self.lo)
        if self.lo_open and lo == self.lo:
            lo += 1
        hi = math.floor(self.hi)
        if self.hi_open and hi == self.hi:
            hi -= 1
        return range(lo, hi + 1)

    def hull(self, other: Interval) -> Interval:
        """Smallest interval containing both."""
        if self.lo is None or other.lo is None:
            lo, lo_open = None, False
        elif self.lo != other.lo:
            lo, lo_open = min((self.lo, self.lo_open), (other.lo, other.lo_open))
        else:
            lo, lo_open = self.lo, self.lo_open and other.lo_open
        if self.hi is None or other.hi is None:
            hi, hi_open = None, False
        elif self.hi != other.hi:
            hi, hi_open = max((self.hi, self.hi_open), (other.hi, other.hi_open))
        else:
            hi, hi_open = self.hi, self.hi_open and other.hi_open
        return Interval(lo, hi, lo_open, hi_open)

    def as_json(self) -> dict[str, Any]:
        return {
            "lo": None if self.lo is None else str(self.lo),
            "hi": None if self.hi is None else str(self.hi),
            "lo_open": self.lo_open,
            "hi_open": self.hi_open,
        }

    def __str__(self) -> str:
        left = "(" if self.lo_open or self.lo is None else "["
        right = ")" if self.hi_open or self.hi is None else "]"
        lo = "-inf" if self.lo is None else _show(self.lo)
        hi = "inf" if self.hi is None else _show(self.hi)
        if self.is_point:
            return f"{{{lo}}}"
        return f"{left}{lo}, {hi}{right}"


def _show(x: Fraction) -> str:
    if x.denominator == 1:
        return str(x.numerator)
    return f"{x} (≈{float(x):.10g})"


def sqrt_lo(x: Fraction, bits: int = 64) -> Fraction:
    """A rational lower bound on √x (x ≥ 0), within 2^-bits · max(1, √x)."""
    if x < 0:
        raise ValueError("sqrt of a negative number")
    scale = 1 << bits
    # floor(√(x·4^bits)) / 2^bits ≤ √x
    return Fraction(math.isqrt(math.floor(x * scale * scale)), scale)


def sqrt_hi(x: Fraction, bits: int = 64) -> Fraction:
    """A rational upper bound on √x (x ≥ 0)."""
    lo = sqrt_lo(x, bits)
    return lo if lo * lo == x else lo + Fraction(1, 1 << bits)


# --------------------------------------------------------------------------- hashing
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


# --------------------------------------------------------------------------- problems
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


# --------------------------------------------------------------------------- reductions
class Reduction(ABC):
    """Base class of all reductions (see the module docstring for the contract)."""

    #: Registry name, ``source_to_target``.
    name: ClassVar[str]
    #: Whether ``source_value`` decodes the exact source optimum from the target optimum.
    exact_value_map: ClassVar[bool] = True

    @property
    @abstractmethod
    def source_problem(self) -> _Problem: ...

    @property
    def target_problem(self) -> _Problem:
        return FIT

    @property
    def unsound(self) -> str | None:
        """Why this configuration is unsound (only when built with ``allow_unsound=True``)."""
        return None

    def parameters(self) -> dict[str, Any]:
        """The parameters the reduction was built with (JSON-able)."""
        return {}

    @abstractmethod
    def forward(self, source: Any) -> tuple[Any, Any]:
        """The target instance (with provenance ``meta`` for fitting targets) and the trace."""

    @abstractmethod
    def lift(self, source: Any, trace: Any, solution: Any) -> Any:
        """A target solution built from a source solution (completeness direction)."""

    @abstractmethod
    def project(self, source: Any, trace: Any, target_solution: Any) -> Any:
        """A source solution read off any target solution (soundness direction)."""

    @abstractmethod
    def predicted(self, trace: Any, source_value: int) -> Interval:
        """The interval that contains the target optimum when the source optimum is
        ``source_value`` (exact rationals; irrational end points rounded outward)."""

    def source_value(self, trace: Any, target_optimum: Number) -> int | None:
        """The source optimum decoded from the exact target optimum, or ``None`` when the
        value map is not exact."""
        return None

    def lifted_value(self, trace: Any, source_value: int) -> Fraction | None:
        """Exact target value of ``lift`` of a source solution of value ``source_value``
        (the completeness value), or ``None`` when it has no closed form here."""
        return None

    @abstractmethod
    def size(self, source: Any) -> tuple[int, int]:
        """Declared size of ``forward(source)``: (points, dimension) for fitting targets,
        (vertices, edges) for graphs, (variables, clauses) for formulas."""

    def relation(self) -> str:
        """The predicted relation as text (for ``meta`` and reports)."""
        return ""

    # helpers for subclasses
    def _meta(self, source: Any, constants: dict[str, Any]) -> dict[str, Any]:
        meta = {
            "reduction": self.name,
            "parameters": _jsonable(self.parameters()),
            "source": {
                "type": source_json(source)["type"],
                "name": getattr(source, "name", ""),
                "sha256": source_hash(source),
            },
            "predicted": {
                "relation": self.relation(),
                "constants": {k: str(v) for k, v in constants.items()},
            },
        }
        if self.unsound:
            meta["unsound"] = self.unsound
        return meta

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.parameters().items())
        return f"{type(self).__name__}({params})"


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Fraction):
        return str(obj) if obj.denominator != 1 else obj.numerator
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    return obj


# --------------------------------------------------------------------------- chains
@dataclass(frozen=True)
class ChainTrace:
    """Traces of every step plus the intermediate instances (``instances[0]`` is the source)."""

    instances: tuple[Any, ...]
    traces: tuple[Any, ...]


class Chain(Reduction):
    """Composition R_t ∘ … ∘ R_1: forward in order, project in reverse, value maps composed."""

    def __init__(self, name: str, steps: Sequence[Reduction]) -> None:
        if not steps:
            raise InputError("chain: expected at least one reduction, found none")
        for a, b in itertools.pairwise(steps):
            if type(a.target_problem) is not type(b.source_problem):
                raise InputError(
                    f"chain: {a.name} produces {a.target_problem.name} but {b.name} "
                    f"expects {b.source_problem.name}"
                )
        self._name = name
        self.steps = tuple(steps)
        self.exact = all(s.exact_value_map for s in steps)

    @property
    def name(self) -> str:  # type: ignore[override]
        return self._name

    @property
    def exact_value_map(self) -> bool:  # type: ignore[override]
        return self.exact

    @property
    def source_problem(self) -> _Problem:
        return self.steps[0].source_problem

    @property
    def target_problem(self) -> _Problem:
        return self.steps[-1].target_problem

    @property
    def unsound(self) -> str | None:
        reasons = [s.unsound for s in self.steps if s.unsound]
        return "; ".join(reasons) if reasons else None

    def parameters(self) -> dict[str, Any]:
        return {"steps": [{"reduction": s.name, **s.parameters()} for s in self.steps]}

    def relation(self) -> str:
        return " then ".join(f"[{s.name}] {s.relation()}" for s in self.steps)

    def forward(self, source: Any) -> tuple[Any, ChainTrace]:
        instances = [source]
        traces = []
        for step in self.steps:
            target, trace = step.forward(instances[-1])
            instances.append(target)
            traces.append(trace)
        final = instances[-1]
        if isinstance(final, FitProblem):
            meta = self._meta(source, {})
            # every step's constants (the trace fields), so the chain can be reproduced
            meta["predicted"]["constants"] = {
                step.name: {k: str(v) for k, v in dataclasses.asdict(tr).items()}
                for step, tr in zip(self.steps, traces, strict=True)
            }
            meta["last_step"] = dict(final.meta)
            final = final.with_changes(meta=meta)
            instances[-1] = final
        return final, ChainTrace(tuple(instances), tuple(traces))

    def lift(self, source: Any, trace: ChainTrace, solution: Any) -> Any:
        sol = solution
        for step, inst, tr in zip(self.steps, trace.instances, trace.traces, strict=False):
            sol = step.lift(inst, tr, sol)
        return sol

    def project(self, source: Any, trace: ChainTrace, target_solution: Any) -> Any:
        sol = target_solution
        for i in range(len(self.steps) - 1, -1, -1):
            sol = self.steps[i].project(trace.instances[i], trace.traces[i], sol)
        return sol

    def predicted(self, trace: ChainTrace, source_value: int) -> Interval:
        current = Interval.point(source_value)
        for step, tr in zip(self.steps, trace.traces, strict=True):
            out = None
            for v in current.integers():
                iv = step.predicted(tr, v)
                out = iv if out is None else out.hull(iv)
            if out is None:
                raise ValueError(f"chain: no integer value in {current} after {step.name}")
            current = out
        return current

    def source_value(self, trace: ChainTrace, target_optimum: Number) -> int | None:
        v: Number | None = target_optimum
        for i in range(len(self.steps) - 1, -1, -1):
            v = self.steps[i].source_value(trace.traces[i], v)
            if v is None:
                return None
        return v  # type: ignore[return-value]

    def lifted_value(self, trace: ChainTrace, source_value: int) -> Fraction | None:
        v: Any = source_value
        for step, tr in zip(self.steps, trace.traces, strict=True):
            v = step.lifted_value(tr, v)
            if v is None:
                return None
        return v

    def size(self, source: Any) -> tuple[int, int]:
        inst = source
        for step in self.steps[:-1]:
            inst, _ = step.forward(inst)
        return self.steps[-1].size(inst)

    def __repr__(self) -> str:
        return f"Chain({self._name!r}, {list(self.steps)!r})"


# --------------------------------------------------------------------------- registry
#: name -> (module, factory, one-line description)
REGISTRY: dict[str, tuple[str, str, str]] = {
    "maxcut_to_relu": (
        "reductions.maxcut_to_relu",
        "MaxCutToRelu",
        "(weighted) Max-Cut -> one bias-free ReLU; MC = W - ceil((opt - A n)/4)",
    ),
    "dks_to_relu": (
        "reductions.dks_to_relu",
        "DksToRelu",
        "Densest kappa-Subgraph -> one bias-free ReLU; D = m - ceil((opt - A n)/4) (needs --kappa)",
    ),
    "gapmaxcut_to_unit_relu": (
        "reductions.gapmaxcut_to_unit_relu",
        "GapMaxCutToUnitRelu",
        "Gap-Max-Cut -> one bias-free ReLU with ||w|| <= 1 on unit-ball points (two-sided map)",
    ),
    "coloring_to_relus": (
        "reductions.coloring_to_relus",
        "ColoringToRelus",
        "hypergraph k-colouring -> k ReLUs, realizable iff k-colourable (needs --units)",
    ),
    "sat3_to_max2sat": (
        "reductions.sat3_to_max2sat",
        "Sat3ToMax2Sat",
        "Max-3-SAT -> Max-2-SAT (Garey-Johnson-Stockmeyer); OPT2 = 6 m3 + OPT3",
    ),
    "max2sat_to_maxcut": (
        "reductions.max2sat_to_maxcut",
        "Max2SatToMaxCut",
        "Max-2-SAT -> weighted Max-Cut; MC = sum M_x + 2 OPT2",
    ),
    "sat3_to_relu": (
        "reductions.sat3_to_relu",
        "sat3_to_relu",
        "chain Max-3-SAT -> Max-2-SAT -> weighted Max-Cut -> one ReLU",
    ),
}


def reduction_names() -> list[str]:
    return sorted(REGISTRY)


def get_reduction(name: str, **params: Any) -> Reduction:
    """Build the reduction registered as ``name`` with its parameters (e.g. ``kappa=3``)."""
    if name not in REGISTRY:
        raise UnknownReduction(
            f"unknown reduction {name!r}; expected one of {', '.join(reduction_names())}"
        )
    module, factory, _ = REGISTRY[name]
    fn: Callable[..., Reduction] = getattr(importlib.import_module(module), factory)
    try:
        return fn(**params)
    except TypeError as exc:
        raise InputError(f"reduction {name!r}: bad parameters {sorted(params)}: {exc}") from None
