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
            (
                "bound_target",
                "budget_rows",
                "feastol",
                "formulation",
                "log",
                "nlp",
                "node_limit",
                "relu_caps",
                "seed",
                "start",
                "symmetry",
                "verbose",
            ),
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


# The rule of ``solver="auto"`` (docs/solvers/auto.md): thresholds measured by
# benchmarks/auto_rule.py, whose table in docs/solvers/auto.md justifies each; re-measure them
# when the enumeration kernel or the MIQPs change.

#: The MIQP auto falls back on.  SCIP's SOS1 model beat OR-Tools' indicator model on most rows,
#: by up to > 25x; OR-Tools was ahead on 6 of 63 (by 8.6x on one, ≤ 2.6x on sub-second others).
AUTO_MIQP = "scip"
#: Units above which auto never enumerates: at k = 3 enum lost on every row, already at 5,984
#: cell combinations (planted 8x1, > 10 s against SCIP's 1.1 s).
AUTO_ENUM_MAX_UNITS = 2
#: Lifted dimension (d, plus one with a bias) above which auto does not enumerate k ≥ 2 units:
#: at D = 3 the unit-cell combinations grow as C1² and SCIP won the noisy rows by 10x and more.
AUTO_MULTI_UNIT_MAX_LIFTED_DIM = 2
#: The cell-combination budget auto allows enumeration for k ≥ 2 (an explicit ``--solver enum``
#: keeps the enumerator's own, larger default).
AUTO_MULTI_UNIT_CELLS = 300_000
#: Small data, one unit: at n ≤ AUTO_SMALL_N points the MIQP's branch and bound is small, and it
#: beat enumeration whenever more than AUTO_SMALL_N_CELLS cells lay inside the incumbent regions
#: (noisy data, where the regions prune little and the exact certificate costs most).  Not
#: applied to k = 2 at D ≤ 2, where enumeration won 4 of the 6 small rows it was measured on.
AUTO_SMALL_N = 40
AUTO_SMALL_N_CELLS = 1_000
#: ... and only when the labels take more than this many distinct values.  The reductions'
#: instances (1-3 label values, exact structure) were enumerated fastest at every size measured,
#: up to 188,368 cells at n = 40 (maxcut_hamming_3_2: enum 1.3 s, SCIP 2.4 s), where planted
#: noisy data (n distinct labels) of 19,840 cells took enum > 10 s and SCIP 4 s.
AUTO_FEW_LABELS = 4


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
    """Pick a solver for ``problem``: ``(name, reason)``, by the measured rule of
    docs/solvers/auto.md.

    With ``k`` units, ``n`` points, lifted dimension ``D`` and ``C`` the cells enumeration would
    visit (k = 1: Cover's bound on the cells inside its incumbent regions; k ≥ 2: on the
    unit-cell combinations), the first rule that applies decides:

    1. enumeration is unavailable or cannot take the problem → :data:`AUTO_MIQP`;
    2. ``k > AUTO_ENUM_MAX_UNITS``, or ``k ≥ 2`` and ``D > AUTO_MULTI_UNIT_MAX_LIFTED_DIM`` →
       the MIQP;
    3. ``C`` over the budget (``max_cells`` if given, else enum's own for k = 1 and
       :data:`AUTO_MULTI_UNIT_CELLS` for k ≥ 2) → the MIQP;
    4. ``k = 1``, ``n ≤ AUTO_SMALL_N``, ``C > AUTO_SMALL_N_CELLS`` and more than
       ``AUTO_FEW_LABELS`` distinct label values → the MIQP;
    5. otherwise enumeration.

    The reason starts with the rule's name (``"k"``, ``"dimension"``, ``"budget"``,
    ``"small n"``, ``"cells"``, ``"unsupported"``) and states its figures.
    """
    miqp = AUTO_MIQP
    try:
        enum = get_solver("enum")
    except UnknownSolver as exc:
        return miqp, f"unsupported: enumeration unavailable ({exc})"
    reason = enum.unsupported(problem)
    if reason is not None:
        return miqp, f"unsupported: enumeration cannot take it ({reason})"
    k, n, D = problem.units, problem.n, problem.lifted_dim
    if k > AUTO_ENUM_MAX_UNITS:
        return miqp, f"k: {k} units > {AUTO_ENUM_MAX_UNITS}, where enumeration never won"
    if k > 1 and D > AUTO_MULTI_UNIT_MAX_LIFTED_DIM:
        return miqp, (
            f"dimension: {k} units in lifted dimension {D} > "
            f"{AUTO_MULTI_UNIT_MAX_LIFTED_DIM}, where enumeration lost"
        )
    budget = options.get("max_cells")
    if budget is None and k > 1:
        # Joint multi-unit QPs cost far more per cell combination than single-unit ones.
        budget = AUTO_MULTI_UNIT_CELLS
    over = enum.over_budget(problem, budget)
    if over is not None:
        return miqp, f"budget: {over}"
    if k > 1:
        cells = enum.estimate_cells(problem)
        return (
            "enum",
            f"cells: {k} units in dimension {D}, {cells:,} cell combinations within budget",
        )
    if n > AUTO_SMALL_N:
        # Counting the cells inside the regions costs a heuristic fit (0.2 s at n = 2000):
        # beyond the small-n rule the figure decides nothing.
        return "enum", f"cells: within enumeration's budget, n = {n} > {AUTO_SMALL_N}"
    cells = enum.region_cells(problem)
    labels = len(set(problem.y))
    if n <= AUTO_SMALL_N and cells > AUTO_SMALL_N_CELLS and labels > AUTO_FEW_LABELS:
        return miqp, (
            f"small n: n = {n} ≤ {AUTO_SMALL_N}, {cells:,} cells in the incumbent regions "
            f"> {AUTO_SMALL_N_CELLS:,} and {labels} label values > {AUTO_FEW_LABELS}, "
            "where the MIQP was faster"
        )
    if cells <= AUTO_SMALL_N_CELLS:
        figures = f"≤ {AUTO_SMALL_N_CELLS:,} (n = {n})"
    else:
        figures = f"within budget, {labels} label values ≤ {AUTO_FEW_LABELS} (n = {n})"
    return "enum", f"cells: {cells:,} cells in the incumbent regions {figures}"
