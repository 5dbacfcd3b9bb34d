"""Exact fitting solvers, looked up by name.

Each solver lives in its own module and is imported only when asked for, so a missing optional
backend never breaks the others.  A solver is an object with a ``name``, a method
``unsupported(problem) -> str | None`` (a reason it cannot take the problem, or ``None``) and a
method ``solve(problem, *, time_limit=None, **options) -> Result``.  The registry declares, for
each name, where the class lives, what it can do (:class:`Capability`) and which options it
accepts, so callers can ask without importing a backend.
"""

from __future__ import annotations

import enum
import importlib
from dataclasses import dataclass
from typing import Any, Protocol

from exactfit.errors import InputError, UnknownSolver
from exactfit.problem import FitProblem
from exactfit.result import Result

__all__ = [
    "REGISTRY",
    "Capability",
    "Solver",
    "SolverInfo",
    "UnknownSolver",
    "available",
    "choose_auto",
    "get_solver",
]


class Solver(Protocol):
    name: str

    def unsupported(self, problem: FitProblem) -> str | None: ...

    def solve(
        self, problem: FitProblem, *, time_limit: float | None = None, **options: Any
    ) -> Result: ...


class Capability(enum.Enum):
    """What a solver can do, declared in the registry (the solver's ``unsupported`` has the
    final word on a particular instance)."""

    MULTI_UNIT = "multi_unit"  # k ≥ 2 units
    WEIGHT_BOUND = "weight_bound"  # ‖w_j‖₂ ≤ B (enum: single unit only)
    TIME_LIMIT = "time_limit"  # stops at a time limit with the best proven bound
    CERTIFY = "certify"  # exact rational optimum of the winner on request
    SHARDS = "shards"  # splits its work into shards for a process pool or Dask
    EXACT_ARITHMETIC = "exact_arithmetic"  # decides in rationals throughout


@dataclass(frozen=True)
class SolverInfo:
    """One registry entry: ``module:cls`` implements the solver named ``name``.

    ``options`` are the keyword options the solver takes and names in its "unknown option"
    message; ``silent_options`` are accepted without being listed (``progress``, which the CLI
    passes to every solver, and test hooks).  The solver validates against this entry, so the
    registry is the one declaration of what each solver accepts.
    """

    name: str
    module: str
    cls: str
    description: str
    capabilities: frozenset[Capability]
    options: tuple[str, ...]
    silent_options: tuple[str, ...] = ("progress",)

    def __post_init__(self) -> None:
        if not self.name or not self.module or not self.cls:
            raise InputError(
                f"solver entry: expected a name, module and class, found {self.name!r}, "
                f"{self.module!r}, {self.cls!r}"
            )


_C = Capability

#: name -> SolverInfo
REGISTRY: dict[str, SolverInfo] = {
    info.name: info
    for info in (
        SolverInfo(
            "enum",
            "exactfit.solvers.enumeration",
            "EnumSolver",
            "enumeration of activation cells with exact per-cell QPs (low dimension)",
            frozenset({_C.MULTI_UNIT, _C.WEIGHT_BOUND, _C.TIME_LIMIT, _C.CERTIFY, _C.SHARDS}),
            ("certify", "max_cells", "progress", "regions", "time_limit"),
            ("callback", "progress_stream", "seed"),
        ),
        SolverInfo(
            "scip",
            "exactfit.solvers.scip",
            "ScipSolver",
            "MIQP with SOS1 complementarity through PySCIPOpt",
            frozenset({_C.MULTI_UNIT, _C.WEIGHT_BOUND, _C.TIME_LIMIT}),
            ("feastol", "formulation", "log", "node_limit", "seed", "start", "verbose"),
        ),
        SolverInfo(
            "ortools",
            "exactfit.solvers.ortools_mathopt",
            "OrtoolsSolver",
            "MIQP with indicator constraints through OR-Tools MathOpt (GSCIP)",
            frozenset({_C.MULTI_UNIT, _C.WEIGHT_BOUND, _C.TIME_LIMIT}),
            (
                "backend",
                "feastol",
                "log",
                "node_limit",
                "objective",
                "seed",
                "start",
                "symmetry",
                "verbose",
            ),
        ),
        SolverInfo(
            "brute",
            "exactfit.solvers.brute",
            "BruteSolver",
            "exact enumeration of the arrangement faces, in rationals (tiny n only)",
            frozenset({_C.MULTI_UNIT, _C.TIME_LIMIT, _C.EXACT_ARITHMETIC}),
            (),
            ("progress", "seed"),
        ),
        SolverInfo(
            "net",
            "exactfit.solvers.net",
            "NetSolver",
            "ε-net of the weight ball, every k-tuple searched: average loss ≤ opt + ε "
            "(bias-free, weight-bounded; never optimal)",
            frozenset({_C.MULTI_UNIT, _C.WEIGHT_BOUND, _C.TIME_LIMIT}),
            ("epsilon",),
            ("progress", "seed"),
        ),
    )
}


#: The cell-combination budget ``auto`` allows enumeration for k ≥ 2 (an explicit
#: ``--solver enum`` keeps the enumerator's own, larger default).
AUTO_MULTI_UNIT_CELLS = 300_000


def get_solver(name: str) -> Solver:
    """The solver registered under ``name``; raises :class:`UnknownSolver` if unavailable."""
    if name not in REGISTRY:
        raise UnknownSolver(
            f"unknown solver {name!r}; expected one of {', '.join(sorted(REGISTRY))} or 'auto'"
        )
    info = REGISTRY[name]
    try:
        mod = importlib.import_module(info.module)
    except ImportError as exc:
        raise UnknownSolver(
            f"solver {name!r} is not available: {exc}; install the project's dependencies "
            "(pip install .)"
        ) from exc
    return getattr(mod, info.cls)()


def available() -> dict[str, str | None]:
    """Map each registered name to ``None`` if it imports, else the reason it does not."""
    out: dict[str, str | None] = {}
    for name in REGISTRY:
        try:
            get_solver(name)
            out[name] = None
        except UnknownSolver as exc:
            out[name] = str(exc)
    return out


def choose_auto(problem: FitProblem, **options: Any) -> tuple[str, str]:
    """Pick a solver for ``problem``: ``(name, reason)``.

    Enumeration when it takes the problem and its estimated cell count is within budget,
    SCIP otherwise.
    """
    try:
        enum = get_solver("enum")
    except UnknownSolver as exc:
        return "scip", f"enumeration unavailable ({exc})"
    reason = enum.unsupported(problem)
    if reason is None and hasattr(enum, "over_budget"):
        budget = options.get("max_cells")
        if budget is None and problem.units > 1:
            # Joint multi-unit QPs cost far more per cell combination than single-unit ones
            # (K4 colouring with k = 3: ~3e6 combinations, minutes by enumeration, 0.7 s by SCIP).
            budget = AUTO_MULTI_UNIT_CELLS
        reason = enum.over_budget(problem, budget)
    if reason is None:
        return "enum", "estimated cell count within the enumeration budget"
    return "scip", reason
