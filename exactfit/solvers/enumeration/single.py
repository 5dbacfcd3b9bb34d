"""The single-unit search of one shard: cell sets, bounds of every cell, best-first visit.

The cells to enumerate are the whole arrangement or the chambers inside the incumbent regions
(:mod:`.regions`); each (cell, output sign) pair gets its least-squares bounds
(:meth:`.algebra._Setup.sign_bounds`), and the pairs are visited best first, the halfspace bound
(:mod:`.halfspace`) computed lazily for those the least-squares bound does not prune.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from exactfit.result import Limit
from exactfit.solvers.enumeration.algebra import _Setup
from exactfit.solvers.enumeration.cells import _Cells, _cells, _RegionCells
from exactfit.solvers.enumeration.halfspace import halfspace_allowance, halfspace_bounds
from exactfit.solvers.enumeration.optima import _Best, _single_cell
from exactfit.solvers.enumeration.progress import _check_stop
from exactfit.solvers.enumeration.regions import REGION_SAFETY, _region_plan
from exactfit.solvers.enumeration.shard import (
    PRUNE_MARGIN,
    REALIZABLE_TOL,
    ShardState,
    _ShardRun,
)


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
    """``(keys, sign-vector indices, groups, bounds)`` of the (cell, output sign) pairs of the
    shard that can hold a network better than the heuristic, sorted by bound (ties by group,
    key, sign); ``None`` when the time limit struck.

    With incumbent regions the heuristic's loss ``U`` is known, and a pair whose bound exceeds
    ``U`` by more than the regions' own widening plus the margin is dropped at once: its
    optimum is above ``U``, exactly like a cell outside the regions (the cell holding the
    heuristic's network, and so the optimal cell, has bound ``≤ U`` and is always kept)."""
    setup, state = run.setup, run.state
    delta, base = setup.deltas()
    svs = setup.problem.sign_vectors()
    cap = _region_cap(setup, state)
    # the prefix sums' rounding is relative to the sums over all points (see the docs)
    G_all = setup.unpack(setup.F.sum(axis=0))[0]
    trace_all, n_all = float(np.trace(G_all)), len(setup.F)
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
            bounds, tinv = setup.sign_bounds(sums, trace_inv=True, jit=cells.jit)
            bounds = bounds[:, cols].reshape(-1)
            # dropped only when the bound less its float error allowance exceeds the cap
            kappa = np.full(len(tinv), np.inf)
            fin = np.isfinite(tinv)
            kappa[fin] = trace_all * tinv[fin]
            kappa = np.repeat(kappa, len(vs))
            allow = halfspace_allowance(kappa, n_all, setup.D)
            sure = np.isfinite(allow)  # no allowance (no factors, or too ill-conditioned): keep
            keep = ~sure
            keep[sure] = bounds[sure] - allow[sure] * setup.Y <= cap
            keys_l.append(np.repeat(keys, len(vs))[keep])
            vs_l.append(np.tile(np.array(vs, dtype=np.int64), len(keys))[keep])
            gs_l.append(np.full(int(keep.sum()), gi, dtype=np.int64))
            bounds_l.append(bounds[keep])
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


def _region_cap(setup: _Setup, state: ShardState) -> float:
    """The largest bound a pair may have and still hold a network better than the heuristic:
    ``U`` widened as the regions widen it (:data:`.regions.REGION_SAFETY`) plus the margin;
    ``inf`` without regions (the whole arrangement, the reference path)."""
    upper = None if state.region is None else state.region.get("upper")
    if upper is None:
        return math.inf
    upper = float(upper)
    slack = REGION_SAFETY * (upper + 1e-3 * setup.Y)
    return upper + slack + PRUNE_MARGIN * max(setup.Y, 1e-300)


def _visit_single(
    run: _ShardRun,
    groups: Sequence[tuple[_Cells, list[int]]],
    keys: np.ndarray,
    vs: np.ndarray,
    gs: np.ndarray,
    bounds: np.ndarray,
) -> None:
    """Best-first search: solve the cells in increasing *halfspace* bound order until the next
    bound exceeds the incumbent by more than the margin, a limit strikes or a zero fit is
    proven.  The halfspace bounds (:mod:`.halfspace`) are computed lazily, in chunks of the
    least-squares order, only for cells whose least-squares bound does not prune them yet:
    the least unvisited bound is the smaller of the heap's top and the next least-squares
    bound, so cells leave the heap in the order of their tightened bounds."""
    setup, state = run.setup, run.state
    svs = setup.problem.sign_vectors()
    out = np.array([svs[v][0] for v in range(len(svs))], dtype=np.int64)
    margin = PRUNE_MARGIN * max(setup.Y, 1e-300)
    N = len(keys)
    jit = next((c.jit for c, _ in groups if c.jit is not None), None)
    pos, chunk = 0, 64
    heap: list[tuple[float, int, np.ndarray]] = []  # (bound, position in bound order, signs)
    seen: set[tuple[int, int]] = set()  # (group, cell) with at least one output sign solved
    try:
        while True:
            incumbent = state.best.value
            top = heap[0][0] if heap else math.inf
            nxt = float(bounds[pos]) if pos < N else math.inf
            least = min(top, nxt)
            state.lower = least - margin if least < math.inf else None
            if least - margin > incumbent:
                break
            if nxt <= top:  # tighten the next chunk of the least-squares order
                end = min(N, pos + chunk)
                sub = np.searchsorted(bounds[pos:end], incumbent + margin, side="right")
                stop = pos + max(int(sub), 1)
                signs = _chunk_signs(groups, keys[pos:stop], gs[pos:stop], setup.hp.m)
                # a pair whose bound reaches incumbent + 2·margin is pruned below whatever
                # its other rows add: its scan may stop there (the kept pairs' are complete)
                half = halfspace_bounds(
                    setup, signs, out[vs[pos:stop]], jit, enough=incumbent + 2 * margin
                )
                tight = np.maximum(bounds[pos:stop], half)
                for r in np.flatnonzero(tight - margin <= incumbent):
                    heapq.heappush(heap, (float(tight[r]), pos + int(r), signs[r]))
                state.tightened += stop - pos
                pos, chunk = stop, min(chunk * 2, 4096)
                if run.tick(state.cells):
                    return
                continue
            _, j, signs_j = heapq.heappop(heap)
            state.visited += 1
            if state.visited % 16 == 0 and _check_stop(run.deadline):
                state.limit = Limit.TIME
            v, g, key_j = int(vs[j]), int(gs[j]), int(keys[j])
            seen.add((g, key_j))
            value, theta, low, kkt = _single_cell(setup, signs_j, svs[v][0])
            state.qps += 1
            state.visited_low = min(state.visited_low, low)
            key = (g, key_j, v)
            if state.best.better(value, key):
                state.best = _Best(value, key, theta[None, :], low, [signs_j], kkt, svs[v])
                if value <= REALIZABLE_TOL * setup.Y and run.prove_zero():
                    return
            if state.limit is not None:
                least = min(heap[0][0] if heap else math.inf, bounds[pos] if pos < N else math.inf)
                state.lower = float(least - margin) if least < math.inf else None
                return
            if state.visited % 64 == 0 and run.tick(state.cells):
                return
    finally:
        state.pruned = state.cells - len(seen)


def _chunk_signs(
    groups: Sequence[tuple[_Cells, list[int]]], keys: np.ndarray, gs: np.ndarray, m: int
) -> np.ndarray:
    """Chamber signs ``(len(keys), m)`` of cells given by key and group."""
    signs = np.zeros((len(keys), m), dtype=bool)
    for gi in np.unique(gs):
        rows = np.flatnonzero(gs == gi)
        signs[rows] = groups[gi][0].signs(keys[rows])
    return signs
