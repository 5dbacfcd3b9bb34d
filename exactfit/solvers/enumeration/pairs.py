"""The k = 2 search: every unit-cell pair bounded cheaply, strong bounds and QPs best first.

A pair of unit cells ``(S₁, S₂)`` with output signs ``(a₁, a₂)`` predicts ``p_i = 0`` off
``S₁ ∪ S₂`` and, where only units of one sign ``s`` are active, ``s·p_i ≥ 0``; with the label
clipped to that sign (:func:`.multi._clipped_labels`) every point pays at least
``c_i (y_i − ỹ_i)²`` whatever the weights.  That sum, the *point bound*, is additive over the
points, so for all pairs at once it is one ``C × C`` matrix: a constant, a row term, a column
term and ``(X·w) Xᵀ`` for the unit cells' activity matrix ``X`` (:func:`point_bounds`).  It
never exceeds the sign-aware least-squares bound of :mod:`.multi` (that bound is the point
bound plus a least-squares residual ≥ 0), which is computed only for the pairs the point bound
does not prune, in batches taken in point-bound order; the cone QPs are solved in the order of
the larger of the two bounds, each only once no pair left unbounded can have a smaller one.
The search stops when the least bound left exceeds the incumbent by the margin.

Three things keep the work small (``docs/solvers/enumeration.md``, "Two units"): a first
incumbent guessed by :mod:`.pairstart` after the first batches of strong bounds; the tables
of the sign vectors other than the one of the least *floor* (:func:`_sign_floor`) built only
once there is an incumbent, and not at all when their floor exceeds it; and the aggregated-row
bound (:mod:`.conedual`) given lazily to a heap entry just before its cone QP would be solved.
"""

from __future__ import annotations

import heapq

import numpy as np

from exactfit.solvers.enumeration.halfspace import _gamma
from exactfit.solvers.enumeration.multi import joint_sign_bounds
from exactfit.solvers.enumeration.optima import _Best, _joint_cell
from exactfit.solvers.enumeration.pairstart import STARTS, guess_pairs
from exactfit.solvers.enumeration.shard import PRUNE_MARGIN, REALIZABLE_TOL, _ShardRun

__all__ = ["point_bounds", "search_pairs"]

#: Pairs given their strong bound per batch: large enough to amortise numpy's per-call cost.
BATCH = 4096
#: Rows of the point table per matrix product.
ROW_BLOCK = 32
#: The batch before the first incumbent.
FIRST_BATCH = 64
#: Rounds of :func:`.pairstart.guess_pairs` (after the first batches of strong bounds).
GUESSES = 2
#: Heap entries given the aggregated-row bound at a time.
AGGREGATE = 64


def _cost(y: np.ndarray, s: float) -> np.ndarray:
    """``(y − ỹ)²`` for the label clipped to sign ``s``: what a point pays when only units of
    sign ``s`` are active there."""
    return np.minimum(s * y, 0.0) ** 2


def point_bounds(setup, acts: np.ndarray, a: tuple[int, int]) -> np.ndarray:
    """The point bounds ``(C, C)`` of every pair of unit cells for output signs ``a``: entry
    ``(c₁, c₂)`` is ``Σ_i c_i (y_i − ỹ_i)²`` for unit 1 in cell ``c₁`` and unit 2 in ``c₂``."""
    C = len(acts)
    L = np.empty((C, C))
    _point_bounds_into(setup, acts.astype(float), a, L)
    return L


def _point_bounds_into(setup, X: np.ndarray, a: tuple[int, int], L: np.ndarray) -> None:
    """:func:`point_bounds` written into ``L`` (C, C), for the activity matrix ``X`` as floats."""
    y, c = setup.problem.yf, setup.problem.cf
    out = c * y * y  # neither unit active: p_i = 0
    r1, r2 = c * _cost(y, a[0]), c * _cost(y, a[1])
    both = r1 if a[0] == a[1] else np.zeros_like(y)  # units of both signs: no clipping
    # Σ_i [(1−x)(1−u)·out + x(1−u)·r1 + (1−x)u·r2 + xu·both] for x = X[c₁], u = X[c₂]
    row = X @ (r1 - out) + out.sum()
    col = X @ (r2 - out)
    Xw, XT = X * (out - r1 - r2 + both), np.ascontiguousarray(X.T)
    # in blocks of rows: one (C, n)·(n, C) product is split over threads by OpenBLAS, which
    # on a busy machine is several times slower than these single-threaded blocks
    for r in range(0, len(X), ROW_BLOCK):
        np.matmul(Xw[r : r + ROW_BLOCK], XT, out=L[r : r + ROW_BLOCK])
    L += row[:, None]
    L += col[None, :]


