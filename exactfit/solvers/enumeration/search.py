"""The search of one shard: bounds of every cell, then cell optima in bound order.

A shard enumerates its share of the cells (:mod:`.cells`), bounds each (:mod:`.algebra`),
and visits them in increasing bound order, solving each cell's cone QP (:mod:`.optima`) until
the next bound exceeds the incumbent by more than ``PRUNE_MARGIN·Y``; every pruned cell's
optimum then exceeds the incumbent.  :func:`solve_shard` is a pure function of its arguments
and returns a picklable :class:`ShardResult`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from exactfit import progress
from exactfit.errors import LimitReached
from exactfit.problem import FitProblem
from exactfit.result import Limit
from exactfit.solvers.enumeration.algebra import _estimate, _Setup
from exactfit.solvers.enumeration.arrangement import NotGeneric, cover_count
from exactfit.solvers.enumeration.cells import (
    _Cells,
    _cells,
    _choose_mode,
    _combos,
    _ExactCells,
    _GenericCells,
    _RegionCells,
)
from exactfit.solvers.enumeration.certify import _certify
from exactfit.solvers.enumeration.optima import _Best, _joint_cell, _single_cell
from exactfit.solvers.enumeration.progress import _check_stop, _poller, _Reporter
from exactfit.solvers.enumeration.regions import _region_plan

#: A cell is pruned only when its float bound exceeds the incumbent by more than
#: ``PRUNE_MARGIN·(Σ c y²)``: an allowance for the rounding of batched normal equations.
PRUNE_MARGIN = 1e-9
#: Incumbents with float loss below this fraction of Σ c y² are checked for an exact zero fit.
REALIZABLE_TOL = 1e-9


@dataclass(frozen=True)
class ShardResult:
    """Picklable outcome of one shard: the final :class:`ShardState` (field by field, see
    there), the shard's number and seconds, and ``not_generic``: the float enumerator met a
    degenerate configuration, so the shard has no answer and must run again in exact mode."""

    shard: int
    not_generic: bool
    best: _Best | None = None
    cells: int = 0
    combos: int = 0
    visited: int = 0
    pruned: int = 0
    qps: int = 0
    enumerated: bool = False
    lower: float | None = None
    limit: Limit | None = None
    realizable: bool = False
    seconds: float = 0.0
    visited_low: float = math.inf
    region: dict[str, Any] | None = None


@dataclass
class ShardState:
    """What the search of one shard has found so far; the search functions update it."""

    best: _Best  # the incumbent: the least (value, key) so far, first the zero network
    cells: int = 0  # cells enumerated (k ≥ 2: the chambers each unit may take)
    combos: int = 0  # unit-cell combinations bounded (k ≥ 2)
    visited: int = 0  # cells (combinations) whose cone QP was solved
    pruned: int = 0  # cells (combinations) left unvisited: their bound exceeds the incumbent
    qps: int = 0  # cone QPs solved
    enumerated: bool = False  # every cell of the shard has a bound
    lower: float | None = None  # valid lower bound on the shard's cells when stopped early
    limit: Limit | None = None  # what stopped the search early
    realizable: bool = False  # an exact zero-loss network was proven (the optimum is 0)
    visited_low: float = math.inf  # least lower bound of the visited cells' optima
    region: dict[str, Any] | None = None  # the incumbent regions used (single unit)

    def snapshot(self, shard: int, seconds: float) -> ShardResult:
        """The picklable result of a shard that ran to its end (or to a limit)."""
        now = {f.name: getattr(self, f.name) for f in fields(self)}
        return ShardResult(shard=shard, not_generic=False, seconds=seconds, **now)


@dataclass
class _ShardRun:
    """One shard's search: its setup and share of the cells, its limits and reporting, and the
    state it updates.  ``total``: the cells (combinations) the shard may enumerate, an upper
    estimate (Cover's bound), for the ETA of the live progress."""

    setup: _Setup
    shard: int
    num_shards: int
    deadline: float | None
    total: int
    callback: Callable[[dict[str, Any]], None] | None
    state: ShardState
    reporter: _Reporter = field(default_factory=_Reporter)

    def snapshot(self, phase: str, done: int) -> progress.Snapshot:
        """The live report: the incumbent and what the shard has proven so far (0 until every
        cell is bounded; then the least bound of what is not yet visited and what was)."""
        state = self.state
        incumbent = state.best.value
        if state.region is not None and state.region.get("upper") is not None:
            incumbent = min(incumbent, float(state.region["upper"]))
        bound = 0.0
        if state.enumerated and not state.realizable:
            # the heuristic's loss too: the regions hold only networks better than it
            lows = [incumbent, state.visited_low]
            bound = min([*lows, *([state.lower] if state.lower is not None else [])])
        enumerating = phase == "enumerate"
        return progress.Snapshot(
            solver="enum",
            phase=phase,
            incumbent=incumbent,
            bound=max(bound, 0.0),
            done=done if enumerating else state.visited,
            total=self.total if enumerating else None,
            unit=("cells" if self.setup.problem.units == 1 else "combinations")
            if enumerating
            else "visited",
        )

    def report(self, done: int, note: str, event: dict[str, Any]) -> bool:
        """Publish the live progress (one shard only: a shard's bound is not the solve's) and
        send ``event`` to the callback; mark the time limit and return True when it has
        passed."""
        if self.num_shards == 1:
            self.reporter.report(lambda: self.snapshot(event["phase"], done))
        if self.callback is not None:
            self.callback(event)
        if _check_stop(self.deadline):
            self.state.limit = Limit.TIME
            return True
        return False

    def tick(self, done: int) -> bool:
        """Report search progress; mark the time limit and return True when it has passed."""
        visited = self.state.visited
        return self.report(done, f"visited {visited:,}", {"phase": "search", "visited": visited})

    def prove_zero(self) -> bool:
        """Realizable short-circuit: if the incumbent's cell has exact optimum 0, keep the
        exact zero-loss network and report it (the loss is ≥ 0, so it is optimal)."""
        state = self.state
        best = state.best
        check = _poller(self.deadline, self.callback, "certify", "enum")
        theta, value, _ = _certify(self.setup, best, check)
        if theta is None or value != 0:
            return False
        best.exact_theta = theta
        state.realizable = True
        state.lower = 0.0
        return True


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


def _single_groups(
    setup: _Setup,
    mode: str,
    check: Callable[[], None] | None,
    regions: bool,
    state: ShardState,
) -> list[tuple[_Cells, list[int]]]:
    """The cell sets to enumerate for a single unit: ``(cells, sign-vector indices)``; with
    ``regions=False`` one set, the whole arrangement, for every output sign."""
    svs = setup.problem.sign_vectors()
    if not regions or setup.hp.m == 0:
        return [(_cells(setup, mode, check), list(range(len(svs))))]
    plan = _region_plan(setup)
    state.region = plan.info  # set first: a limit may strike in the exact sub-enumeration
    return [
        (_RegionCells(setup, reg.free, np.array(reg.fixed, dtype=bool), mode, check), vs)
        for reg, vs in plan.shared.items()
    ]


def _search_single(run: _ShardRun, groups: Sequence[tuple[_Cells, list[int]]]) -> None:
    """Bound every cell of this shard's share of ``groups``, then visit in bound order."""
    order = _bound_single(run, groups)
    if order is not None:
        _visit_single(run, groups, *order)


def _bound_single(
    run: _ShardRun, groups: Sequence[tuple[_Cells, list[int]]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """``(keys, sign-vector indices, groups, bounds)`` of every (cell, output sign) pair of the
    shard, sorted by bound (ties by group, key, sign); ``None`` when the time limit struck."""
    setup, state = run.setup, run.state
    delta, base = setup.deltas()
    svs = setup.problem.sign_vectors()
    # One bound per (cell, output sign): the sign-aware bounds differ between a = +1 and −1.
    keys_l, vs_l, gs_l, bounds_l = [], [], [], []
    for gi, (cells, vs) in enumerate(groups):
        cols = [0 if svs[v][0] > 0 else 1 for v in vs]
        for keys, sums in cells.blocks(run.shard, run.num_shards, delta, base):
            # Prefix sums carry absolute rounding of the order of the total; for cells with few
            # active points that is large relative to their own sums: recompute those directly.
            few = sums[:, -1] < 2 * setup.D - 0.5
            if np.any(few):
                act = setup.hp.active(cells.signs(keys[few]))
                sums[few] = act.astype(float) @ setup.F
            keys_l.append(np.repeat(keys, len(vs)))
            vs_l.append(np.tile(np.array(vs, dtype=np.int64), len(keys)))
            gs_l.append(np.full(len(keys) * len(vs), gi, dtype=np.int64))
            bounds_l.append(setup.sign_bounds(sums)[:, cols].reshape(-1))
            state.cells += len(keys)
            if run.report(state.cells, "enumerated", {"phase": "enumerate", "cells": state.cells}):
                return None

    def cat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    keys, vs, gs = cat(keys_l, np.int64), cat(vs_l, np.int64), cat(gs_l, np.int64)
    bounds = cat(bounds_l, float)
    state.enumerated = True
    order = np.lexsort((vs, keys, gs, bounds))
    return keys[order], vs[order], gs[order], bounds[order]


def _visit_single(
    run: _ShardRun,
    groups: Sequence[tuple[_Cells, list[int]]],
    keys: np.ndarray,
    vs: np.ndarray,
    gs: np.ndarray,
    bounds: np.ndarray,
) -> None:
    """Solve the cells in bound order (in batches of growing size) until the next bound
    exceeds the incumbent by more than the margin, a limit strikes or a zero fit is proven."""
    setup, state = run.setup, run.state
    svs = setup.problem.sign_vectors()
    margin = PRUNE_MARGIN * max(setup.Y, 1e-300)
    state.lower = float(bounds[0] - margin) if len(bounds) else None
    pos, batch = 0, 64
    seen: set[tuple[int, int]] = set()  # (group, cell) with at least one output sign solved
    try:
        while pos < len(keys):
            best = state.best
            if bounds[pos] - margin > best.value:
                break
            stop = min(len(keys), pos + batch)
            sub = np.searchsorted(bounds[pos:stop], best.value + margin, side="right")
            stop = pos + max(int(sub), 1)
            gsel = gs[pos:stop]
            signs = np.zeros((stop - pos, setup.hp.m), dtype=bool)
            for gi in np.unique(gsel):
                rows = np.flatnonzero(gsel == gi)
                signs[rows] = groups[gi][0].signs(keys[pos:stop][rows])
            for r in range(stop - pos):
                if bounds[pos + r] - margin > state.best.value:
                    stop = pos + r
                    break
                state.visited += 1
                if r % 16 == 15 and _check_stop(run.deadline):
                    stop = pos + r + 1
                    state.limit = Limit.TIME
                v = int(vs[pos + r])
                seen.add((int(gsel[r]), int(keys[pos + r])))
                value, theta, low, kkt = _single_cell(setup, signs[r], svs[v][0])
                state.qps += 1
                state.visited_low = min(state.visited_low, low)
                key = (int(gsel[r]), int(keys[pos + r]), v)
                if state.best.better(value, key):
                    state.best = _Best(value, key, theta[None, :], low, [signs[r]], kkt, svs[v])
                    if value <= REALIZABLE_TOL * setup.Y and run.prove_zero():
                        return
                if state.limit is not None:
                    break
            pos = stop
            state.lower = float(bounds[pos] - margin) if pos < len(keys) else None
            if state.limit is not None:
                return
            batch = min(batch * 2, 4096)
            if run.tick(state.cells):
                return
    finally:
        state.pruned = state.cells - len(seen)


def _search_multi(run: _ShardRun, cells: _ExactCells | _GenericCells) -> None:
    """k ≥ 2 units: bound every unit-cell combination of this shard (chunks of the
    combinations are dealt round-robin to the shards), then visit them in bound order."""
    setup, state = run.setup, run.state
    keys1 = cells.all_keys()
    keys1.sort()
    table = cells.signs(keys1)  # (C, m)
    C = len(table)
    state.cells = C
    acts = setup.hp.active(table)  # (C, n)
    Fc = acts.astype(float) @ setup.F
    # + units first (a fixed sign list may be given in any order; units are interchangeable)
    svs = [tuple(sorted(a, reverse=True)) for a in setup.problem.sign_vectors()]
    recs = []  # (bounds, v, combos)
    chunk_id = 0
    for v, a in enumerate(svs):
        av = np.array(a, dtype=float)
        for combo in _combos(C, a):
            chunk_id += 1
            if chunk_id % run.num_shards != run.shard:
                continue
            recs.append((setup.joint_bounds(Fc, acts, combo, av), np.full(len(combo), v), combo))
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
