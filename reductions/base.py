"""The reduction protocol (:class:`Reduction`) and the composition of reductions, :class:`Chain`.

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
  (vertices, edges) or (variables, clauses) for source-side targets);
* ``random_source(seed)``: a tiny random source, deterministic in ``seed``, for Karp-style
  random checking (:func:`reductions.check.check_random`).

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
import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from exactfit.errors import InputError, UnsoundReduction
from exactfit.io import jsonable
from exactfit.problem import FitProblem
from reductions.interval import Interval, Number
from reductions.problems import FIT, _Problem, source_hash, source_json

__all__ = ["Chain", "ChainTrace", "Reduction", "UnsoundReduction"]


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

    def random_source(self, seed: int) -> Any:
        """A tiny random source for this reduction, deterministic in ``seed``.

        Each reduction samples its own sources (see :mod:`reductions.sampling` for the shared
        conventions), small enough that both sides solve exactly in well under a second.  The
        same seed must keep giving the same source: tests and saved counterexamples name
        sources by seed.  Raises :class:`~exactfit.errors.InputError` when the reduction has no
        sampler.
        """
        raise InputError(f"no random source sampler for reduction {self.name!r}")

    # helpers for subclasses
    def _meta(self, source: Any, constants: dict[str, Any]) -> dict[str, Any]:
        meta = {
            "reduction": self.name,
            "parameters": jsonable(self.parameters()),
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


@dataclass(frozen=True)
class ChainTrace:
    """Traces of every step plus the intermediate instances (``instances[0]`` is the source)."""

    instances: tuple[Any, ...]
    traces: tuple[Any, ...]


class Chain(Reduction):
    """Composition R_t ∘ … ∘ R_1: forward in order, project in reverse, value maps composed.

    Parameters
    ----------
    name : str
        Registry name of the composition.
    steps : sequence of Reduction
        R_1, ..., R_t; each step's target problem must be the next step's source problem.
    sampler : callable, optional
        ``sampler(seed) -> source``, the chain's :meth:`random_source`; a chain may need smaller
        sources than its first step samples, since every step enlarges the instance.
    """

    def __init__(
        self,
        name: str,
        steps: Sequence[Reduction],
        *,
        sampler: Callable[[int], Any] | None = None,
    ) -> None:
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
        self._sampler = sampler

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

    def random_source(self, seed: int) -> Any:
        if self._sampler is None:
            return super().random_source(seed)
        return self._sampler(seed)

    def __repr__(self) -> str:
        return f"Chain({self._name!r}, {list(self.steps)!r})"


# Names that lived here before the package was split, and where they live now.  Importing them
# from ``reductions.base`` keeps working (PEP 562), so code written against the old layout runs.
_MOVED = {
    **dict.fromkeys(("Interval", "sqrt_hi", "sqrt_lo"), "reductions.interval"),
    **dict.fromkeys(
        (
            "FIT",
            "ColourableProblem",
            "DensestSubgraphProblem",
            "FitTarget",
            "MaxCutProblem",
            "MaxSatProblem",
            "source_hash",
        ),
        "reductions.problems",
    ),
    **dict.fromkeys(("REGISTRY", "get_reduction", "reduction_names"), "reductions.registry"),
    **dict.fromkeys(("InvalidSolution", "UnknownReduction"), "exactfit.errors"),
}


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module 'reductions.base' has no attribute {name!r}")