def _fill(run: _ShardRun, X: np.ndarray, svs, flat: np.ndarray, slots: list[int], v: int):
    """Write sign vector ``v``'s point bounds into the next block of ``flat``, flat over
    (block, c₁, c₂), and record ``v`` in ``slots`` (block → sign vector).  ``inf`` marks the
    pairs that are not this shard's or not canonical (``c₁ ≤ c₂`` for equal signs: the units
    are interchangeable).  Pairs are dealt to the shards by their index in the (sign vector,
    c₁, c₂) order, whatever the block order.  Unfilled blocks are never read (only
    ``flat[:len(slots)·C²]``), so they cost no memory traffic."""
    C = len(X)
    a = svs[v]
    L = flat[len(slots) * C * C : (len(slots) + 1) * C * C].reshape(C, C)
    slots.append(v)
    _point_bounds_into(run.setup, X, (a[0], a[1]), L)
    if a[0] == a[1]:
        for c1 in range(1, C):
            L[c1, :c1] = np.inf
    if run.num_shards > 1:
        L.ravel()[(v * C * C + np.arange(C * C)) % run.num_shards != run.shard] = np.inf


def _sign_floor(setup, a: tuple[int, int]) -> float:
    """A lower bound on every point bound of sign vector ``a``, exact despite rounding: each
    point pays at least the least of its four costs (neither, either or both units active),
    and the float sum is lowered by ``γ_{n+4}`` relative (its terms are nonnegative)."""
    y, c = setup.problem.yf, setup.problem.cf
    r1, r2 = _cost(y, a[0]), _cost(y, a[1])
    both = r1 if a[0] == a[1] else np.zeros_like(y)
    least = c * np.minimum(np.minimum(y * y, both), np.minimum(r1, r2))
    return float(least.sum()) * (1.0 - _gamma(len(y) + 4))


