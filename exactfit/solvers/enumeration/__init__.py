"""Enumeration solver ``enum``: every activation cell, batched bounds, exact cell optima.

Mathematics (details and proofs in ``docs/solvers/enumeration.md``).  With lifted points
``z_i`` and ``θ = (w, b)``, each chamber of the central arrangement ``{z_i·θ = 0}`` has an
active set ``S`` and on its closure the single-unit loss is the convex quadratic
``q_S(θ) = Σ_{i∈S} c_i(z_i·θ − y_i)² + Σ_{i∉S} c_i y_i²``.  Closed chambers cover parameter
space, so ``opt = min_S min_{closure} q_S``.  For ``k`` units (Arora et al. 2018) the output signs
are fixed per sign vector, each unit takes one chamber, and the loss on the product of closed
chambers is a joint convex quadratic.

Algorithm: (0) for a single unit, a heuristic incumbent ``U`` confines every better network to
small convex regions (:func:`.regions._regions`), and only the chambers of the hyperplanes
crossing them are enumerated; (1) enumerate the chambers (:mod:`.arrangement`, through the cell
sources of :mod:`.cells`), computing for each the least-squares values of its quadratic (plain
and sign-aware, :meth:`.algebra._Setup.sign_bounds`), lower bounds on the cell optimum; (2)
visit cells (or unit-cell combinations) in increasing bound order and solve each cell's cone QP
(:mod:`.cellqp`), keeping the incumbent with the smallest ``(value, key)``; (3) stop when the
next bound exceeds the incumbent by more than the safety margin ``PRUNE_MARGIN·Y`` (float error
allowance of the batched bounds, documented).  Every pruned cell's bound then exceeds the
optimum found, which is therefore optimal (:mod:`.search`).  ``certify`` recomputes the winner
exactly (:mod:`.certify`).

The cell loop is split into shards (cell ranges of the enumeration's work units):
:meth:`EnumSolver.solve_shards` maps the pure function :func:`solve_shard` over shards with any
``map`` and merges the picklable partial results; ``solve`` is the one-shard case, and the
winner ``min (value, key)`` does not depend on the sharding.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from exactfit import progress as live_progress
from exactfit.errors import BudgetExceeded, InputError
from exactfit.problem import FitProblem
from exactfit.result import Result
from exactfit.solvers._common import (
    check_positive_int,
    check_registered_options,
    check_time_limit,
)
from exactfit.solvers.enumeration import kernels
from exactfit.solvers.enumeration.algebra import _estimate, _Setup
from exactfit.solvers.enumeration.cells import _choose_mode
from exactfit.solvers.enumeration.merge import merge_shards
from exactfit.solvers.enumeration.regions import _region_plan
from exactfit.solvers.enumeration.search import (
    PRUNE_MARGIN,
    ShardResult,
    _shard_star,
    problem_spec,
    solve_shard,
)

__all__ = [
    "COMPILED_MAX_CELLS",
    "DEFAULT_MAX_CELLS",
    "PRUNE_MARGIN",
    "EnumSolver",
    "ShardResult",
    "merge_shards",
    "problem_spec",
    "solve_shard",
]

#: Default budget: estimated cells (unit-cell combinations for k ≥ 2) above which enum refuses.
DEFAULT_MAX_CELLS = 5_000_000
#: The single-unit default when the compiled kernels are installed (:mod:`.kernels`): they
#: sweep ≳ 0.5 M chambers per CPU second, and the search keeps only the (cell, sign) pairs below
#: the heuristic's loss, so memory stays small (issue 12: (400, 3) at σ = 1, 21.2 M chambers,
#: 48 CPU s and 0.52 GB on a loaded machine).
COMPILED_MAX_CELLS = 25_000_000


#: How an unknown-option message lists what enum takes (keywords and options together).
_TAKES = "certify, max_cells, progress, regions, time_limit"


class EnumSolver:
    """Exact enumeration of activation cells (see the module docstring)."""

    name = "enum"

    def unsupported(self, problem: FitProblem) -> str | None:
        if problem.weight_bound is not None and problem.units > 1:
            return "the norm bound is supported for a single unit only; use --solver scip"
        return None

    def estimate_cells(self, problem: FitProblem) -> int:
        """Cover's bound on the cells (unit-cell combinations for k ≥ 2) to enumerate."""
        return _estimate(problem)[1]

    def region_cells(self, problem: FitProblem) -> int | None:
        """Cover's bound on the cells inside the incumbent regions (single unit), or ``None``.

        Cheap (a heuristic fit and one linear-algebra pass per region node), and never more
        than :meth:`estimate_cells`."""
        if problem.units != 1:
            return None
        setup = _Setup.build(problem)
        if setup.hp.m == 0:
            return 1
        return min(_region_plan(setup).cells(setup.D), self.estimate_cells(problem))

    def over_budget(
        self, problem: FitProblem, max_cells: int | None = None, regions: bool = True
    ) -> str | None:
        """``None`` within budget, else one line naming the estimate.

        A single unit whose whole arrangement is over budget is still taken when the cells of
        its incumbent regions (``regions=True``, the solver's default) are within it."""
        if max_cells is not None:
            limit = int(max_cells)
        elif problem.units == 1 and kernels.available():
            limit = COMPILED_MAX_CELLS
        else:
            limit = DEFAULT_MAX_CELLS
        est = self.estimate_cells(problem)
        if est <= limit:
            return None
        if regions and problem.units == 1:
            inside = self.region_cells(problem)
            if inside is not None and inside <= limit:
                return None
            what = f"cells ({inside:,} inside the incumbent regions)"
        else:
            what = "cells" if problem.units == 1 else "cell combinations"
        return (
            f"estimated {est:,} {what} exceed the enumeration budget of {limit:,} "
            "(raise --max-cells or use --solver scip)"
        )

    def solve(
        self,
        problem: FitProblem,
        *,
        time_limit: float | None = None,
        certify: bool = True,
        max_cells: int | None = None,
        progress: bool | None = None,
        progress_stream: TextIO | None = None,
        callback: Callable[[dict[str, Any]], None] | None = None,
        **options: Any,
    ) -> Result:
        """Solve to proven optimality (or until ``time_limit`` seconds / Ctrl-C)."""
        return self.solve_shards(
            problem,
            1,
            time_limit=time_limit,
            certify=certify,
            max_cells=max_cells,
            progress=progress,
            progress_stream=progress_stream,
            callback=callback,
            **options,
        )

    def solve_shards(
        self,
        problem: FitProblem,
        num_shards: int,
        map_fn: Callable[..., Iterable[ShardResult]] = map,
        *,
        time_limit: float | None = None,
        certify: bool = True,
        max_cells: int | None = None,
        progress: bool | None = None,
        progress_stream: TextIO | None = None,
        callback: Callable[[dict[str, Any]], None] | None = None,
        **options: Any,
    ) -> Result:
        """Run :func:`solve_shard` for shards ``0..num_shards−1`` through ``map_fn`` and merge.

        The result (objective and network) is the same for any ``num_shards`` and any map
        (builtin ``map``, ``ProcessPoolExecutor.map``, a dask client's map + gather).
        """
        check_registered_options(self.name, options, takes=_TAKES)
        regions = options.get("regions", True)
        if not isinstance(regions, bool):
            raise InputError(f"enum: regions must be true or false, found {regions!r}")
        time_limit = check_time_limit(time_limit)
        max_cells = check_positive_int("max_cells", max_cells)
        if int(num_shards) < 1:
            raise InputError(f"num_shards must be at least 1, found {num_shards!r}")
        reason = self.unsupported(problem)
        if reason is not None:
            raise InputError(f"enum cannot take this instance: {reason}")
        over = self.over_budget(problem, max_cells, regions)
        if over is not None:
            raise BudgetExceeded(over)
        t0 = time.time()
        deadline = None if time_limit is None else t0 + float(time_limit)
        setup = _Setup.build(problem)
        mode = _choose_mode(setup)
        n = int(num_shards)
        spec = problem if n == 1 else problem_spec(problem)

        def run(mode: str) -> list[ShardResult]:
            args = [(spec, i, n, mode, deadline, callback, regions) for i in range(n)]
            if n == 1 or not live_progress.active():
                return list(map_fn(_shard_star, args))
            # shards in other processes report nowhere: this process reports each one as it
            # arrives (with a map that yields in order; one that gathers all reports at the end)
            parts: list[ShardResult] = []
            _publish_shards(parts, n)
            for part in map_fn(_shard_star, args):
                parts.append(part)
                _publish_shards(parts, n)
            return parts

        # shards in other processes report nowhere: live progress is for one shard
        with _display(progress if n == 1 else False, progress_stream):
            parts = run(mode)
            if any(p.not_generic for p in parts):
                mode = "exact"
                parts = run(mode)
            return merge_shards(
                problem,
                parts,
                wall_s=time.time() - t0,
                certify=certify,
                mode=mode,
                deadline=deadline,
                callback=callback,
            )


def _publish_shards(parts: list[ShardResult], n: int) -> None:
    """One progress report of a sharded run: shards finished, best loss among them."""
    values = [p.best.value for p in parts if p.best is not None]
    live_progress.publish(
        live_progress.Snapshot(
            solver="enum",
            phase="shards",
            incumbent=min(values) if values else None,
            done=len(parts),
            total=n,
            unit="shards",
        )
    )


@contextlib.contextmanager
def _display(enabled: bool | None, stream: TextIO | None) -> Iterator[None]:
    """enum's own live display for a caller of the Python API (``progress=True``, or a
    terminal ``progress_stream``); none when a display already listens (the CLI's)."""
    from exactfit.live import LiveDisplay, terminal_stream

    out = terminal_stream(stream, enabled)
    if out is None or live_progress.active():
        yield
        return
    display = LiveDisplay(out)
    with display, live_progress.observing(display):
        display.begin("")
        try:
            yield
        finally:
            display.end("done")
