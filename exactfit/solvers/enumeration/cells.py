"""Cell sources: the chambers to visit, streamed as blocks of keys and active sums.

A source yields, per block, the keys of its chambers and the active sums ``Σ_{s_g=+} Δ_g``
(plus a base) of each, and rebuilds sign vectors from keys.  :class:`_ExactCells` takes every
chamber of the arrangement from the exact integer enumerator, :class:`_GenericCells` from the
float enumerator (general position), and :class:`_RegionCells` the chambers of the
hyperplanes crossing an incumbent region, each extended by the fixed signs of the others.
:func:`_choose_mode` picks the enumerator from the size of the arrangement.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

import numpy as np

from exactfit.solvers.enumeration import kernels
from exactfit.solvers.enumeration.algebra import _Setup
from exactfit.solvers.enumeration.arrangement import (
    GenericEnumerator,
    Hyperplanes,
    cover_count,
    exact_chambers,
)
from exactfit.solvers.enumeration.fused import PairSpec, fused_pairs

#: Chamber counts up to this use the exact integer enumerator directly (larger ones try the
#: float enumerator first and fall back to the exact one on degenerate data).
EXACT_CELLS = 200


class _Cells(Protocol):
    """A cell source: ``m`` hyperplanes, blocks of ``(keys, base + active sums of delta)`` for
    one shard, and the sign vectors (bool, True = +) of given keys."""

    m: int
    jit: Any  # compiled kernels (:mod:`.kernels`) for its blocks' bounds, or None

    def blocks(
        self, shard: int, num_shards: int, delta: np.ndarray, base: np.ndarray
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]: ...

    def signs(self, keys: np.ndarray) -> np.ndarray: ...


class _ExactCells:
    """All chambers from the exact enumerator; keys are row numbers.

    ``check`` is forwarded to :func:`exact_chambers` (deadline and interrupt polling).
    """

    jit = None  # the exact enumerator's tables are small: no compiled kernels

    def __init__(self, hp: Hyperplanes, check: Callable[[], None] | None = None) -> None:
        self.m = hp.m
        if hp.m == 0:
            self.table = np.zeros((1, 0), dtype=bool)
        else:
            self.table = exact_chambers(hp.exact, check)

    def blocks(
        self, shard: int, num_shards: int, delta: np.ndarray, base: np.ndarray, size: int = 4096
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        keys = np.arange(len(self.table), dtype=np.int64)
        keys = keys[keys % num_shards == shard]
        for s in range(0, len(keys), size):
            k = keys[s : s + size]
            yield k, base + self.table[k].astype(float) @ delta

    def signs(self, keys: np.ndarray) -> np.ndarray:
        return self.table[np.asarray(keys, dtype=np.int64)]

    def all_keys(self) -> np.ndarray:
        return np.arange(len(self.table), dtype=np.int64)


class _GenericCells:
    def __init__(self, hp: Hyperplanes) -> None:
        self.m = hp.m
        self.gen = GenericEnumerator(hp.normals, exact=hp.exact)
        # big sweeps run compiled (the import and a cold JIT cost more than small ones take)
        self.jit = self.gen.jit = kernels.get(cover_count(hp.m, hp.normals.shape[1]))

    def blocks(
        self, shard: int, num_shards: int, delta: np.ndarray, base: np.ndarray
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        batch = max(16, 65536 // max(self.gen.m, 1))
        for level, Tp in self.gen.work_items(shard, num_shards, batch=batch):
            keys, sums = self.gen.sweep(level, Tp, delta)
            yield keys, sums + base

    def signs(self, keys: np.ndarray) -> np.ndarray:
        return self.gen.signs(keys)

    def fused(
        self,
        shard: int,
        num_shards: int,
        delta: np.ndarray,
        base: np.ndarray,
        spec: PairSpec,
        cap: Callable[[], float],
    ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]]:
        """The kept pairs straight from the compiled sweep (:func:`.fused.fused_pairs`)."""
        return fused_pairs(self.gen, shard, num_shards, delta, base, spec, cap)

    def all_keys(self) -> np.ndarray:
        delta = np.zeros((self.gen.m, 1))
        out = [k for k, _ in self.blocks(0, 1, delta, np.zeros(1))]
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def _cells(
    setup: _Setup, mode: str, check: Callable[[], None] | None = None
) -> _ExactCells | _GenericCells:
    """The whole arrangement from the enumerator ``mode`` (``"exact"`` or ``"generic"``)."""
    if mode == "exact":
        return _ExactCells(setup.hp, check)
    return _GenericCells(setup.hp)


def _choose_mode(setup: _Setup) -> str:
    if cover_count(setup.hp.m, setup.D) <= EXACT_CELLS or setup.hp.m < setup.D:
        return "exact"
    return "generic"


class _RegionCells:
    """Chambers of the hyperplanes ``cross``, each extended by the ``fixed`` signs of the
    others: a superset of the chambers meeting a region (see :func:`.regions._regions`).
    Patterns that are not chambers of the whole arrangement are harmless: the QP over their
    closed cone is still the loss of a real network, and its bound is still a valid lower
    bound."""

    def __init__(
        self,
        setup: _Setup,
        cross: Sequence[int],
        fixed: np.ndarray,
        mode: str,
        check: Callable[[], None] | None = None,
    ) -> None:
        hp = setup.hp
        self.cross = np.asarray(cross, dtype=np.int64)
        self.fixed = np.asarray(fixed, dtype=bool)
        self.free = np.zeros(hp.m, dtype=bool)
        self.free[self.cross] = True
        self.whole = bool(np.array_equal(self.cross, np.arange(hp.m)))
        none = np.zeros(0, dtype=np.int64)
        sub = Hyperplanes(
            tuple(hp.exact[g] for g in self.cross), hp.normals[self.cross], none, none
        )
        small = cover_count(sub.m, setup.D) <= EXACT_CELLS or sub.m < setup.D
        self.inner = _ExactCells(sub, check) if mode == "exact" or small else _GenericCells(sub)
        self.jit = getattr(self.inner, "jit", None)
        self.m = sub.m

    def blocks(
        self, shard: int, num_shards: int, delta: np.ndarray, base: np.ndarray
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        base = base + (self.fixed & ~self.free).astype(float) @ delta
        yield from self.inner.blocks(shard, num_shards, delta[self.cross], base)

    def fused(
        self,
        shard: int,
        num_shards: int,
        delta: np.ndarray,
        base: np.ndarray,
        spec: PairSpec,
        cap: Callable[[], float],
    ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]] | None:
        """The inner float enumerator's fused sweep (see :meth:`blocks`), or ``None``."""
        if not isinstance(self.inner, _GenericCells) or self.jit is None:
            return None
        base = base + (self.fixed & ~self.free).astype(float) @ delta
        return self.inner.fused(shard, num_shards, delta[self.cross], base, spec, cap)

    def signs(self, keys: np.ndarray) -> np.ndarray:
        if self.whole:  # every hyperplane crosses, in order: the inner signs are the signs
            return self.inner.signs(keys)
        out = np.repeat(self.fixed[None, :], len(keys), axis=0)
        out[:, self.cross] = self.inner.signs(keys)
        return out


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
