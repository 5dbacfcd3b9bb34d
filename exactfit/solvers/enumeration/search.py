"""The search of one shard: bounds of every cell, then cell optima in bound order.

A shard enumerates its share of the cells (:mod:`.cells`), bounds each (:mod:`.algebra`),
and visits them in increasing bound order, solving each cell's cone QP (:mod:`.optima`) until
the next bound exceeds the incumbent by more than ``PRUNE_MARGIN·Y``; every pruned cell's
optimum then exceeds the incumbent.  :func:`solve_shard` is a pure function of its arguments
and returns a picklable :class:`ShardResult`.
"""

from __future__ import annotations

import itertools
import math
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

import numpy as np

from exactfit.problem import FitProblem
from exactfit.solvers.enumeration.algebra import _estimate, _Setup
from exactfit.solvers.enumeration.arrangement import NotGeneric, cover_count
from exactfit.solvers.enumeration.cellqp import ls_values
from exactfit.solvers.enumeration.cells import _cells, _choose_mode, _RegionCells
from exactfit.solvers.enumeration.certify import _certify
from exactfit.solvers.enumeration.optima import _Best, _joint_cell, _single_cell
from exactfit.solvers.enumeration.progress import (
    _check_stop,
    _poller,
    _Progress,
    _progress_enabled,
    _TimeUp,
)
from exactfit.solvers.enumeration.regions import _region_plan

#: A cell is pruned only when its float bound exceeds the incumbent by more than
#: ``PRUNE_MARGIN·(Σ c y²)``: an allowance for the rounding of batched normal equations.
PRUNE_MARGIN = 1e-9
#: Incumbents with float loss below this fraction of Σ c y² are checked for an exact zero fit.
REALIZABLE_TOL = 1e-9


@dataclass
class ShardResult:
    """Picklable outcome of one shard."""

    shard: int
    not_generic: bool
    best: _Best | None
    cells: int
    combos: int
    visited: int
    pruned: int
    qps: int
    enumerated: bool  # every cell of the shard has a bound
    lower: float | None  # valid lower bound on the shard's cells when stopped early
    limit: str | None
    realizable: bool
    seconds: float
    visited_low: float = math.inf  # least lower bound of the visited cells' optima
    region: dict[str, Any] | None = None  # the incumbent regions used (single unit)


