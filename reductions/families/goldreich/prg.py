"""Goldreich's local generator: a k-uniform hypergraph, a predicate, and the output bits.

For a seed ``s ∈ {0,1}^N`` and ordered hyperedges ``S_1, …, S_M`` (each ``k`` distinct vertices
of ``[N]``), the generator outputs ``G(s)_j = P(s_{S_j})`` (``s_{S}`` the bits at ``S`` in the
edge's order).  The predicate here is XOR–AND, ``P(u) = u_1 ⊕ … ⊕ u_{k−2} ⊕ (u_{k−1} ∧ u_k)``;
for ``k = 5`` it is ``x1 + x2 + x3 + x4x5 (mod 2)``, the predicate with which O'Donnell and
Witmer studied Goldreich's generator at stretch close to ``n^{1.5}``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from exactfit.errors import InputError

__all__ = ["PREDICATES", "Hypergraph", "Predicate", "matching_seeds", "random_hypergraph"]

#: Exhaustive inversion enumerates 2^N seeds; above this the check is skipped.
MAX_EXHAUSTIVE_N = 20


@dataclass(frozen=True)
class Predicate:
    """A Boolean predicate on ``k`` bits by its truth table.

    ``table[i]`` is ``P(u)`` for the pattern ``u`` with ``u_t = (i >> t) & 1`` (``t = 0`` is the
    edge's first vertex).
    """

    name: str
    k: int
    table: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.table) != 2**self.k or any(v not in (0, 1) for v in self.table):
            raise InputError(f"predicate {self.name}: expected 2^{self.k} values in {{0, 1}}")

    def __call__(self, bits: tuple[int, ...]) -> int:
        return self.table[sum(b << t for t, b in enumerate(bits))]

    def ones(self) -> list[tuple[int, ...]]:
        """The patterns ``u`` with ``P(u) = 1``."""
        return [tuple((i >> t) & 1 for t in range(self.k)) for i, v in enumerate(self.table) if v]


def xor_and(k: int) -> Predicate:
    """``u_1 ⊕ … ⊕ u_{k−2} ⊕ (u_{k−1} ∧ u_k)`` for ``k ≥ 3``."""
    if k < 3:
        raise InputError(
            f"xor-and: expected a locality k ≥ 3 (XOR of k−2 bits and an AND of 2), found {k}"
        )
    table = []
    for i in range(2**k):
        u = [(i >> t) & 1 for t in range(k)]
        table.append((sum(u[: k - 2]) + (u[k - 2] & u[k - 1])) % 2)
    return Predicate(f"xor-and-{k}", k, tuple(table))


#: Predicate families by ``--predicate`` name: k ↦ Predicate.
PREDICATES = {"xor-and": xor_and}


@dataclass(frozen=True)
class Hypergraph:
    """``M`` ordered hyperedges of ``k`` distinct vertices of ``{0, …, N−1}``."""

    N: int
    edges: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        for j, e in enumerate(self.edges):
            if len(set(e)) != len(e) or not all(0 <= v < self.N for v in e):
                raise InputError(f"hyperedge {j}: expected distinct vertices in [0, {self.N})")

    def outputs(self, P: Predicate, seed: tuple[int, ...]) -> tuple[int, ...]:
        """``G(s)_j = P(s_{S_j})``."""
        return tuple(P(tuple(seed[v] for v in e)) for e in self.edges)


def random_hypergraph(N: int, M: int, k: int, rng: np.random.Generator) -> Hypergraph:
    """``M`` hyperedges, each ``k`` distinct vertices drawn uniformly in random order."""
    if k > N:
        raise InputError(f"goldreich: expected N ≥ k = {k} seed bits, found N = {N}")
    return Hypergraph(
        N, tuple(tuple(int(v) for v in rng.choice(N, size=k, replace=False)) for _ in range(M))
    )


def matching_seeds(H: Hypergraph, P: Predicate, outputs: tuple[int, ...]) -> np.ndarray:
    """Every seed ``s ∈ {0,1}^N`` with ``G(s) = outputs``, by exhaustive search (``N ≤ 20``).

    Seeds are integers (bit ``v`` is vertex ``v``); the candidates are filtered one output bit
    at a time, vectorised over the seeds still alive.
    """
    if H.N > MAX_EXHAUSTIVE_N:
        raise InputError(
            f"goldreich: exhaustive inversion needs N ≤ {MAX_EXHAUSTIVE_N}, found N = {H.N}"
        )
    alive = np.arange(2**H.N, dtype=np.int64)
    table = np.array(P.table, dtype=np.int64)
    for e, bit in zip(H.edges, outputs, strict=True):
        idx = np.zeros_like(alive)
        for t, v in enumerate(e):
            idx |= ((alive >> v) & 1) << t
        alive = alive[table[idx] == bit]
    return alive
