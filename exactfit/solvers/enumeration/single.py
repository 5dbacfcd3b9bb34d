"""The single-unit search of one shard: cell sets, bounds of every cell, best-first visit.

The cells to enumerate are the whole arrangement or the chambers inside the incumbent regions
(:mod:`.regions`); each (cell, output sign) pair gets its least-squares bounds
(:meth:`.algebra._Setup.sign_bounds`), and the pairs are visited best first, the halfspace bound
(:mod:`.halfspace`) computed lazily for those the least-squares bound does not prune.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from exactfit.result import Limit
from exactfit.solvers.enumeration.algebra import _Setup
from exactfit.solvers.enumeration.cells import _Cells, _cells, _RegionCells
from exactfit.solvers.enumeration.fused import PairSpec
from exactfit.solvers.enumeration.halfspace import (
    halfspace_allowance,
    halfspace_bounds,
    trivial_allowance,
)
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
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, set[tuple[int, int]]] | None:
    """``(keys, sign-vector indices, groups, bounds, rest, solved)`` of the (cell, output
    sign) pairs of the shard that can hold a network better than the incumbent, sorted by
    bound (ties by group, key, sign); ``rest``: the least bound of the pairs dropped (``inf``
    if none), ``solved``: the (group, key) cells whose cone QP was solved here; ``None`` when
    the time limit struck.

    A pair is dropped at once when its bound less its float error allowance exceeds the cap
    (:func:`_region_cap`): the incumbent plus the margin, and with incumbent regions the
    heuristic's loss ``U`` widened as the regions widen it (the cell holding the heuristic's
    network, and so the optimal cell, has bound ``≤ U`` and is always kept).  The visit prunes
    such a pair anyway (its bound exceeds the incumbent plus the margin); dropping it early
    saves keeping and sorting it.  To make the cap useful from the start, the least-bound pair
    of each block is solved when its bound is below the incumbent (it becomes the incumbent
    when better: a real network, as if visited)."""
    setup, state = run.setup, run.state
    delta, base = setup.deltas()
    svs = setup.problem.sign_vectors()
    region = _region_cap(setup, state)
    margin = PRUNE_MARGIN * max(setup.Y, 1e-300)

    def cap() -> float:
        return min(region, state.best.value + margin)

    # the prefix sums' rounding is relative to the sums over all points (see the docs)
    G_all = setup.unpack(setup.F.sum(axis=0))[0]
    trace_all, n_all = float(np.trace(G_all)), len(setup.F)
    keys_l, vs_l, gs_l, bounds_l = [], [], [], []
    solved: set[tuple[int, int]] = set()
    for gi, (cells, vs) in enumerate(groups):
        vs_arr = np.array(vs, dtype=np.int64)
        cols = np.array([0 if svs[v][0] > 0 else 1 for v in vs], dtype=np.int64)
        spec = PairSpec(setup.iu, setup.D, setup.Y, trace_all, n_all, cols)
        fused = getattr(cells, "fused", None) if cells.jit is not None else None
        source = fused(run.shard, run.num_shards, delta, base, spec, cap) if fused else None
        if source is None:
            source = _reference_pairs(setup, cells, run, delta, base, spec, cap)
        for keys, vidx, bounds, flagged, swept in source:
            if len(flagged):  # computed from their sign vectors by the reference code
                act = setup.hp.active(cells.signs(flagged))
                more = _keep_pairs(setup, flagged, act.astype(float) @ setup.F, spec, cap(), None)
                keys, vidx, bounds = (
                    np.concatenate([x, y]) for x, y in zip((keys, vidx, bounds), more, strict=True)
                )
            keys_l.append(keys)
            vs_l.append(vs_arr[vidx])
            gs_l.append(np.full(len(keys), gi, dtype=np.int64))
            bounds_l.append(bounds)
            state.cells += swept
            _presolve(run, gi, cells, keys, vs_arr[vidx], bounds, solved)
            if run.report(state.cells, "enumerated", {"phase": "enumerate", "cells": state.cells}):
                return None

    def cat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    keys, vs, gs = cat(keys_l, np.int64), cat(vs_l, np.int64), cat(gs_l, np.int64)
    bounds = cat(bounds_l, float)
    state.enumerated = True
    # the visit never touches a pair above the incumbent plus the margin: drop them first
    live = bounds - margin <= state.best.value
    rest = float(bounds[~live].min(initial=math.inf))
    keys, vs, gs, bounds = keys[live], vs[live], gs[live], bounds[live]
    order = np.lexsort((vs, keys, gs, bounds))
    return keys[order], vs[order], gs[order], bounds[order], rest, solved


def _reference_pairs(
    setup: _Setup,
    cells: _Cells,
    run: _ShardRun,
    delta: np.ndarray,
    base: np.ndarray,
    spec: PairSpec,
    cap: Callable[[], float],
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]]:
    """The kept pairs of ``cells``' blocks by the reference (numpy) route, in the form of
    :func:`.fused.fused_pairs` (nothing flagged)."""
    none = np.zeros(0, dtype=np.int64)
    for keys, sums in cells.blocks(run.shard, run.num_shards, delta, base):
        # Prefix sums carry absolute rounding of the order of the total; for cells with few
        # active points that is large relative to their own sums: recompute those directly.
        few = sums[:, -1] < 2 * setup.D - 0.5
        if np.any(few):
            act = setup.hp.active(cells.signs(keys[few]))
            sums[few] = act.astype(float) @ setup.F
        k, v, b = _keep_pairs(setup, keys, sums, spec, cap(), cells.jit)
        yield k, v, b, none, len(keys)


def _keep_pairs(
    setup: _Setup, keys: np.ndarray, sums: np.ndarray, spec: PairSpec, cap: float, jit: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(keys, column indices, bounds)`` of the pairs of cells ``keys`` with active sums
    ``sums`` kept by the drop test: the trivial bound less its allowance ``≤ cap``, and no
    finite allowance of the least-squares bound or that bound less its allowance ``≤ cap``.
    The trivial test runs first; cells it drops for every output sign are not factorised."""
    nv = len(spec.cols)
    # the trivial bound needs no factorisation and no conditioning (its allowance is absolute)
    ta = trivial_allowance(spec.n_all, setup.D) * setup.Y
    live = (setup.trivial_bounds(sums)[:, spec.cols] - ta <= cap).reshape(-1)
    rows = np.flatnonzero(live.reshape(len(keys), nv).any(axis=1))
    bounds = np.full((len(keys), nv), np.inf)
    tinv = np.full(len(keys), np.inf)
    if len(rows):
        b, t = setup.sign_bounds(sums[rows], trace_inv=True, jit=jit)
        bounds[rows], tinv[rows] = b[:, spec.cols], t
    bounds = bounds.reshape(-1)
    # dropped only when the bound less its float error allowance exceeds the cap
    kappa = np.full(len(tinv), np.inf)
    fin = np.isfinite(tinv)
    kappa[fin] = spec.trace_all * tinv[fin]
    allow = np.repeat(halfspace_allowance(kappa, spec.n_all, setup.D), nv)
    sure = np.isfinite(allow)  # no allowance (no factors, or too ill-conditioned): keep
    keep = ~sure
    keep[sure] = bounds[sure] - allow[sure] * setup.Y <= cap
    keep &= live
    vidx = np.tile(np.arange(nv, dtype=np.int64), len(keys))
    return np.repeat(keys, nv)[keep], vidx[keep], bounds[keep]