def _tick(
    bar: Any, done: int, state: dict[str, Any], deadline: float | None, callback: Any
) -> bool:
    """Report search progress; mark the time limit and return True when it has passed."""
    bar.update(done, f"visited {state['visited']:,}")
    if callback is not None:
        callback({"phase": "search", "visited": state["visited"]})
    if _check_stop(deadline):
        state["limit"] = "time"
        return True
    return False


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
    progress: bool | None = False,
    progress_stream: TextIO | None = None,
    callback: Callable[[dict[str, Any]], None] | None = None,
    regions: bool = True,
) -> ShardResult:
    """Solve shard ``shard`` of ``num_shards`` (a pure function of its arguments).

    ``mode`` is ``"exact"`` or ``"generic"`` (default: chosen from the size); a generic shard
    that meets a degenerate configuration returns ``not_generic=True`` and no answer.
    ``regions`` (single unit) enumerates only the chambers that can hold a network better than
    a heuristic incumbent (:func:`_region`); ``False`` enumerates the whole arrangement.
    ``deadline`` is an absolute ``time.time()``; ``callback`` receives a dict after every batch
    (a test hook: raising ``KeyboardInterrupt`` there acts like Ctrl-C).
    """
    t0 = time.time()
    if isinstance(problem, dict):
        problem = FitProblem(**problem)
    setup = _Setup.build(problem)
    mode = mode or _choose_mode(setup)
    stream = progress_stream if progress_stream is not None else sys.stderr
    est = _estimate(problem, setup.hp)[1]
    bar = _Progress(_progress_enabled(progress, stream), stream, max(1, est // num_shards), "enum")
    k = problem.units
    zero = _Best(
        setup.Y, (-1,), np.zeros((k, setup.D)), setup.Y, [], 0.0, problem.sign_vectors()[0]
    )
    state = {
        "best": zero,
        "cells": 0,
        "combos": 0,
        "visited": 0,
        "pruned": 0,
        "qps": 0,
        "enumerated": False,
        "lower": None,
        "limit": None,
        "realizable": False,
        "visited_low": math.inf,
        "region": None,
    }
    try:
        check = _poller(deadline, callback, "enumerate-exact", bar)
        if k == 1:
            groups = _single_groups(setup, mode, check, regions, state)
            bar.total = max(1, sum(cover_count(g.m, setup.D) for g, _ in groups) // num_shards)
            _search_single(setup, groups, shard, num_shards, deadline, bar, callback, state)
        else:
            cells = _cells(setup, mode, check)
            _search_multi(setup, cells, shard, num_shards, deadline, bar, callback, state)
    except NotGeneric:
        bar.close()
        return ShardResult(
            shard, True, None, 0, 0, 0, 0, 0, False, None, None, False, time.time() - t0
        )
    except KeyboardInterrupt:
        state["limit"] = "interrupt"
    except _TimeUp:
        state["limit"] = "time"
    bar.close()
    return ShardResult(
        shard,
        False,
        state["best"],
        state["cells"],
        state["combos"],
        state["visited"],
        state["pruned"],
        state["qps"],
        state["enumerated"],
        state["lower"],
        state["limit"],
        state["realizable"],
        time.time() - t0,
        state["visited_low"],
        state["region"],
    )


def _single_groups(
    setup: _Setup,
    mode: str,
    check: Callable[[], None] | None,
    regions: bool,
    state: dict[str, Any],
) -> list[tuple[Any, list[int]]]:
    """The cell sets to enumerate for a single unit: ``(cells, sign-vector indices)``; with
    ``regions=False`` one set, the whole arrangement, for every output sign."""
    svs = setup.problem.sign_vectors()
    if not regions or setup.hp.m == 0:
        return [(_cells(setup, mode, check), list(range(len(svs))))]
    plan = _region_plan(setup)
    state["region"] = plan.info  # set first: a limit may strike in the exact sub-enumeration
    return [
        (_RegionCells(setup, reg.free, np.array(reg.fixed, dtype=bool), mode, check), vs)
        for reg, vs in plan.shared.items()
    ]


def _search_single(setup, groups, shard, num_shards, deadline, bar, callback, state) -> None:
    delta, base = setup.deltas()
    svs = setup.problem.sign_vectors()
    # One bound per (cell, output sign): the sign-aware bounds differ between a = +1 and −1.
    keys_l, vs_l, gs_l, bounds_l = [], [], [], []
    for gi, (cells, vs) in enumerate(groups):
        cols = [0 if svs[v][0] > 0 else 1 for v in vs]
        for keys, sums in cells.blocks(shard, num_shards, delta, base):
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
            state["cells"] += len(keys)
            bar.update(state["cells"], "enumerated")
            if callback is not None:
                callback({"phase": "enumerate", "cells": state["cells"]})
            if _check_stop(deadline):
                state["limit"] = "time"
                return

    def cat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    keys, vs, gs = cat(keys_l, np.int64), cat(vs_l, np.int64), cat(gs_l, np.int64)
    bounds = cat(bounds_l, float)
    state["enumerated"] = True
    order = np.lexsort((vs, keys, gs, bounds))
    keys, vs, gs, bounds = keys[order], vs[order], gs[order], bounds[order]
    margin = PRUNE_MARGIN * max(setup.Y, 1e-300)
    state["lower"] = float(bounds[0] - margin) if len(bounds) else None
    pos, batch = 0, 64
    seen: set[tuple[int, int]] = set()  # (group, cell) with at least one output sign solved
    try:
        while pos < len(keys):
            best = state["best"]
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
                if bounds[pos + r] - margin > state["best"].value:
                    stop = pos + r
                    break
                state["visited"] += 1
                if r % 16 == 15 and _check_stop(deadline):
                    stop = pos + r + 1
                    state["limit"] = "time"
                v = int(vs[pos + r])
                seen.add((int(gsel[r]), int(keys[pos + r])))
                value, theta, low, kkt = _single_cell(setup, signs[r], svs[v][0])
                state["qps"] += 1
                state["visited_low"] = min(state["visited_low"], low)
                key = (int(gsel[r]), int(keys[pos + r]), v)
                if state["best"].better(value, key):
                    state["best"] = _Best(value, key, theta[None, :], low, [signs[r]], kkt, svs[v])
                    if value <= REALIZABLE_TOL * setup.Y and _prove_zero(
                        setup, state, deadline, callback
                    ):
                        return
                if state["limit"] is not None:
                    break
            pos = stop
            state["lower"] = float(bounds[pos] - margin) if pos < len(keys) else None
            if state["limit"] is not None:
                return
            batch = min(batch * 2, 4096)
            if _tick(bar, state["cells"], state, deadline, callback):
                return
    finally:
        state["pruned"] = state["cells"] - len(seen)


def _prove_zero(
    setup: _Setup,
    state: dict[str, Any],
    deadline: float | None = None,
    callback: Callable[[dict[str, Any]], None] | None = None,
) -> bool:
    """Realizable short-circuit: if the incumbent's cell has exact optimum 0, keep the exact
    zero-loss network and report it (the loss is ≥ 0, so it is optimal)."""
    best = state["best"]
    theta, value, _ = _certify(setup, best, _poller(deadline, callback, "certify"))
    if theta is None or value != 0:
        return False
    best.exact_theta = theta
    state["realizable"] = True
    state["lower"] = 0.0
    return True


def _combos(C: int, a: tuple[int, ...], chunk: int = 8192) -> Iterator[np.ndarray]:
    """Unit-cell index tuples for sign vector ``a`` (+ units first), non-decreasing within
    each group of equal sign (units of equal sign are interchangeable)."""
    p = sum(1 for s in a if s > 0)
    q = len(a) - p
    it = (
        tuple(x) + tuple(y)
        for x in itertools.combinations_with_replacement(range(C), p)
        for y in itertools.combinations_with_replacement(range(C), q)
    )
    while True:
        block = list(itertools.islice(it, chunk))
        if not block:
            return
        yield np.array(block, dtype=np.int64).reshape(len(block), len(a))


def _search_multi(setup, cells, shard, num_shards, deadline, bar, callback, state) -> None:
    keys1 = cells.all_keys()
    keys1.sort()
    table = cells.signs(keys1)  # (C, m)
    C = len(table)
    state["cells"] = C
    acts = setup.hp.active(table)  # (C, n)
    Fc = acts.astype(float) @ setup.F
    D = setup.D
    # + units first (a fixed sign list may be given in any order; units are interchangeable)
    svs = [tuple(sorted(a, reverse=True)) for a in setup.problem.sign_vectors()]
    k = setup.problem.units
    recs = []  # (bounds, v, combos)
    chunk_id = 0
    nt = len(setup.iu[0])
    for v, a in enumerate(svs):
        av = np.array(a, dtype=float)
        for combo in _combos(C, a):
            chunk_id += 1
            if chunk_id % num_shards != shard:
                continue
            B = len(combo)
            G = np.zeros((B, k * D, k * D))
            h = np.zeros((B, k * D))
            for j in range(k):
                Gj, hj = setup.unpack(Fc[combo[:, j]])
                G[:, j * D : (j + 1) * D, j * D : (j + 1) * D] = Gj
                h[:, j * D : (j + 1) * D] = av[j] * hj
                for l in range(j + 1, k):
                    both = acts[combo[:, j]] & acts[combo[:, l]]
                    sums = both.astype(float) @ setup.F[:, :nt]
                    Gb, _ = setup.unpack(np.hstack([sums, np.zeros((B, D))]))
                    Gb = av[j] * av[l] * Gb
                    G[:, j * D : (j + 1) * D, l * D : (l + 1) * D] = Gb
                    G[:, l * D : (l + 1) * D, j * D : (j + 1) * D] = Gb
            recs.append((setup.Y - ls_values(G, h), np.full(B, v), combo))
            state["combos"] += B
            bar.update(state["combos"], "combinations")
            if callback is not None:
                callback({"phase": "enumerate", "combos": state["combos"]})
            if _check_stop(deadline):
                state["limit"] = "time"
                return
    if not recs:
        state["enumerated"] = True
        return
    bounds = np.concatenate([r[0] for r in recs])
    vs = np.concatenate([r[1] for r in recs])
    combos = np.concatenate([r[2] for r in recs])
    state["enumerated"] = True
    order = np.lexsort((*(combos[:, j] for j in range(k - 1, -1, -1)), vs, bounds))
    bounds, vs, combos = bounds[order], vs[order], combos[order]
    margin = PRUNE_MARGIN * max(setup.Y, 1e-300)
    state["lower"] = float(bounds[0] - margin)
    try:
        for r in range(len(bounds)):
            best = state["best"]
            if bounds[r] - margin > best.value:
                break
            a = svs[int(vs[r])]
            pats = [table[c] for c in combos[r]]
            value, theta, low, kkt = _joint_cell(setup, a, pats)
            state["qps"] += 1
            state["visited_low"] = min(state["visited_low"], low)
            state["visited"] += 1
            key = (int(vs[r]), *(int(keys1[c]) for c in combos[r]))
            if best.better(value, key):
                state["best"] = _Best(value, key, theta, low, pats, kkt, a)
                if value <= REALIZABLE_TOL * setup.Y and _prove_zero(
                    setup, state, deadline, callback
                ):
                    break
            state["lower"] = float(bounds[r + 1] - margin) if r + 1 < len(bounds) else None
            if r % 64 == 0 and _tick(bar, state["combos"], state, deadline, callback):
                return
    finally:
        state["pruned"] = len(bounds) - state["visited"]


def _shard_star(args: tuple) -> ShardResult:
    return solve_shard(*args)