def _add_deferred(run, X, svs, flat, slots, deferred, margin) -> float:
    """Fill in the deferred sign vectors' blocks, except those whose floor already exceeds
    the incumbent (every pair of theirs is pruned; they count as enumerated); returns the
    least new entry."""
    C, state = len(X), run.state
    low = np.inf
    for v in deferred:
        if _sign_floor(run.setup, svs[v]) - margin > state.best.value:
            equal = svs[v][0] == svs[v][1]
            state.combos += (C * (C + 1) // 2 if equal else C * C) // run.num_shards
            continue
        _fill(run, X, svs, flat, slots, v)
        block = flat[(len(slots) - 1) * C * C : len(slots) * C * C]
        state.combos += int(np.isfinite(block).sum())
        low = min(low, float(block.min()))
    return low


def _head(flat: np.ndarray, size: int) -> np.ndarray:
    """Flat indices of finite entries including the ``size`` least: every entry up to a
    threshold taken from a sample (one comparison pass instead of a partition of the whole
    table), or the partition when the sample's threshold admits too few."""
    step = max(1, len(flat) // 65536)
    sample = flat[::step]
    j = min(len(sample) - 1, int(np.ceil(2.0 * size * len(sample) / len(flat))))
    tau = np.partition(sample, j)[j]
    idx = np.flatnonzero(flat <= tau) if np.isfinite(tau) else np.empty(0, np.int64)
    if len(idx) < size:
        idx = np.argpartition(flat, size - 1)[:size]
    return idx[np.isfinite(flat[idx])]


def _rows(flat: np.ndarray, idx: np.ndarray, C: int, slots: list[int]) -> np.ndarray:
    """Rows ``(point bound, sign-vector index, c₁, c₂)`` of flat indices ``idx``, sorted by
    (point bound, block, c₁, c₂): deterministic ties."""
    idx = np.sort(idx)
    idx = idx[np.argsort(flat[idx], kind="stable")]  # flat order breaks the ties
    block, rem = np.divmod(idx, C * C)
    return np.column_stack([flat[idx], np.asarray(slots)[block], *np.divmod(rem, C)])


def search_pairs(
    run: _ShardRun, table: np.ndarray, keys1: np.ndarray, svs: list[tuple[int, ...]]
) -> None:
    """Best-first search of the unit-cell pairs of this shard (module docstring)."""
    setup, state = run.setup, run.state
    acts = setup.hp.active(table)
    C = len(acts)
    X = acts.astype(float)
    margin = PRUNE_MARGIN * max(setup.Y, 1e-300)
    # the sign vector of the least floor first; the others only once there is an incumbent,
    # which on planted data prunes a whole sign vector (e.g. (−, −)) by its floor
    first = min(range(len(svs)), key=lambda v: (_sign_floor(setup, svs[v]), v))
    deferred = [v for v in range(len(svs)) if v != first]
    full, slots = np.empty(len(svs) * C * C), []
    _fill(run, X, svs, full, slots, first)
    flat = full[: C * C]  # the filled blocks
    state.combos = int(np.isfinite(flat).sum())
    # a valid bound for the deferred pairs should a limit strike before they are filled in
    floor = min((_sign_floor(setup, svs[v]) for v in deferred), default=np.inf)
    if state.combos == 0:
        _add_deferred(run, X, svs, full, slots, deferred, margin)
        deferred, floor, flat = [], np.inf, full[: len(slots) * C * C]
    state.enumerated = True
    # the least point bounds first: their QPs give the incumbent that filters the rest, so
    # only the survivors are sorted
    size = min(BATCH, state.combos)
    if size == 0:
        return
    head = _head(flat, size) if size < len(flat) else np.flatnonzero(np.isfinite(flat))
    rows = _rows(flat, head, C, slots)
    flat[head] = np.inf
    tail_min = flat.min(initial=np.inf)
    heap: list[tuple[float, int, int, int, int]] = []  # (bound, v, c₁, c₂, aggregated)
    nxt = 0  # rows[nxt:] and the finite entries of flat have only their point bound
    guesses = 0  # rounds of pairstart: after the first two batches of strong bounds
    try:
        while True:
            # the head's best pair is solved before the tail is filtered by the incumbent
            ready = not heap or (heap[0][0] > tail_min and state.visited > 0)
            if nxt == len(rows) and tail_min < np.inf and ready:
                keep = np.flatnonzero(flat <= state.best.value + margin)
                rows, nxt, tail_min = _rows(flat, keep, C, slots), 0, np.inf
            if nxt < len(rows) and rows[nxt, 0] - margin > state.best.value:
                nxt = len(rows)  # sorted: every row left is pruned by its point bound
            # (the tail is above the head's rows, except for deferred blocks filled in later)
            cheap = min(rows[nxt, 0], tail_min) if nxt < len(rows) else tail_min
            low = min(heap[0][0], cheap) if heap else cheap
            if deferred and (state.visited or low == np.inf or low - margin > state.best.value):
                # before any decision that needs every pair: the deferred sign vectors
                new = _add_deferred(run, X, svs, full, slots, deferred, margin)
                tail_min, deferred, floor = min(tail_min, new), [], np.inf
                flat = full[: len(slots) * C * C]
                continue
            if low == np.inf:
                break
            # every pair left has a bound ≥ low: the shard's bound should it stop here
            state.lower = float(min(low, floor) - margin)
            if low - margin > state.best.value:
                return
            if not heap or (heap[0][0] > cheap and (nxt < len(rows) or state.visited)):
                nxt = _bound_batch(setup, acts, table, svs, rows, nxt, state.best.value, heap)
                if guesses < GUESSES and heap:
                    guesses += 1
                    if _guess(run, table, keys1, svs, heap):
                        return
                if run.tick(state.combos):
                    return
                continue
            if not heap[0][4]:
                _aggregate(setup, acts, table, svs, state.best.value, heap)
                continue
            _, v, c1, c2, _ = heapq.heappop(heap)
            if _visit(run, table, keys1, svs, v, (c1, c2)):
                return  # a proven zero fit (prove_zero set the bound)
            if state.visited % 64 == 0 and run.tick(state.combos):
                return
        state.lower = None  # every pair visited
    finally:
        state.pruned = state.combos - state.visited


def _guess(run, table, keys1, svs, heap) -> bool:
    """Visit the pair :func:`.pairstart.guess_pairs` finds from the least heap entries (a
    near-optimal incumbent early spares most strong bounds); ``True`` on a proven zero fit."""
    C = len(table)
    tops = [e[1:4] for e in heapq.nsmallest(STARTS, heap)]
    for v, c1, c2 in guess_pairs(run.setup, table, svs, tops, run.state.best.value):
        if (v * C * C + c1 * C + c2) % run.num_shards != run.shard:
            continue  # another shard's pair: that shard may guess it
        if _visit(run, table, keys1, svs, v, (c1, c2)):
            return True
    return False


def _bound_batch(setup, acts, table, svs, rows, nxt, best, heap) -> int:
    """Strong bounds for the next batch of rows (those still under ``best``); the pairs they
    do not prune go on the heap with the larger of the two bounds; returns the new cursor."""
    cutoff = best + PRUNE_MARGIN * max(setup.Y, 1e-300)
    cut = rows[nxt:, 0].searchsorted(cutoff, "right")
    # small batches until the first incumbent: its pairs' bounds are taken against Σ c y²
    size = BATCH if heap or best < setup.Y else FIRST_BATCH
    batch = rows[nxt : nxt + min(size, max(1, int(cut)))]
    for v in np.unique(batch[:, 1]).astype(int):
        sel = batch[batch[:, 1] == v]
        combo = sel[:, 2:].astype(np.int64)
        av = np.array(svs[v], dtype=float)
        strong = np.maximum(joint_sign_bounds(setup, acts, table, combo, av, cutoff), sel[:, 0])
        keep = strong <= cutoff  # the incumbent only decreases: a pruned pair stays pruned
        for b, (c1, c2) in zip(strong[keep].tolist(), combo[keep].tolist(), strict=True):
            heapq.heappush(heap, (b, v, c1, c2, 0))
    return nxt + len(batch)


def _aggregate(setup, acts, table, svs, best, heap) -> None:
    """Raise the least heap entries not yet aggregated (up to :data:`AGGREGATE` of them, all
    under the incumbent) by the aggregated-row bound (:mod:`.conedual`), just before they
    would cost a cone QP each; they go back on the heap marked as aggregated."""
    cutoff = best + PRUNE_MARGIN * max(setup.Y, 1e-300)
    take, keep = [], []
    while heap and len(take) < AGGREGATE and heap[0][0] <= cutoff:
        e = heapq.heappop(heap)
        (keep if e[4] else take).append(e)
    for e in keep:
        heapq.heappush(heap, e)
    for v in sorted({e[1] for e in take}):
        sel = [e for e in take if e[1] == v]
        combo = np.array([e[2:4] for e in sel], dtype=np.int64)
        av = np.array(svs[v], dtype=float)
        strong = joint_sign_bounds(setup, acts, table, combo, av, cutoff, aggregate=True)
        for b, e in zip(strong, sel, strict=True):
            b = max(float(b), e[0])
            if b <= cutoff:
                heapq.heappush(heap, (b, v, e[2], e[3], 1))


def _visit(run, table, keys1, svs, v: int, combo: tuple[int, int]) -> bool:
    """Solve one pair's cone QP and update the incumbent; ``True`` when a zero fit is proven."""
    setup, state = run.setup, run.state
    a = svs[v]
    pats = [table[c] for c in combo]
    value, theta, low, kkt = _joint_cell(setup, a, pats)
    state.qps += 1
    state.visited += 1
    state.visited_low = min(state.visited_low, low)
    key = (v, *(int(keys1[c]) for c in combo))
    if state.best.better(value, key):
        state.best = _Best(value, key, theta, low, pats, kkt, a)
        if value <= REALIZABLE_TOL * setup.Y and run.prove_zero():
            return True
    return False