def _presolve(
    run: _ShardRun,
    gi: int,
    cells: _Cells,
    keys: np.ndarray,
    vs: np.ndarray,
    bounds: np.ndarray,
    solved: set[tuple[int, int]],
) -> None:
    """Solve the least-bound pair of a block when it may beat the incumbent, and make it the
    incumbent when it does (realizable candidates are left to the visit, which proves them)."""
    setup, state = run.setup, run.state
    if not len(bounds):
        return
    i = int(np.argmin(bounds))
    if not bounds[i] < state.best.value:
        return
    key, v = int(keys[i]), int(vs[i])
    sv = setup.problem.sign_vectors()[v]
    signs = cells.signs(keys[i : i + 1])[0]
    value, theta, low, kkt = _single_cell(setup, signs, sv[0])
    state.qps += 1
    solved.add((gi, key))
    state.visited_low = min(state.visited_low, low)
    if value > REALIZABLE_TOL * setup.Y and state.best.better(value, (gi, key, v)):
        state.best = _Best(value, (gi, key, v), theta[None, :], low, [signs], kkt, sv)


def _region_cap(setup: _Setup, state: ShardState) -> float:
    """The largest bound a pair may have and still hold a network better than the heuristic:
    ``U`` widened as the regions widen it (:data:`.regions.REGION_SAFETY`) plus the margin;
    ``inf`` without regions (the whole arrangement)."""
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
    rest: float = math.inf,
    solved: set[tuple[int, int]] | None = None,
) -> None:
    """Best-first search: solve the cells in increasing *halfspace* bound order until the next
    bound exceeds the incumbent by more than the margin, a limit strikes or a zero fit is
    proven.  The halfspace bounds (:mod:`.halfspace`) are computed lazily, in chunks of the
    least-squares order, only for cells whose least-squares bound does not prune them yet:
    the least unvisited bound is the smaller of the heap's top and the next least-squares
    bound, so cells leave the heap in the order of their tightened bounds.  ``rest``: the
    least bound of the pairs already dropped (for the reported bound), ``solved``: cells whose
    cone QP was already solved (counted as not pruned)."""
    setup, state = run.setup, run.state
    svs = setup.problem.sign_vectors()
    out = np.array([svs[v][0] for v in range(len(svs))], dtype=np.int64)
    margin = PRUNE_MARGIN * max(setup.Y, 1e-300)
    N = len(keys)
    jit = next((c.jit for c, _ in groups if c.jit is not None), None)
    pos, chunk = 0, 64
    heap: list[tuple[float, int, np.ndarray]] = []  # (bound, position in bound order, signs)
    seen = set(solved or ())  # (group, cell) with at least one output sign solved
    try:
        while True:
            incumbent = state.best.value
            top = heap[0][0] if heap else math.inf
            nxt = float(bounds[pos]) if pos < N else rest
            least = min(top, nxt)
            state.lower = least - margin if least < math.inf else None
            if least - margin > incumbent or not (heap or pos < N):
                break
            if pos < N and nxt <= top:  # tighten the next chunk of the least-squares order
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
                least = min(heap[0][0] if heap else math.inf, bounds[pos] if pos < N else rest)
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
