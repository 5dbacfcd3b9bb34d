"""Brute force: exhaustive enumeration of every candidate with numpy, sharing no code with the
models (so it is an independent check of them).

Each function takes a validated instance, the time limit and the start time of the solve; the
public entry points in :mod:`reductions.sources.solvers` validate, pick the method and handle
the trivial instances.  Candidates are scored in chunks of :data:`_CHUNK`; the time limit is
checked between chunks and yields the best candidate so far with ``optimal=False``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import numpy as np

from reductions.sources.solvers.common import SourceSolution, _col_result, _finish
from reductions.sources.types import CNF, Graph, Hypergraph

__all__ = ["colourable", "densest_subgraph", "max_cut", "max_sat"]

_CHUNK = 1 << 15


def _bits(start: int, stop: int, width: int) -> np.ndarray:
    """Rows ``start..stop-1`` as little-endian bit vectors of length ``width`` (uint8)."""
    idx = np.arange(start, stop, dtype=np.int64)
    return ((idx[:, None] >> np.arange(width, dtype=np.int64)) & 1).astype(np.uint8)


def _deadline(start: float, time_limit: float | None) -> Callable[[], bool]:
    if time_limit is None:
        return lambda: False
    return lambda: time.perf_counter() - start > time_limit


def _best_mask(
    total: int, width: int, score: Callable[[np.ndarray], np.ndarray], over: Callable[[], bool]
) -> tuple[int, int, bool]:
    """The best score over the bit vectors ``0..total-1``, its vector (as an integer) and
    whether the scan finished (False when ``over()`` stopped it between chunks)."""
    best, best_mask = -1, 0
    for lo in range(0, total, _CHUNK):
        vals = score(_bits(lo, min(total, lo + _CHUNK), width))
        i = int(np.argmax(vals))
        if int(vals[i]) > best:
            best, best_mask = int(vals[i]), lo + i
        if over():
            return best, best_mask, False
    return best, best_mask, True


def _enumerated(value: int, cert: tuple, done: bool, start: float, best: int) -> SourceSolution:
    """The solution of a finished (optimal) or stopped (feasible) enumeration."""
    status = "optimal" if done else "feasible"
    return _finish(value, cert, status, "brute", start, best if done else None, None)


def max_cut(g: Graph, time_limit: float | None, start: float) -> SourceSolution:
    """Max-Cut over the 2^(n−1) sides that leave vertex n−1 out."""
    u = np.array([e[0] for e in g.edges])
    v = np.array([e[1] for e in g.edges])
    w = np.array([g.weight(e) for e in range(g.m)], dtype=np.int64)

    def cut(bits: np.ndarray) -> np.ndarray:
        return ((bits[:, u] ^ bits[:, v]).astype(np.int64) * w).sum(axis=1)

    # vertex n-1 has bit 0 throughout: only 2^(n-1) sides are scanned
    over = _deadline(start, time_limit)
    best, best_mask, done = _best_mask(2 ** (g.n - 1), g.n, cut, over)
    side = tuple(x for x in range(g.n) if (best_mask >> x) & 1)
    return _enumerated(g.cut_value(side), side, done, start, best)


def densest_subgraph(
    g: Graph, kappa: int, time_limit: float | None, start: float
) -> SourceSolution:
    """Densest κ-subgraph over the C(n, κ) vertex sets, in lexicographic order."""
    W = np.zeros((g.n, g.n), dtype=np.int64)
    for e, (a, b) in enumerate(g.edges):
        W[a, b] = W[b, a] = g.weight(e)
    combos = itertools.combinations(range(g.n), kappa)
    best, best_set = -1, tuple(range(kappa))
    over = _deadline(start, time_limit)
    done = True
    while True:
        chunk = list(itertools.islice(combos, _CHUNK // max(1, kappa)))
        if not chunk:
            break
        c = np.array(chunk, dtype=np.int64)
        vals = W[c[:, :, None], c[:, None, :]].sum(axis=(1, 2)) // 2
        i = int(np.argmax(vals))
        if int(vals[i]) > best:
            best, best_set = int(vals[i]), tuple(chunk[i])
        if over():
            done = False
            break
    return _enumerated(g.induced_edges(best_set), best_set, done, start, best)


def max_sat(cnf: CNF, time_limit: float | None, start: float) -> SourceSolution:
    """Max-SAT over the 2^V assignments."""
    V = cnf.num_vars
    w = np.array([cnf.weight(i) for i in range(cnf.m)], dtype=np.int64)

    def satisfied(bits: np.ndarray) -> np.ndarray:
        bits = bits.astype(bool)
        score = np.zeros(bits.shape[0], dtype=np.int64)
        for i, clause in enumerate(cnf.clauses):
            sat = np.zeros(bits.shape[0], dtype=bool)
            for lit in clause:
                col = bits[:, abs(lit) - 1]
                sat |= col if lit > 0 else ~col
            score += w[i] * sat
        return score

    over = _deadline(start, time_limit)
    best, best_mask, done = _best_mask(2**V, V, satisfied, over)
    cert = tuple(bool((best_mask >> v) & 1) for v in range(V))
    return _enumerated(cnf.satisfied(cert), cert, done, start, best)


def colourable(hg: Hypergraph, k: int, time_limit: float | None, start: float) -> SourceSolution:
    """The first proper k-colouring in base-k order with vertex 0 coloured 0, if any."""
    # vertex 0 gets colour 0 (colours are interchangeable); digits base k for vertices 1..n-1
    total = k ** (hg.n - 1)
    powers = k ** np.arange(hg.n - 1, dtype=np.int64)
    over = _deadline(start, time_limit)
    for lo in range(0, total, _CHUNK):
        idx = np.arange(lo, min(total, lo + _CHUNK), dtype=np.int64)
        col = np.zeros((idx.size, hg.n), dtype=np.int64)
        col[:, 1:] = (idx[:, None] // powers) % k
        ok = np.ones(idx.size, dtype=bool)
        for e in hg.edges:
            first = col[:, e[0]]
            mono = np.ones(idx.size, dtype=bool)
            for v in e[1:]:
                mono &= col[:, v] == first
            ok &= ~mono
        hits = np.flatnonzero(ok)
        if hits.size:
            return _col_result(
                hg, k, "feasible", tuple(int(c) for c in col[hits[0]]), "brute", start
            )
        if over():
            return _col_result(hg, k, "unknown", (), "brute", start)
    return _col_result(hg, k, "infeasible", (), "brute", start)
