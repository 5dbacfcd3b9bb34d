"""The search of one shard: bounds of every cell, then cell optima in bound order.

A shard enumerates its share of the cells (:mod:`.cells`), bounds each (:mod:`.algebra`),
and visits them in increasing bound order, solving each cell's cone QP (:mod:`.optima`) until
the next bound exceeds the incumbent by more than ``PRUNE_MARGIN·Y``; every pruned cell's
optimum then exceeds the incumbent.  A single unit's search is in :mod:`.single`, the state
it updates in :mod:`.shard`; the k = 2 pair search in :mod:`.pairs`; the k ≥ 3 search
(unit-cell combinations, bounds from :mod:`.multi`) is here.
:func:`solve_shard` is a pure function of its arguments and returns a picklable
:class:`ShardResult`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from exactfit.errors import LimitReached
from exactfit.problem import FitProblem
from exactfit.result import Limit
from exactfit.solvers.enumeration.algebra import _estimate, _Setup
from exactfit.solvers.enumeration.arrangement import NotGeneric, cover_count
from exactfit.solvers.enumeration.cells import (
    _cells,
    _choose_mode,
    _combos,
    _ExactCells,
    _GenericCells,
)
from exactfit.solvers.enumeration.multi import joint_sign_bounds
from exactfit.solvers.enumeration.optima import _Best, _joint_cell
from exactfit.solvers.enumeration.pairs import search_pairs
from exactfit.solvers.enumeration.progress import _poller
from exactfit.solvers.enumeration.shard import (
    PRUNE_MARGIN,
    REALIZABLE_TOL,
    ShardResult,
    ShardState,
    _ShardRun,
)
from exactfit.solvers.enumeration.single import _search_single, _single_groups

__all__ = [
    "PRUNE_MARGIN",
    "REALIZABLE_TOL",
    "ShardResult",
    "ShardState",
    "problem_spec",
    "solve_shard",
]


def problem_spec(problem: FitProblem) -> dict[str, Any]:
    """A picklable description of ``problem`` (FitProblem's read-only meta does not pickle)."""
    return {
        "X": problem.X,
        "y": problem.y,
        "sample_weight": problem.sample_weight,
        "units": problem.units,
        "bias": problem.bias,
        "output_signs": problem.output_signs,
        "weight_bound": problem.weight_bound,
        "meta": dict(problem.meta),
    }


def solve_shard(
    problem: FitProblem | dict[str, Any],
    shard: int = 0,
    num_shards: int = 1,
    mode: str | None = None,
    deadline: float | None = None,
    callback: Callable[[dict[str, Any]], None] | None = None,
    regions: bool = True,
) -> ShardResult:
    """Solve shard ``shard`` of ``num_shards`` (a pure function of its arguments).

    ``mode`` is ``"exact"`` or ``"generic"`` (default: chosen from the size); a generic shard
    that meets a degenerate configuration returns ``not_generic=True`` and no answer.
    ``regions`` (single unit) enumerates only the chambers that can hold a network better than
    a heuristic incumbent (:func:`.regions._regions`); ``False`` enumerates the whole arrangement.
    ``deadline`` is an absolute ``time.time()``; ``callback`` receives a dict after every batch
    (a test hook: raising ``KeyboardInterrupt`` there acts like Ctrl-C).  Live progress goes
    to :mod:`exactfit.progress` (only for ``num_shards == 1``).
    """
    t0 = time.time()
    if isinstance(problem, dict):
        problem = FitProblem(**problem)
    setup = _Setup.build(problem)
    mode = mode or _choose_mode(setup)
    est = _estimate(problem, setup.hp)[1]
    k = problem.units
    zero = _Best(
        setup.Y, (-1,), np.zeros((k, setup.D)), setup.Y, [], 0.0, problem.sign_vectors()[0]
    )
    state = ShardState(zero)
    run = _ShardRun(setup, shard, num_shards, deadline, max(1, est // num_shards), callback, state)
    try:
        check = _poller(deadline, callback, "enumerate-exact", "enum")
        if k == 1:
            groups = _single_groups(setup, mode, check, regions, state)
            run.total = max(1, sum(cover_count(g.m, setup.D) for g, _ in groups) // num_shards)
            _search_single(run, groups)
        else:
            _search_multi(run, _cells(setup, mode, check))
    except NotGeneric:
        return ShardResult(shard=shard, not_generic=True, seconds=time.time() - t0)
    except KeyboardInterrupt:
        state.limit = Limit.INTERRUPT
    except LimitReached:
        state.limit = Limit.TIME
    if num_shards == 1:
        run.reporter.report(lambda: run.snapshot("search", state.visited), force=True)
    return state.snapshot(shard, time.time() - t0)


def _search_multi(run: _ShardRun, cells: _ExactCells | _GenericCells) -> None:
    """k ≥ 2 units: k = 2 is :func:`.pairs.search_pairs`; for k ≥ 3 bound every unit-cell
    combination of this shard (chunks of the combinations are dealt round-robin to the
    shards), then visit them in bound order."""
    setup, state = run.setup, run.state
    keys1 = cells.all_keys()
    keys1.sort()
    table = cells.signs(keys1)  # (C, m)
    C = len(table)
    state.cells = C
    acts = setup.hp.active(table)  # (C, n)
    # + units first (a fixed sign list may be given in any order; units are interchangeable)
    svs = [tuple(sorted(a, reverse=True)) for a in setup.problem.sign_vectors()]
    if setup.problem.units == 2:
        search_pairs(run, table, keys1, svs)
        return
    recs = []  # (bounds, v, combos)
    chunk_id = 0
    for v, a in enumerate(svs):
        av = np.array(a, dtype=float)
        for combo in _combos(C, a):
            chunk_id += 1
            if chunk_id % run.num_shards != run.shard:
                continue
            recs.append(
                (joint_sign_bounds(setup, acts, table, combo, av), np.full(len(combo), v), combo)
            )
            state.combos += len(combo)
            event = {"phase": "enumerate", "combos": state.combos}
            if run.report(state.combos, "combinations", event):
                return
    state.enumerated = True
    if recs:
        _visit_multi(run, table, keys1, svs, recs)


def _visit_multi(
    run: _ShardRun,
    table: np.ndarray,
    keys1: np.ndarray,
    svs: list[tuple[int, ...]],
    recs: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> None:
    """Solve the combinations of ``recs`` (bounds, sign-vector index, unit cells) in bound
    order until the next bound exceeds the incumbent by more than the margin."""
    setup, state = run.setup, run.state
    k = setup.problem.units
    bounds = np.concatenate([r[0] for r in recs])
    vs = np.concatenate([r[1] for r in recs])
    combos = np.concatenate([r[2] for r in recs])
    order = np.lexsort((*(combos[:, j] for j in range(k - 1, -1, -1)), vs, bounds))
    bounds, vs, combos = bounds[order], vs[order], combos[order]
    margin = PRUNE_MARGIN * max(setup.Y, 1e-300)
    state.lower = float(bounds[0] - margin)
    try:
        for r in range(len(bounds)):
            best = state.best
            if bounds[r] - margin > best.value:
                break
            a = svs[int(vs[r])]
            pats = [table[c] for c in combos[r]]
            value, theta, low, kkt = _joint_cell(setup, a, pats)
            state.qps += 1
            state.visited_low = min(state.visited_low, low)
            state.visited += 1
            key = (int(vs[r]), *(int(keys1[c]) for c in combos[r]))
            if best.better(value, key):
                state.best = _Best(value, key, theta, low, pats, kkt, a)
                if value <= REALIZABLE_TOL * setup.Y and run.prove_zero():
                    break
            state.lower = float(bounds[r + 1] - margin) if r + 1 < len(bounds) else None
            if r % 64 == 0 and run.tick(state.combos):
                return
    finally:
        state.pruned = len(bounds) - state.visited


def _shard_star(args: tuple) -> ShardResult:
    """:func:`solve_shard` on one argument tuple (a module-level function: it pickles)."""
    return solve_shard(*args)
