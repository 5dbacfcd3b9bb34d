"""The fused sweep's driver: the kept (cell, output sign) pairs of a float enumerator's circles.

For big single-unit enumerations (:mod:`.kernels`) the whole path from a circle to the pairs
:func:`.single._bound_single` keeps runs in one compiled call (:func:`._fused.sweep_pairs`),
so no per-chamber array is built in numpy.  This module prepares each batch of circles (the
frames, by the reference code :meth:`.arrangement.generic.GenericEnumerator.frames`), calls the
kernel until the batch is done, and turns its error codes into :class:`NotGeneric`.  Chambers
the kernel flags (a multiplier too close to call, few active points, a factorisation that is
not good) and the base level's two chambers are returned as keys for the caller to bound by
the reference code from their sign vectors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from exactfit.solvers.enumeration.algebra import trivial_column
from exactfit.solvers.enumeration.arrangement import GenericEnumerator, NotGeneric
from exactfit.solvers.enumeration.arrangement.generic import MARGIN
from exactfit.solvers.enumeration.halfspace import _gamma, trivial_allowance

__all__ = ["PairSpec", "fused_pairs"]

_ERRORS = {
    1: "D normals linearly dependent",
    2: "a ray lies in the counted hyperplane",
    3: "three hyperplanes share a ray",
}


@dataclass(frozen=True)
class PairSpec:
    """What the drop test of :func:`.single._bound_single` needs: the setup's triangle
    indices ``iu``, dimension ``D``, ``Y``, the trace of the Gram matrix of all points and
    their number (the allowance's ``κ`` and ``n``), and per output sign of the group its
    column (0 for ``a = +1``, 1 for ``a = −1``)."""

    iu: tuple[np.ndarray, np.ndarray]
    D: int
    Y: float
    trace_all: float
    n_all: int
    cols: np.ndarray


def fused_pairs(
    gen: GenericEnumerator,
    shard: int,
    num_shards: int,
    delta: np.ndarray,
    base: np.ndarray,
    spec: PairSpec,
    cap: Callable[[], float],
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]]:
    """Per kernel call ``(keys, column indices, bounds, flagged keys, chambers swept)``.

    A pair is dropped when its trivial bound less its allowance exceeds ``cap()``, or when it
    has a finite allowance ``α`` and its least-squares bound, or that bound raised by Lemma H
    on the ray's own rows (allowance ``8α``), less the allowance exceeds ``cap()``; ``cap`` is
    read before every call, so a caller that lowers it between calls drops more."""
    jit = gen.jit
    delta = np.ascontiguousarray(delta, dtype=float)
    dl = np.ascontiguousarray(delta[:-1])
    sums_in = (dl, delta[-1].copy(), delta.sum(axis=0), np.ascontiguousarray(base, dtype=float))
    iu0, iu1 = (np.ascontiguousarray(i, dtype=np.int64) for i in spec.iu)
    gn, g8 = _gamma(spec.n_all + 3), _gamma(8 * spec.D)
    colv = np.ascontiguousarray(spec.cols, dtype=np.int64)
    tcol = trivial_column(spec.D)
    ta = trivial_allowance(spec.n_all, spec.D) * spec.Y
    capacity = max(1 << 16, 4 * gen.m * len(colv) + 4)
    batch = max(16, (1 << 19) // max(gen.m, 1))
    none = np.zeros(0, dtype=np.int64)
    normals = np.ascontiguousarray(gen.W, dtype=float)  # lifted coordinates, for Lemma H
    for level, Tp in gen.work_items(shard, num_shards, batch=batch):
        L = gen.levels[level]
        if L.dim == 1:  # the base line: two chambers, bounded by the caller
            keys, _ = gen.sweep(level, Tp, delta)
            yield none, none, np.zeros(0), keys, len(keys)
            continue
        ev, fv, tol = gen.frames(L, Tp)
        circ = (ev, fv, tol, np.ascontiguousarray(Tp, dtype=np.int64))
        geom = (L.W, L.wnorm, L.u, L.phi, level, gen._radix, gen.D, MARGIN, normals)
        err, tau, nabr, bs, order = jit.circle_keys(circ, geom)
        if err:
            raise NotGeneric(_ERRORS[int(err)])
        order.sort(axis=1)  # by angle (the keys' high bits), then the normal (the low bits)
        order &= (1 << max((len(L.W) - 1).bit_length(), 1)) - 1  # circle_keys' index bits
        cross = (tau, nabr, bs, order)
        start = 0
        while start < len(Tp):
            bnd = (iu0, iu1, spec.D, spec.Y, spec.trace_all, gn, g8, float(cap()), tcol, ta)
            err, start, n, keys, vidx, bounds, nf, flagged, swept = jit.sweep_pairs(
                circ, cross, geom, sums_in, bnd, colv, start, capacity
            )
            if err:
                raise NotGeneric(_ERRORS[int(err)])
            yield keys[:n].copy(), vidx[:n].copy(), bounds[:n].copy(), flagged[:nf].copy(), swept
